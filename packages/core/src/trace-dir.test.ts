import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatErrorOf } from './test-support/format-error.js';
import { SIGNALS, type Signal, type TraceRow } from './trace-format-columns.js';
import { traceToCsv } from './trace-format-write.js';
import type { TraceMetadata } from './trace-format.js';
import { readTraceDir, readTraceDirs } from './trace-dir.js';

const root = mkdtempSync(join(tmpdir(), 'core-traces-'));

function row(runId: string, step: number): TraceRow {
  const relL1 = {} as Record<Signal, number | null>;
  const meanAbs = {} as Record<Signal, number | null>;
  for (const s of SIGNALS) { relL1[s] = step === 0 ? null : 0.01 * (step + 1); meanAbs[s] = 1; }
  return { runId, step, timestep: 1000 - step, branch: 'cond', computed: 1, relL1, meanAbs };
}

function metadata(runId: string, model: string, steps = 3): TraceMetadata {
  return {
    format: 'teacache-trace', version: 1, runId, model, family: 'dit', weightsHash: 'w', prompt: `prompt of ${runId}`, seed: 0,
    sampler: 'ddim', steps, guidance: 4, backend: 'none', policy: 'none', toolkitVersion: '0.0.0', createdAt: '2025-01-01T00:00:00Z', wallSeconds: 1,
  };
}

/** A directory with one trace per run id: `<id>.csv` and its `<id>.json` sidecar. */
function traceDir(name: string, runs: string[], model = 'm'): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const id of runs) {
    writeFileSync(join(dir, `${id}.csv`), traceToCsv([0, 1, 2].map((s) => row(id, s))));
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(metadata(id, model)));
  }
  return dir;
}

describe('readTraceDir: the one reader of trace directories', () => {
  test('reads every CSV with its sidecar, in name order, with the columns it has and the SHA-256 sha256sum gives', () => {
    const dir = traceDir('two', ['b', 'a']);
    const runs = readTraceDir(dir);
    expect(runs.map((r) => r.metadata.runId)).toEqual(['a', 'b']);
    expect(runs.map((r) => r.rows.length)).toEqual([3, 3]);
    expect(runs[0].signals).toEqual([...SIGNALS]);
    expect(runs[0].sidecarPath).toBe(join(dir, 'a.json'));
    expect(runs[0].sha256).toBe(execFileSync('sha256sum', [join(dir, 'a.csv')], { encoding: 'utf8' }).split(' ')[0]);
  });

  test('calls back after each file, for progress', () => {
    const seen: string[] = [];
    readTraceDir(traceDir('progress', ['a', 'b']), (p) => seen.push(p));
    expect(seen).toEqual([join(root, 'progress', 'a.csv'), join(root, 'progress', 'b.csv')]);
  });

  test('a directory may hold runs of several models (one model per fit is the fit\'s rule)', () => {
    const dir = traceDir('mixed', ['a']);
    writeFileSync(join(dir, 'z.csv'), traceToCsv([0, 1, 2].map((s) => row('z', s))));
    writeFileSync(join(dir, 'z.json'), JSON.stringify(metadata('z', 'other')));
    expect(readTraceDir(dir).map((r) => r.metadata.model)).toEqual(['m', 'other']);
  });

  test('a CSV without its sidecar is refused, naming the missing file (sweep --traces for MagCache once read CSVs alone)', () => {
    const dir = traceDir('no-sidecar', ['a']);
    writeFileSync(join(dir, 'lonely.csv'), traceToCsv([0, 1, 2].map((s) => row('lonely', s))));
    const e = formatErrorOf(() => readTraceDir(dir));
    expect(e.file).toBe(join(dir, 'lonely.json'));
    expect(e.message).toMatch(/lonely\.json: expected the JSON sidecar of lonely\.csv beside it, found "no such file"/);
  });

  test('rows whose run id differs from the sidecar\'s are refused, naming row and field (replay once read them unchecked)', () => {
    const dir = traceDir('mismatch', ['a']);
    writeFileSync(join(dir, 'a.csv'), traceToCsv([0, 1, 2].map((s) => row('z', s))));
    expect(() => readTraceDir(dir)).toThrow(/a\.csv, row 1, field "run_id": expected run id "a"/);
  });

  test('a CSV with another step count than its sidecar is refused, naming both', () => {
    const dir = traceDir('short', ['a']);
    writeFileSync(join(dir, 'a.csv'), traceToCsv([0, 1].map((s) => row('a', s))));
    expect(() => readTraceDir(dir)).toThrow(/a\.csv, field "step": expected 3 steps in branch cond, as a\.json says/);
  });

  test('one run under two names is refused, by run id or by identical bytes (the report once drew it twice)', () => {
    const byId = traceDir('twice-by-id', ['a']);
    writeFileSync(join(byId, 'b.csv'), traceToCsv([0, 1, 2].map((s) => ({ ...row('a', s), timestep: 500 - s }))));
    writeFileSync(join(byId, 'b.json'), JSON.stringify(metadata('a', 'm')));
    expect(formatErrorOf(() => readTraceDir(byId))).toMatchObject({ file: join(byId, 'b.csv'), field: 'runId' });
    const byBytes = traceDir('twice-by-bytes', ['a']);
    copyFileSync(join(byBytes, 'a.csv'), join(byBytes, 'copy.csv'));
    writeFileSync(join(byBytes, 'copy.json'), JSON.stringify(metadata('a', 'm')));
    expect(formatErrorOf(() => readTraceDir(byBytes)).message).toMatch(/copy\.csv, field "runId": expected a run not already read .*a\.csv holds the same run/);
  });

  test('a run of 200,000 rows reads (rows are not spread onto the call stack)', () => {
    const dir = join(root, 'big');
    mkdirSync(dir, { recursive: true });
    const steps = 200_000;
    const lines = ['run_id,step,timestep,branch,rel_l1_modulated,rel_l1_output'];
    for (let s = 0; s < steps; s++) lines.push(s === 0 ? 'big,0,1000,cond,,' : `big,${s},${1000 - s / 1000},cond,0.01,0.02`);
    writeFileSync(join(dir, 'big.csv'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'big.json'), JSON.stringify({ ...metadata('big', 'm', steps), prompt: 'p' }));
    expect(readTraceDir(dir)[0].rows).toHaveLength(steps);
  });

  test('a missing or empty directory is refused, naming it', () => {
    expect(formatErrorOf(() => readTraceDir(join(root, 'nope')))).toMatchObject({ file: join(root, 'nope'), expected: 'a directory of trace CSV files' });
    expect(formatErrorOf(() => readTraceDir(traceDir('empty', [])))).toMatchObject({ expected: 'at least one *.csv trace file' });
  });
});

describe('readTraceDirs', () => {
  test('joins several directories, run ids unchanged where they are unique', () => {
    const runs = readTraceDirs([traceDir('x', ['a']), traceDir('y', ['b'], 'other')]);
    expect(runs.map((r) => [r.metadata.model, r.metadata.runId])).toEqual([['m', 'a'], ['other', 'b']]);
  });

  test('two models traced on the same prompts keep their runs apart: ids prefixed with the model, rows too', () => {
    const runs = readTraceDirs([traceDir('m1', ['p0', 'p1'], 'one'), traceDir('m2', ['p0'], 'two')]);
    expect(runs.map((r) => r.metadata.runId)).toEqual(['one/p0', 'one/p1', 'two/p0']);
    expect(runs.map((r) => [...new Set(r.rows.map((x) => x.runId))])).toEqual([['one/p0'], ['one/p1'], ['two/p0']]);
  });

  test('one directory given twice is refused: its runs would count twice', () => {
    const dir = traceDir('given-twice', ['a']);
    expect(formatErrorOf(() => readTraceDirs([dir, dir]))).toMatchObject({ file: join(dir, 'a.csv'), field: 'runId' });
  });
});
