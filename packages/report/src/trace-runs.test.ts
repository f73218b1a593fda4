import { joinTraceRuns } from './trace-runs.js';
import { syntheticMetadata, traceRow } from './synthetic-inputs.js';

const run = (runId: string, steps = 3) => Array.from({ length: steps }, (_, s) => traceRow(runId, s));

describe('joinTraceRuns', () => {
  test('groups rows under the metadata of their run', () => {
    const runs = joinTraceRuns({ rows: [...run('a'), ...run('b')], metadata: [syntheticMetadata('a', 'm'), syntheticMetadata('b', 'm')] });
    expect(runs.map((r) => [r.meta.runId, r.rows.length])).toEqual([['a', 3], ['b', 3]]);
  });

  test('no rows, or no metadata, is an error and not an empty chart', () => {
    expect(() => joinTraceRuns({ rows: [], metadata: [syntheticMetadata('a', 'm')] })).toThrow(/at least one trace row, found "no rows"/);
    expect(() => joinTraceRuns({ rows: run('a'), metadata: [] })).toThrow(/metadata of at least one run/);
  });

  test('a row of a run without metadata names the run and the known ones', () => {
    expect(() => joinTraceRuns({ rows: run('x'), metadata: [syntheticMetadata('a', 'm')] }))
      .toThrow(/row 1, field "runId": expected a run id with metadata \(known: a\), found "x"/);
  });

  test('metadata without rows, and a run id given twice, are errors', () => {
    expect(() => joinTraceRuns({ rows: run('a'), metadata: [syntheticMetadata('a', 'm'), syntheticMetadata('b', 'm')] }))
      .toThrow(/trace rows for run "b"/);
    expect(() => joinTraceRuns({ rows: run('a'), metadata: [syntheticMetadata('a', 'm'), syntheticMetadata('a', 'm')] }))
      .toThrow(/one metadata record per run id/);
  });

  test('a NaN relative L1 is an error naming the row and signal', () => {
    const rows = run('a');
    rows[2].relL1.output = NaN;
    expect(() => joinTraceRuns({ rows, metadata: [syntheticMetadata('a', 'm')] })).toThrow(/row 3, field "relL1.output": expected a finite number or null, found NaN/);
  });

  test('runs of one model with different step counts are a mismatch', () => {
    expect(() => joinTraceRuns({ rows: [...run('a', 3), ...run('b', 4)], metadata: [syntheticMetadata('a', 'm'), syntheticMetadata('b', 'm')] }))
      .toThrow(/field "steps of run "b"": expected 3 steps, as run "a" of the same model "m", found 4/);
  });
});
