import { relL1 } from '@teacache/core';
import { createPolicy, type StepContext } from '@teacache/cache';
import { selectBackend } from '@teacache/models';
import { sampleRun } from './sample-loop.js';
import { tinyTestModel } from './test-model.js';
import { expectClose, recordingModel as recording, scriptedPolicy } from './test-support/recording-model.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('a reused step', () => {
  for (const guidance of [1, 3]) {
    test(`feeds the head its own stack input plus the last computed step's residual (guidance ${guidance})`, () => {
      const tiny = tinyTestModel('latte');
      const { model, log } = recording(tiny);
      const schedule = 'CRRCRC';
      const r = sampleRun({ model, caption: 'cat', seed: 4, steps: schedule.length, guidance, policy: scriptedPolicy({ cond: schedule }, []) });
      expect(r.schedule.cond).toBe(schedule);
      expect(log.residuals.length).toBe(3);
      let computed = -1;
      for (let i = 0; i < schedule.length; i++) {
        if (schedule[i] === 'C') {
          computed++;
          expectClose(log.headIn[i], log.tokens[i].map((v, k) => v + log.residuals[computed][k]));
          continue;
        }
        const residual = log.residuals[computed];
        // The check means something only if the residual is not zero and the input has moved since that step.
        expect(residual.some((v) => Math.abs(v) > 1e-3)).toBe(true);
        expect(relL1(log.tokens[i], log.tokens[i - 1])).toBeGreaterThan(1e-4);
        expectClose(log.headIn[i], log.tokens[i].map((v, k) => v + residual[k]));
      }
      tiny.dispose();
    });
  }
});

describe('first-block cache', () => {
  test('is given the first block residual change against the last computed step, not the previous step', () => {
    const tiny = tinyTestModel('stdit');
    const { model, log } = recording(tiny);
    const schedule = 'CRRCRR';
    const contexts: StepContext[] = [];
    sampleRun({ model, caption: 'cat', seed: 2, steps: schedule.length, guidance: 1, policy: scriptedPolicy({ cond: schedule }, ['firstBlock'], contexts) });
    const seen = contexts.map((c) => c.firstBlockResidual);
    expect(log.firstBlock.length).toBe(schedule.length);
    expect(seen[0]).toBeNull();
    let last = 0;
    for (let i = 1; i < schedule.length; i++) {
      const expected = relL1(log.firstBlock[i], log.firstBlock[last]);
      expect(seen[i]).toBeCloseTo(expected, 5);
      // Steps 2 and 5 follow a reuse: there the previous step's residual would give another value.
      if (schedule[i - 1] === 'R') expect(Math.abs(relL1(log.firstBlock[i], log.firstBlock[i - 1]) - expected)).toBeGreaterThan(1e-4);
      if (schedule[i] === 'C') last = i;
    }
    tiny.dispose();
  });

  test('the real policy with a threshold no change reaches reuses every step after the first, measured from step 0', () => {
    const tiny = tinyTestModel('dit');
    const { model, log } = recording(tiny);
    const r = sampleRun({ model, caption: 'cat', seed: 5, steps: 5, guidance: 1, policy: createPolicy({ policy: 'first-block', threshold: 1e9 }) });
    expect(r.schedule.cond).toBe('CRRRR');
    // Every reused step adds step 0's residual (the only computed step) to its own input.
    for (let i = 1; i < 5; i++) expectClose(log.headIn[i], log.tokens[i].map((v, k) => v + log.residuals[0][k]));
    tiny.dispose();
  });
});
