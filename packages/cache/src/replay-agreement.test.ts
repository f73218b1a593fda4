import { SIGNALS, type Branch, type Signal, type SweepRow, type TraceMetadata, type TraceRow } from '@teacache/core';
import { describePolicy } from './describe-policy.js';
import { validatePolicySpec, type PolicySpec } from './policy-spec.js';
import { replayAgreement, type RecordedRun } from './replay-agreement.js';

/** One branch of a recorded run whose modulated input changes by `modulated[step]` (relL1 against the step before). */
function branchRows(runId: string, branch: Branch, modulated: (number | null)[]): TraceRow[] {
  return modulated.map((m, step) => ({
    runId, step, timestep: 1000 - step * 100, branch, computed: 1,
    relL1: Object.fromEntries(SIGNALS.map((s) => [s, step === 0 ? null : s === 'modulated' ? m : 0.01])) as Record<Signal, number | null>,
    meanAbs: Object.fromEntries(SIGNALS.map((s) => [s, 1])) as Record<Signal, number>,
  }));
}

function recorded(runId: string, prompt: string, modulated: (number | null)[]): RecordedRun {
  const meta = { runId, model: 'm', prompt, seed: 0, steps: modulated.length } as TraceMetadata;
  return { csvPath: `${runId}.csv`, metadata: meta, rows: branchRows(runId, 'cond', modulated) };
}

/** The sweep row of a real cached run of `spec` on prompt `prompt`, with the schedule it took. */
function realRun(spec: PolicySpec, prompt: string, schedule: string): SweepRow {
  const d = describePolicy(spec);
  return { model: 'm', policy: d.policy, params: d.params, threshold: d.threshold, prompt, seed: 0, steps: schedule.split('/')[0].length, schedule } as SweepRow;
}

// Worked by hand (threshold 0.3, identity rescaling, first and last step forced):
// a: 0.10, 0.15 → acc 0.25 R R; +0.10 = 0.35 → C; 0.05, 0.20 → 0.25 R R; +0.40 → C; last C = CRRCRRCC, 4 of 8 computed (2×)
// b: 0.01 per step never reaches 0.3: CRRRRRRC, 2 of 8 computed (4×)
const A = [null, 0.10, 0.15, 0.10, 0.05, 0.20, 0.40, 0.05];
const B = [null, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01];
const tea = validatePolicySpec({ policy: 'teacache', threshold: 0.3 });
const interval = validatePolicySpec({ policy: 'interval', interval: 2 });

describe('replayAgreement', () => {
  test('refuses to replay over no recorded runs (a mean over none would be NaN)', () => {
    expect(() => replayAgreement([], [{ policy: 'none' } as PolicySpec], [])).toThrow(/no recorded runs/);
  });

  test('predicts each run\'s schedule and averages the predicted step speedup over the runs', () => {
    const [r] = replayAgreement([recorded('a', 'pa', A), recorded('b', 'pb', B)], [tea], []);
    expect(r.runs).toBe(2);
    expect(r.predictedStepSpeedup).toBeCloseTo((2 + 4) / 2, 12);
    expect(r.agreements).toEqual([]);
    expect(r.exact).toBe(true);
    expect(r.description).toEqual(describePolicy(tea));
  });

  test('compares with the real run of the same setting, prompt and seed, step by step', () => {
    // The real run of a computed step 2 where the replay reused it: 7 of 8 steps agree. b has no real run.
    const sweep = [realRun(tea, 'pa', 'CRCCRRCC'), realRun(tea, 'other prompt', 'CCCCCCCC'), realRun(interval, 'pa', 'CRCRCRCC')];
    const [t, k] = replayAgreement([recorded('a', 'pa', A), recorded('b', 'pb', B)], [tea, interval], sweep);
    expect(t.agreements).toEqual([7 / 8]);
    // interval k=2 computes steps 0, 2, 4, 6 and the last: CRCRCRCC, as the real run did
    expect(k.agreements).toEqual([1]);
  });

  test('a real run of another threshold is not matched', () => {
    const other = validatePolicySpec({ policy: 'teacache', threshold: 0.2 });
    expect(replayAgreement([recorded('a', 'pa', A)], [tea], [realRun(other, 'pa', 'CRRCRRCC')])[0].agreements).toEqual([]);
  });

  test('a guided real run is compared branch by branch with an unguided prediction (its one branch against both)', () => {
    const [r] = replayAgreement([recorded('a', 'pa', A)], [tea], [realRun(tea, 'pa', 'CRRCRRCC/CCCCCCCC')]);
    // cond agrees on 8 of 8 steps, uncond on the 4 computed: (1 + 0.5) / 2
    expect(r.agreements).toEqual([0.75]);
  });
});
