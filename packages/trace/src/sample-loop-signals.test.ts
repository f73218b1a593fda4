import { CHEAP_INDICATORS, relL1 } from '@teacache/core';
import { createPolicy, type StepContext } from '@teacache/cache';
import { selectBackend } from '@teacache/models';
import { sampleRun } from './sample-loop.js';
import { tinyTestModel } from './test-model.js';
import { expectClose, recordingModel, scriptedPolicy } from './test-support/recording-model.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Row `b` of `rows` equal-sized rows stacked in one array. */
const row = (a: Float32Array, b: number, rows: number) => a.subarray((b * a.length) / rows, ((b + 1) * a.length) / rows);

describe('guidance branches on different schedules', () => {
  test('each branch reuses its own last computed residual, and the counts follow both schedules', () => {
    const tiny = tinyTestModel('dit');
    const { model, log } = recordingModel(tiny);
    const schedules = { cond: 'CRCRRC', uncond: 'CCRRCR' };
    const r = sampleRun({ model, caption: 'cat', seed: 6, steps: 6, guidance: 3, policy: scriptedPolicy(schedules, []) });
    expect(r.schedule).toEqual(schedules);
    // steps where a branch computes: 0, 1, 2, 4, 5; branch-steps: 3 + 3
    expect(r.computedSteps).toBe(5);
    expect(r.computedBranchSteps).toBe(6);
    const last: (Float32Array | null)[] = [null, null];
    let call = 0;
    for (let i = 0; i < 6; i++) {
      const computing = (['cond', 'uncond'] as const).flatMap((br, b) => (schedules[br][i] === 'C' ? [b] : []));
      if (computing.length > 0) {
        const residual = log.residuals[call++];
        computing.forEach((b, k) => { last[b] = row(residual, k, computing.length).slice(); });
      }
      for (const b of [0, 1]) {
        const tokens = row(log.tokens[i], b, 2);
        expectClose(row(log.headIn[i], b, 2).slice(), tokens.map((v, k) => v + last[b]![k]));
      }
    }
    expect(call).toBe(log.residuals.length);
    // The check means something only if the two branches' residuals differ at a step where one reuses.
    expect(relL1(last[0]!, last[1]!)).toBeGreaterThan(1e-3);
    tiny.dispose();
  });


  test('each branch compares its first block with its own last computed step\'s, and trace rows mark each branch\'s own steps', () => {
    const tiny = tinyTestModel('stdit');
    const { model, log } = recordingModel(tiny);
    const schedules = { cond: 'CRCRRC', uncond: 'CCRRCR' };
    const seen: StepContext[] = [];
    const r = sampleRun({ model, caption: 'cat', seed: 2, steps: 6, guidance: 3, record: true, policy: scriptedPolicy(schedules, ['firstBlock'], seen) });
    expect(log.firstBlock.length).toBe(6);
    const last = [0, 0];
    for (let i = 0; i < 6; i++) {
      (['cond', 'uncond'] as const).forEach((branch, b) => {
        const ctx = seen.find((c) => c.step === i && c.branch === branch)!;
        if (i === 0) expect(ctx.firstBlockResidual).toBeNull();
        else expect(ctx.firstBlockResidual).toBeCloseTo(relL1(row(log.firstBlock[i], b, 2), row(log.firstBlock[last[b]], b, 2)), 5);
      });
      (['cond', 'uncond'] as const).forEach((branch, b) => { if (schedules[branch][i] === 'C') last[b] = i; });
    }
    for (const branch of ['cond', 'uncond'] as const) {
      const computed = r.rows.filter((x) => x.branch === branch).map((x) => (x.computed ? 'C' : 'R')).join('');
      expect(computed).toBe(schedules[branch]);
    }
    tiny.dispose();
  });
});

describe('a policy that asks to reuse before anything is cached', () => {
  test('computes that step instead, and later reuses add the residual it cached', () => {
    const tiny = tinyTestModel('latte');
    const { model, log } = recordingModel(tiny);
    const r = sampleRun({ model, caption: 'cat', seed: 1, steps: 4, guidance: 1, policy: scriptedPolicy({ cond: 'RRCR' }, []) });
    expect(r.schedule.cond).toBe('CRCR');
    expect(r.computedSteps).toBe(2);
    expectClose(log.headIn[1], log.tokens[1].map((v, k) => v + log.residuals[0][k]));
    tiny.dispose();
  });
});

describe('the signals a policy declares', () => {
  for (const indicator of CHEAP_INDICATORS) {
    test(`a policy declaring ${indicator} is given its change against the previous step, computed or reused, and no other signal`, () => {
      const tiny = tinyTestModel('latte');
      const { model, log } = recordingModel(tiny);
      const seen: StepContext[] = [];
      sampleRun({ model, caption: 'cat', seed: 1, steps: 5, guidance: 1, policy: scriptedPolicy({ cond: 'CRRCR' }, [indicator], seen) });
      expect(seen.map((c) => c.step)).toEqual([0, 1, 2, 3, 4]);
      expect(seen[0].indicators[indicator]).toBeNull();
      for (let i = 1; i < 5; i++) {
        expect(seen[i].indicators[indicator]).toBeCloseTo(relL1(log.indicators[indicator][i], log.indicators[indicator][i - 1]), 5);
      }
      for (const c of seen) {
        for (const other of CHEAP_INDICATORS.filter((n) => n !== indicator)) expect(c.indicators[other]).toBeNull();
        expect(c.firstBlockResidual ?? null).toBeNull();
        expect(c.trueOutput ?? null).toBeNull();
      }
      // No first block and no full run beside the schedule: the stack ran on the two computed steps only.
      expect(log.firstBlock.length).toBe(0);
      expect(log.residuals.length).toBe(2);
      expect(log.headIn.length).toBe(5);
      tiny.dispose();
    });
  }

  test('a policy that reads nothing (interval) costs no first block and no extra stack or head', () => {
    const tiny = tinyTestModel('stdit');
    const { model, log } = recordingModel(tiny);
    const r = sampleRun({ model, caption: 'cat', seed: 1, steps: 5, guidance: 3, policy: createPolicy('interval:k=2') });
    expect(r.schedule.cond).toBe('CRCRC');
    expect(log.firstBlock.length).toBe(0);
    expect(log.residuals.length).toBe(3);
    expect(log.headIn.length).toBe(5);
    tiny.dispose();
  });

  test('the oracle is given the true output change against the previous step\'s true output, not the reused prediction', () => {
    const tiny = tinyTestModel('dit');
    const { model, log } = recordingModel(tiny);
    const seen: StepContext[] = [];
    sampleRun({ model, caption: 'cat', seed: 3, steps: 5, guidance: 1, policy: scriptedPolicy({ cond: 'CRRCR' }, ['trueOutput'], seen) });
    // Each step's head runs first on the full stack (the true output), then on the stack output the step used.
    expect(log.headOut.length).toBe(10);
    const trueOut = (i: number) => log.headOut[2 * i];
    expect(seen[0].trueOutput).toBeNull();
    for (let i = 1; i < 5; i++) expect(seen[i].trueOutput).toBeCloseTo(relL1(trueOut(i), trueOut(i - 1)), 5);
    // At step 2 the previous prediction used was a reuse: comparing with it would give another value.
    expect(Math.abs(relL1(trueOut(2), log.headOut[3]) - relL1(trueOut(2), trueOut(1)))).toBeGreaterThan(1e-4);
    expect(seen.every((c) => CHEAP_INDICATORS.every((n) => c.indicators[n] === null))).toBe(true);
    tiny.dispose();
  });
});

describe('a recorded step', () => {
  test('holds each signal\'s change against the previous step and its mean magnitude, as computed here from what the model saw', () => {
    const tiny = tinyTestModel('osp');
    const { model, log } = recordingModel(tiny);
    const schedule = 'CRRCR';
    const r = sampleRun({ model, caption: 'cat', seed: 4, steps: 5, guidance: 1, record: true, policy: scriptedPolicy({ cond: schedule }, []) });
    const meanAbs = (a: Float32Array) => a.reduce((sum, v) => sum + Math.abs(v), 0) / a.length;
    // The residual in effect at a step: that of the last computed step.
    const residualAt: Float32Array[] = [];
    let call = -1;
    for (let i = 0; i < 5; i++) residualAt.push(log.residuals[schedule[i] === 'C' ? ++call : call]);
    const series = { ...log.indicators, residual: residualAt, output: log.headOut };
    expect(r.rows.map((x) => x.computed).join('')).toBe('10010');
    r.rows.forEach((x, i) => {
      for (const [signal, values] of Object.entries(series) as [keyof typeof series, Float32Array[]][]) {
        expect(x.meanAbs[signal]).toBeCloseTo(meanAbs(values[i]), 5);
        if (i === 0) expect(x.relL1[signal]).toBeNull();
        else expect(x.relL1[signal]).toBeCloseTo(relL1(values[i], values[i - 1]), 5);
      }
    });
    // A reused step after a reuse keeps the residual: its change is exactly 0.
    expect(r.rows[2].relL1.residual).toBe(0);
    tiny.dispose();
  });
});
