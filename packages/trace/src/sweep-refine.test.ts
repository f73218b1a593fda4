import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendSweepRow } from '@teacache/core';
import { describePolicy, gridSpecs, validatePolicySpec, type PolicySpec, type SweepVariant, type ThresholdSpec } from '@teacache/cache';
import { handSweepRow } from '@teacache/cache/test-support/sweep-row';
import { refuseFailedRuns, sweepAndRefine } from './sweep-refine.js';
import type { SweepOptions } from './sweep.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'sweep-refine-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tea = (threshold: number) => validatePolicySpec({ policy: 'teacache', threshold }) as ThresholdSpec;
const grid: SweepVariant[] = [{ kind: 'reference', specs: [{ policy: 'none' }] }, { kind: 'threshold', specs: [tea(0.1), tea(0.2)] }];
// The fake sweep's quality: 0.1 reaches 30 dB, 0.2 does not, so refinement adds thresholds between them.
const psnrOf = (spec: PolicySpec) => (spec.policy === 'teacache' ? (spec.threshold <= 0.1 ? 35 : 25) : Infinity);

/** A stand-in for runSweep: appends one row per spec to the results file and records what it was asked to run. */
function fakeRun(calls: PolicySpec[][]) {
  return async (o: SweepOptions) => {
    calls.push(o.specs);
    for (const spec of o.specs) {
      const d = describePolicy(spec);
      appendSweepRow(o.out, handSweepRow({ policy: d.policy, params: d.params, threshold: d.threshold, psnr: psnrOf(spec), psnrFrames8bit: psnrOf(spec) }));
    }
    return { newRows: o.specs.length, skippedRows: 0, failedRuns: 0 };
  };
}

const options = (out: string) => ({ modelDir: 'unused', modelName: 'm', prompts: ['p'], seeds: [0], steps: 4, guidance: 1, out, log: () => {} });

test('without a target, the grid is swept once in sweep order', async () => {
  const calls: PolicySpec[][] = [];
  const outcome = await sweepAndRefine(options(join(dir, 'once.jsonl')), grid, undefined, 'paper', fakeRun(calls));
  expect(calls).toEqual([gridSpecs(grid)]);
  expect(outcome).toEqual({ newRows: 3, skippedRows: 0, failedRuns: 0 });
});

test('with a target, a second pass sweeps the thresholds refinement adds where the variant crosses it, appending rows', async () => {
  const calls: PolicySpec[][] = [];
  const outcome = await sweepAndRefine(options(join(dir, 'refined.jsonl')), grid, 30, 'paper', fakeRun(calls));
  expect(calls).toHaveLength(2);
  // 0.1 · 2^(k/4) for k = 1, 2, 3, to 3 significant digits
  expect(calls[1].map((s) => s.policy === 'teacache' && s.threshold)).toEqual([0.119, 0.141, 0.168]);
  expect(outcome.newRows).toBe(6);
});

test('failed runs are refused after the rows are safe, naming the failures file', () => {
  expect(() => refuseFailedRuns({ newRows: 1, skippedRows: 0, failedRuns: 2, failuresFile: 'sweep.failures.jsonl' }))
    .toThrow(/2 run\(s\) failed and gave no row; see sweep.failures.jsonl/);
  expect(() => refuseFailedRuns({ newRows: 1, skippedRows: 0, failedRuns: 0 })).not.toThrow();
});
