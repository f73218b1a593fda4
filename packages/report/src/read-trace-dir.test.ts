import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { traceToCsv } from '@teacache/core';
import { readTraceDir, readTraceDirs } from './read-trace-dir.js';
import { joinTraceRuns } from './trace-runs.js';
import { syntheticMetadata, traceRow } from './synthetic-inputs.js';

const root = mkdtempSync(join(tmpdir(), 'report-traces-'));

/** A directory with one trace per run id: `<id>.csv` and its `<id>.json` sidecar. */
function traceDir(name: string, runs: string[], model = 'm'): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const id of runs) {
    writeFileSync(join(dir, `${id}.csv`), traceToCsv([0, 1, 2].map((s) => traceRow(id, s))));
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(syntheticMetadata(id, model)));
  }
  return dir;
}

describe('readTraceDir', () => {
  test('reads every CSV with its sidecar', () => {
    const traces = readTraceDir(traceDir('two', ['a', 'b']));
    expect(traces.metadata.map((m) => m.runId)).toEqual(['a', 'b']);
    expect(traces.rows).toHaveLength(6);
  });

  test('joins several directories', () => {
    const traces = readTraceDirs([traceDir('x', ['a']), traceDir('y', ['b'], 'other')]);
    expect(traces.metadata.map((m) => m.model)).toEqual(['m', 'other']);
  });

  test('two models traced on the same prompts keep their runs apart', () => {
    const traces = readTraceDirs([traceDir('m1', ['p0', 'p1'], 'one'), traceDir('m2', ['p0'], 'two')]);
    expect(traces.metadata.map((m) => m.runId)).toEqual(['one/p0', 'one/p1', 'two/p0']);
    expect(new Set(traces.rows.map((r) => r.runId))).toEqual(new Set(['one/p0', 'one/p1', 'two/p0']));
  });

  test('a CSV without its sidecar names the missing file', () => {
    const dir = traceDir('no-sidecar', []);
    writeFileSync(join(dir, 'lonely.csv'), traceToCsv([traceRow('lonely', 0)]));
    expect(() => readTraceDir(dir)).toThrow(/lonely\.csv: expected a metadata sidecar .*lonely\.json beside it/);
  });

  test('rows whose run id differs from the sidecar\'s are an error naming row and field', () => {
    const dir = traceDir('mismatch', ['a']);
    writeFileSync(join(dir, 'a.csv'), traceToCsv([traceRow('z', 0)]));
    expect(() => readTraceDir(dir)).toThrow(/a\.csv, row 1, field "run_id": expected run id "a"/);
  });

  test('a CSV with another step count than its sidecar is an error naming both', () => {
    const dir = traceDir('short', ['a']);
    writeFileSync(join(dir, 'a.csv'), traceToCsv([0, 1].map((s) => traceRow('a', s))));
    expect(() => readTraceDir(dir)).toThrow(/a\.csv, field "step": expected 3 steps in branch cond, as a\.json says/);
  });

  test('a run of 200,000 rows reads (rows are not spread onto the call stack)', () => {
    const dir = join(root, 'big');
    mkdirSync(dir, { recursive: true });
    const steps = 200_000;
    const lines = ['run_id,step,timestep,branch,rel_l1_modulated,rel_l1_output'];
    for (let s = 0; s < steps; s++) lines.push(s === 0 ? 'big,0,1000,cond,,' : `big,${s},${1000 - s / 1000},cond,0.01,0.02`);
    writeFileSync(join(dir, 'big.csv'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'big.json'), JSON.stringify(syntheticMetadata('big', 'm', 'p', 0, steps)));
    const traces = readTraceDir(dir);
    expect(traces.rows).toHaveLength(steps);
    expect(joinTraceRuns(traces)[0].rows).toHaveLength(steps);
  });

  test('a missing or empty directory is an error', () => {
    expect(() => readTraceDir(join(root, 'nope'))).toThrow(/expected a directory of trace CSV files/);
    expect(() => readTraceDir(traceDir('empty', []))).toThrow(/at least one \*\.csv trace file/);
  });
});
