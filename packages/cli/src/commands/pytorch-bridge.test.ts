import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPolicy, recordedSchedules, replayTrace } from '@teacache/cache';
import { readCoefficientsFile, readSweepRows, readTraceCsv, readRunRecord, scheduleBranches } from '@teacache/core';

// The bridge end to end on Debian's python3-torch: a small PyTorch DiT written for the test is traced through the
// recorder, fitted by `teacache fit`, swept over thresholds by the TeaCache runtime, scored by `teacache score` and
// drawn by `teacache report`. Python runs as a user would run it; the CLI runs as its bin.
const root = join(import.meta.dirname, '..', '..', '..', '..');
const bin = join(root, 'packages', 'cli', 'bin', 'teacache.js');
const script = join(root, 'integrations', 'pytorch', 'tests', 'e2e_runs.py');
const PYTHON = '/usr/bin/python3';
const THRESHOLDS = ['0.1', '0.2', '0.4', '0.8'];

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: root, env: { ...process.env, TEACACHE_BACKEND: 'wasm' }, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}
const teacache = (...args: string[]) => run(process.execPath, [bin, ...args]);

describe('the PyTorch bridge end to end', () => {
  const out = mkdtempSync(join(tmpdir(), 'teacache-bridge-'));
  const fit = join(out, 'fit', 'tiny-dit.json');
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  beforeAll(() => {
    run(PYTHON, [script, 'trace', out]);
    teacache('fit', '--traces', join(out, 'traces'), '--out', fit, '--export', 'py,csv', '--threshold', '0.4');
    run(PYTHON, [script, 'sweep', out, fit, ...THRESHOLDS]);
    teacache('score', '--runs', join(out, 'runs'), '--out', join(out, 'sweep.jsonl'));
    teacache('report', '--traces', join(out, 'traces'), '--coefficients', fit, '--sweep', join(out, 'sweep.jsonl'), '--out', join(out, 'report'));
  }, 600_000);

  test('traces from PyTorch are fitted: a degree, statistics, and the exported .py with the integration settings', () => {
    const file = readCoefficientsFile(fit);
    expect(file.model).toBe('tiny-dit');
    expect(file.statistics!.runCount).toBe(6);
    expect(file.sampleCount).toBe(6 * 19 * 2);
    const py = readFileSync(join(out, 'fit', 'tiny-dit.py'), 'utf8');
    expect(py).toMatch(/^coefficients = \[/m);
    expect(py).toMatch(/^rel_l1_thresh = 0\.4 /m);
    expect(py).toMatch(/^ret_steps = 1 /m);
    expect(py).toMatch(/^cutoff_steps = 19 /m);
  });

  test('every threshold of the runtime sweep becomes a sweep row, with both quality protocols named', () => {
    const rows = readSweepRows(join(out, 'sweep.jsonl'));
    expect(rows).toHaveLength(2 * (1 + THRESHOLDS.length));
    const cached = rows.filter((r) => r.policy === 'teacache');
    expect(new Set(cached.map((r) => r.threshold))).toEqual(new Set(THRESHOLDS.map(Number)));
    for (const r of cached) {
      expect(r.source).toBe('score');
      expect(r.stepSpeedup).toBeGreaterThanOrEqual(1);
      expect(Number.isFinite(r.psnrFrames8bit)).toBe(true);
      expect(r.ssimFrames8bit).toBeLessThanOrEqual(1);
    }
    expect(cached.some((r) => r.skippedSteps > 0)).toBe(true);
  });

  test('teacache score agrees with scikit-image within 1e-6 on PSNR and SSIM', () => {
    const sk = JSON.parse(readFileSync(join(out, 'skimage.json'), 'utf8')) as Record<string, { psnr: number | null; ssim: number }>;
    const rows = readSweepRows(join(out, 'sweep.jsonl'));
    let compared = 0;
    for (const [name, ref] of Object.entries(sk)) {
      const rec = readRunRecord(join(out, 'runs', name));
      const row = rows.find((r) => r.policy === rec.policy && r.threshold === rec.threshold && r.prompt === rec.prompt && r.seed === rec.seed)!;
      if (ref.psnr === null) expect(row.psnr).toBe(Infinity);
      else expect(Math.abs(row.psnr - ref.psnr)).toBeLessThan(1e-6);
      expect(Math.abs(row.ssim - ref.ssim)).toBeLessThan(1e-6);
      compared++;
    }
    expect(compared).toBe(10);
  });

  test('the runtime\'s live decisions equal the toolkit\'s rule applied to the signals it recorded, at every step', () => {
    const dir = join(out, 'runtime-traces');
    const csvs = readdirSync(dir).filter((f) => f.endsWith('.csv'));
    expect(csvs).toHaveLength(2 * THRESHOLDS.length);
    for (const f of csvs) {
      const rows = readTraceCsv(join(dir, f));
      const record = readRunRecord(join(out, 'runs', f.replace(/\.csv$/, '.run.json')));
      const policy = createPolicy(`teacache:threshold=${record.threshold},coefficients=${fit}`);
      const replayed = replayTrace(rows, policy, { file: f });
      const live = recordedSchedules(rows, f);
      expect(replayed.map((r) => [r.branch, r.schedule])).toEqual(live.map((r) => [r.branch, r.schedule]));
      expect(Object.fromEntries(live.map((r) => [r.branch, r.schedule]))).toEqual(record.schedule);
    }
  });

  test('replay on the recorded uncached trace agrees with the live run up to its first reuse', () => {
    const replayOut = teacache('replay', '--traces', join(out, 'reference-traces'), '--thresholds', THRESHOLDS.join(','), '--coefficients', fit).stdout;
    expect(replayOut).toMatch(/teacache\s+0\.4\s+1\/1\s+2\s+\d+\.\d\d/);
    for (const threshold of THRESHOLDS) {
      const rec = readRunRecord(join(out, 'runs', readdirSync(join(out, 'runs')).find((f) => f.startsWith(`teacache-${threshold}__a-red-circle`) && f.endsWith('.run.json'))!));
      const reference = readTraceCsv(join(out, 'reference-traces', readdirSync(join(out, 'reference-traces')).find((f) => f.includes('a-red-circle') && f.endsWith('.csv'))!));
      const replayed = replayTrace(reference, createPolicy(`teacache:threshold=${threshold},coefficients=${fit}`));
      for (const r of replayed) {
        const live = r.branch === 'cond' ? rec.schedule.cond : rec.schedule.uncond!;
        const firstReuse = live.indexOf('R');
        expect(r.schedule.slice(0, firstReuse + 1)).toBe(live.slice(0, firstReuse + 1));
      }
    }
  });

  test('the report is drawn like the built-in ones', () => {
    for (const f of ['index.html', 'summary.md', 'per-step.svg', 'correlation.svg', 'speed-psnr.svg', 'speed-ssim.svg', 'skip-schedule.svg', 'coefficient-curves.svg']) {
      expect(existsSync(join(out, 'report', f))).toBe(true);
    }
    expect(readFileSync(join(out, 'report', 'summary.md'), 'utf8')).toContain('tiny-dit');
  });

  test('scheduleBranches reads the stored schedules back per branch', () => {
    const rows = readSweepRows(join(out, 'sweep.jsonl'));
    for (const r of rows) expect(scheduleBranches(r.schedule).every((s) => s.length === 20)).toBe(true);
  });
});
