import { FormatError, parseTraceCsv, traceToCsv, SIGNALS, type Branch, type Signal, type TraceRow } from '@teacache/core';
import { createPolicy } from './create-policy.js';
import { recordedSchedules, replayTrace, scheduleAgreement, summariseRuns } from './replay.js';

type Columns = Partial<Record<Signal, (number | null)[]>> & { meanAbs?: Partial<Record<Signal, number[]>>; computed?: (0 | 1)[] };

/** Rows of one run and branch from per-signal columns (relL1 index 0 is null). */
function run(runId: string, branch: Branch, steps: number, cols: Columns): TraceRow[] {
  return Array.from({ length: steps }, (_, step) => ({
    runId, step, timestep: 1000 - step * 100, branch, computed: cols.computed?.[step] ?? 1,
    relL1: Object.fromEntries(SIGNALS.map((s) => [s, step === 0 ? null : cols[s]?.[step] ?? 0.01])) as Record<Signal, number | null>,
    meanAbs: Object.fromEntries(SIGNALS.map((s) => [s, cols.meanAbs?.[s]?.[step] ?? 1])) as Record<Signal, number>,
  }));
}

const MODULATED = [null, 0.10, 0.15, 0.10, 0.05, 0.20, 0.40, 0.05];

/** A guided run 'g' (cond, uncond) and an unguided run 'u', through the CSV format and back. */
function syntheticTrace(): TraceRow[] {
  const rows = [
    ...run('g', 'cond', 8, { modulated: MODULATED, output: [null, 0.3, 0.01, 0.01, 0.3, 0.01, 0.01, 0.01] }),
    ...run('g', 'uncond', 8, { modulated: [null, 0.4, 0.01, 0.01, 0.01, 0.01, 0.4, 0.01] }),
    ...run('u', 'cond', 8, { modulated: [null, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01] }),
  ];
  // interleave the guided branches per step, as a sampling loop writes them
  const interleaved = [...rows.slice(0, 16)].sort((a, b) => a.step - b.step || (a.branch === 'cond' ? -1 : 1));
  return parseTraceCsv(traceToCsv([...interleaved, ...rows.slice(16)]), 'synthetic.csv');
}

describe('replayTrace', () => {
  const trace = syntheticTrace();

  test('replays teacache per run and branch with the hand-worked schedules', () => {
    const replays = replayTrace(trace, createPolicy('teacache:threshold=0.3'));
    expect(replays.map((r) => [r.runId, r.branch, r.schedule])).toEqual([
      ['g', 'cond', 'CRRCRRCC'], // the sequence worked by hand in teacache.test.ts
      ['g', 'uncond', 'CCRRRRCC'], // 0.4 C; 0.01 x4 R; 0.44 C; last C
      ['u', 'cond', 'CRRRRRRC'], // 0.01·6 = 0.06 < 0.3 never reaches the threshold
    ]);
    const g = replays[0];
    expect(g).toMatchObject({ steps: 8, computedSteps: 4, skippedSteps: 4, stepSpeedup: 2, exactOnTrace: true, notes: [] });
    expect(g.decisions[3]).toMatchObject({ compute: true, reason: 'over-threshold' });
  });

  test('none computes everything and interval follows its rule on every run', () => {
    expect(replayTrace(trace, createPolicy('none')).map((r) => r.schedule)).toEqual(['CCCCCCCC', 'CCCCCCCC', 'CCCCCCCC']);
    expect(replayTrace(trace, createPolicy('interval:k=3')).every((r) => r.schedule === 'CRRCRRCC')).toBe(true);
  });

  test('the oracle reads the recorded output change', () => {
    // g/cond output: 0.3 C (0.3 >= 0.3), 0.01 R, 0.02 R, 0.32 C, 0.01 R, 0.02 R, last C
    expect(replayTrace(trace, createPolicy('oracle:threshold=0.3'))[0].schedule).toBe('CCRRCRRC');
  });

  test('magcache decisions depend only on the step and the ratios', () => {
    const policy = createPolicy({ policy: 'magcache', threshold: 1e9, magRatios: [1, 1, 1, 1, 1, 1, 1, 1], maxSkipSteps: 2, retentionRatio: 0.25 });
    // retention floor(0.25·8) = 2; then R R C R R C
    expect(replayTrace(trace, policy).map((r) => r.schedule)).toEqual(['CCRRCRRC', 'CCRRCRRC', 'CCRRCRRC']);
  });

  test('first-block is replayed on the residual as a stand-in and says so', () => {
    // residual meanAbs 1, 1, 2, 2; relL1 0.02, 0.03, 0.04; threshold 0.05:
    // step 1: against step 0: 0.02·1 / 1 = 0.02                 → R
    // step 2: against step 0: (0.02·1 + 0.03·1) / 1 = 0.05      → C (not < 0.05)
    // step 3: against step 2: 0.04·2 / 2 = 0.04                 → R
    const rows = run('f', 'cond', 4, { residual: [null, 0.02, 0.03, 0.04], meanAbs: { residual: [1, 1, 2, 2] } });
    const [r] = replayTrace(rows, createPolicy('first-block:threshold=0.05'));
    expect(r.schedule).toBe('CRCR');
    expect(r.decisions.map((d) => d.accumulated ?? null)).toEqual([null, 0.02, 0.05, 0.04]);
    expect(r.exactOnTrace).toBe(false);
    expect(r.notes.join(' ')).toMatch(/"residual" signal as a stand-in/);
    // another proxy signal can be named
    const [viaNoisy] = replayTrace(rows, createPolicy('first-block:threshold=0.05'), { firstBlockProxy: 'noisy' });
    expect(viaNoisy.schedule).toBe('CRRR'); // noisy relL1 0.01 per step, meanAbs 1: 0.01, 0.02, 0.03
  });

  test('replaying a policy on a trace it recorded reproduces the recorded schedule', () => {
    const policy = createPolicy('teacache:threshold=0.3');
    const predicted = replayTrace(trace, policy);
    // a trace recorded with that policy: same indicators, computed column = the policy's decisions
    const recorded = trace.map((r) => {
      const p = predicted.find((x) => x.runId === r.runId && x.branch === r.branch)!;
      return { ...r, computed: (p.schedule[r.step] === 'C' ? 1 : 0) as 0 | 1 };
    });
    const replayed = replayTrace(recorded, policy);
    recordedSchedules(recorded).forEach((rec, i) => {
      expect(rec.schedule).toBe(predicted[i].schedule);
      expect(scheduleAgreement(replayed[i].schedule, rec.schedule)).toBe(1);
    });
    expect(replayed[0].notes).toEqual(['the trace was recorded with reuse: its signals follow that cached trajectory, not the uncached one']);
  });

  test('rows out of step order are refused, naming the row', () => {
    const rows = run('x', 'cond', 3, {});
    expect(() => replayTrace([rows[0], rows[2]], createPolicy('none'), { file: 'x.csv' }))
      .toThrow('x.csv, row 2, field "step": expected step 1 of run x (cond), found 2');
    expect(() => replayTrace([], createPolicy('none'))).toThrow(FormatError);
  });

  test('summaries per run join disagreeing branches and average their counts', () => {
    const [g, u] = summariseRuns(replayTrace(trace, createPolicy('teacache:threshold=0.3')));
    // cond CRRCRRCC (4 C), uncond CCRRRRCC (4 C) → 4 computed, speedup 2
    expect(g).toEqual({ runId: 'g', steps: 8, schedule: 'CRRCRRCC/CCRRRRCC', computedSteps: 4, skippedSteps: 4, stepSpeedup: 2 });
    // CRRRRRRC: 2 computed → speedup 4
    expect(u).toEqual({ runId: 'u', steps: 8, schedule: 'CRRRRRRC', computedSteps: 2, skippedSteps: 6, stepSpeedup: 4 });
  });
});

describe('scheduleAgreement', () => {
  test('is the fraction of equal steps', () => {
    expect(scheduleAgreement('CRRC', 'CRCC')).toBe(0.75);
    expect(scheduleAgreement('CRRC', 'CRRC')).toBe(1);
    expect(scheduleAgreement('CC', 'RR')).toBe(0);
  });

  test('refuses schedules of different lengths or with other letters', () => {
    expect(() => scheduleAgreement('CRRC', 'CRC')).toThrow('field "actual": expected a schedule of 4 steps (as the predicted one), found 3');
    expect(() => scheduleAgreement('CRXC', 'CRRC')).toThrow('field "predicted": expected only the letters C and R, found "\\"X\\" at step 2"');
    expect(() => scheduleAgreement('', '')).toThrow(/at least one step/);
  });
});
