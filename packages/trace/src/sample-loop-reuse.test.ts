import * as tf from '@tensorflow/tfjs';
import { relL1 } from '@teacache/core';
import { createPolicy, type CachePolicy, type PolicyNeed } from '@teacache/cache';
import { selectBackend, type SamplingModel } from '@teacache/models';
import { sampleRun } from './sample-loop.js';
import { tinyTestModel } from './test-model.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

interface Log {
  /** Stack input (tokens) of every step, all branches. */
  tokens: Float32Array[];
  /** What the head received (the stack output, computed or reused) at every step. */
  headIn: Float32Array[];
  /** Stack output minus stack input of every step that ran the stack, in order. */
  residuals: Float32Array[];
  /** First block output minus its input at every step (first-block runs only). */
  firstBlock: Float32Array[];
}

const minus = (a: Float32Array, b: Float32Array): Float32Array => a.map((v, k) => v - b[k]);

/** A model that does what `model` does and records, as plain arrays, what the loop fed it and got back. */
function recording(model: SamplingModel): { model: SamplingModel; log: Log } {
  const log: Log = { tokens: [], headIn: [], residuals: [], firstBlock: [] };
  const read = (t: tf.Tensor) => (t.dataSync() as Float32Array).slice();
  const wrapped: SamplingModel = {
    config: model.config,
    encodeCaptions: (c) => model.encodeCaptions(c),
    captionBias: (c) => model.captionBias(c),
    embed: (x, t, text, bias) => {
      const e = model.embed(x, t, text, bias);
      log.tokens.push(read(e.tokens));
      return e;
    },
    blocks: (h, e, from = 0, to = model.config.depth) => {
      const out = model.blocks(h, e, from, to);
      if (from === 0 && to === 1) log.firstBlock.push(minus(read(out), read(h)));
      // The rest of the stack after the first block: the step's residual is against the stack input.
      if (from === 1 && to === model.config.depth) log.residuals.push(minus(read(out), read(e.tokens)));
      return out;
    },
    stack: (e) => {
      const out = model.stack(e);
      log.residuals.push(minus(read(out), read(e.tokens)));
      return out;
    },
    head: (h, e) => {
      log.headIn.push(read(h));
      return model.head(h, e);
    },
    dispose: () => model.dispose(),
  };
  return { model: wrapped, log };
}

/** A policy that follows a fixed schedule ('C' computes, 'R' reuses), asking the loop for `needs`. */
function scripted(schedule: string, needs: PolicyNeed[], seen: (number | null | undefined)[] = []): CachePolicy {
  const base = createPolicy({ policy: 'none' });
  return {
    ...base, needs,
    decide: (_s, ctx) => {
      seen[ctx.step] = ctx.firstBlockResidual;
      return schedule[ctx.step] === 'C' ? { compute: true, reason: 'over-threshold' } : { compute: false, reason: 'under-threshold' };
    },
  };
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let k = 0; k < actual.length; k++) worst = Math.max(worst, Math.abs(actual[k] - expected[k]) / Math.max(1, Math.abs(expected[k])));
  expect(worst).toBeLessThan(1e-5);
}

describe('a reused step', () => {
  for (const guidance of [1, 3]) {
    test(`feeds the head its own stack input plus the last computed step's residual (guidance ${guidance})`, () => {
      const tiny = tinyTestModel('latte');
      const { model, log } = recording(tiny);
      const schedule = 'CRRCRC';
      const r = sampleRun({ model, caption: 'cat', seed: 4, steps: schedule.length, guidance, policy: scripted(schedule, []) });
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
    const seen: (number | null | undefined)[] = [];
    sampleRun({ model, caption: 'cat', seed: 2, steps: schedule.length, guidance: 1, policy: scripted(schedule, ['firstBlock'], seen) });
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
