import { validatePolicySpec, workerSpec } from '@teacache/cache';
import { checkRunJob, describeRun, jobIdOf, queueNameOf, runKeyOf, runsOf, type RunJob } from './jobs.js';

const hash = 'ab'.repeat(32);
const group = {
  model: 'stdit-tiny', prompt: 'a cat', seed: 1, steps: 30, guidance: 4, weightsHash: hash,
  specs: [validatePolicySpec({ policy: 'teacache', threshold: 0.1 }), validatePolicySpec({ policy: 'interval', interval: 2 })].map(workerSpec),
};

test('a group becomes one job per policy setting, each the same group with that one setting', () => {
  const runs = runsOf([group, { ...group, seed: 2 }]);
  expect(runs.map((r) => [r.seed, r.specs[0].policy])).toEqual([[1, 'teacache'], [1, 'interval'], [2, 'teacache'], [2, 'interval']]);
  expect(runs[0]).toEqual({ ...group, specs: [group.specs[0]] });
});

test('job ids are the same for the same run and differ with any part of its key or its guidance', () => {
  const [a] = runsOf([group]);
  expect(jobIdOf(a)).toBe(jobIdOf(runsOf([{ ...group }])[0]));
  expect(jobIdOf(a)).toMatch(/^run-[0-9a-f]{40}$/);
  const variants: RunJob[] = [
    { ...a, seed: 2 }, { ...a, prompt: 'a dog' }, { ...a, steps: 20 }, { ...a, guidance: 5 }, { ...a, model: 'dit-tiny' },
    { ...a, specs: [workerSpec(validatePolicySpec({ policy: 'teacache', threshold: 0.2 }))] },
  ];
  const ids = new Set([a, ...variants].map(jobIdOf));
  expect(ids.size).toBe(variants.length + 1);
  expect(runKeyOf(a)).toContain('"a cat"');
});

test('the queue is named by model and weights hash, in characters BullMQ accepts', () => {
  expect(queueNameOf('stdit-tiny', hash)).toBe(`sweep.stdit-tiny.${hash.slice(0, 16)}`);
  expect(queueNameOf('my model:v2', hash)).toBe(`sweep.my_model_v2.${hash.slice(0, 16)}`);
  expect(() => queueNameOf('m', 'abc')).toThrow(/field "weightsHash": expected a SHA-256 in hex/);
});

test('a run is described by policy, setting, prompt and seed', () => {
  const [a, b] = runsOf([group]);
  expect(describeRun(a)).toBe('teacache 0.1 (indicator=modulated retentionSteps=1 cutoffSteps=1), prompt "a cat", seed 1');
  expect(describeRun(b)).toBe('interval 2, prompt "a cat", seed 1');
});

test('job data a worker cannot run is refused naming the job and the field', () => {
  const [a] = runsOf([group]);
  expect(checkRunJob(a, 'j1')).toBe(a);
  expect(() => checkRunJob(null, 'j1')).toThrow(/job j1: expected a sweep run object/);
  expect(() => checkRunJob({ ...a, seed: '1' }, 'j1')).toThrow(/job j1, field "seed": expected a number/);
  expect(() => checkRunJob({ ...a, specs: group.specs }, 'j1')).toThrow(/job j1, field "specs": expected one policy setting/);
  expect(() => checkRunJob({ ...a, weightsHash: undefined }, 'j1')).toThrow(/field "weightsHash": expected a string/);
});

test('a job whose seed is past 2^32 - 1 is refused rather than run as seed 0', () => {
  const [a] = runsOf([group]);
  expect(() => checkRunJob({ ...a, seed: 2 ** 32 }, 'j1')).toThrow(/job j1, field "seed": expected a whole number from 0 to 4294967295 .*, found 4294967296/);
  expect(() => checkRunJob({ ...a, seed: 1.5 }, 'j1')).toThrow(/field "seed": expected a whole number from 0 to 4294967295/);
  expect(checkRunJob({ ...a, seed: 2 ** 32 - 1 }, 'j1').seed).toBe(2 ** 32 - 1);
});
