import { join } from 'node:path';
import { buildSpecs, cutoffFor, defaultRetention, parseCutoff, parseRetention, parseSettings } from './sweep-specs.js';

const COEFFICIENTS = join(import.meta.dirname, '..', '..', '..', '..', 'datasets', 'coefficients', 'stdit-tiny.json');

test('the default retention variants are the first step, 10% and 20% of the steps', () => {
  expect(defaultRetention(50)).toEqual([1, 5, 10]);
  expect(defaultRetention(30)).toEqual([1, 3, 6]);
  expect(defaultRetention(4)).toEqual([1]);
});

test('retention lists are whole step counts of at least 1', () => {
  expect(parseRetention('1, 5,10')).toEqual([1, 5, 10]);
  expect(() => parseRetention('1,0')).toThrow(/field "retention".*whole numbers.*found "0"/);
  expect(() => parseRetention('2.5')).toThrow(/found "2.5"/);
});

test('teacache and the oracle get one variant per retention value; the other policies none', () => {
  const specs = buildSpecs({
    policies: ['teacache', 'oracle', 'interval'], thresholds: ['0.1,0.2'], intervals: '2', indicator: 'modulated', retention: [1, 5], coefficients: COEFFICIENTS,
  });
  const of = (policy: string) => specs.filter((s) => s.policy === policy) as unknown as { retentionSteps?: number; cutoffSteps?: number; threshold?: number }[];
  expect(specs.filter((s) => s.policy === 'none')).toHaveLength(1);
  // retention 1 keeps the last step forced (the published default); more does not (Wan2.1's use_ret_steps)
  expect(of('teacache').map((s) => [s.retentionSteps, s.cutoffSteps, s.threshold])).toEqual([[1, 1, 0.1], [1, 1, 0.2], [5, 0, 0.1], [5, 0, 0.2]]);
  expect(of('oracle').map((s) => [s.retentionSteps, s.cutoffSteps, s.threshold])).toEqual([[1, 1, 0.1], [1, 1, 0.2], [5, 0, 0.1], [5, 0, 0.2]]);
  expect(of('interval')).toHaveLength(1);
});

test('without retention values, teacache keeps the single forced first step', () => {
  const specs = buildSpecs({ policies: ['teacache'], thresholds: ['0.1'], indicator: 'modulated', coefficients: COEFFICIENTS });
  expect((specs[1] as unknown as { retentionSteps: number }).retentionSteps).toBe(1);
});

test('settings name one policy or all of them, and refuse negative numbers', () => {
  expect(parseSettings(['teacache=0.1,0.2', '0.3'])).toEqual({ all: [0.3], byPolicy: { teacache: [0.1, 0.2] } });
  expect(() => parseSettings(['-1'])).toThrow(/thresholds/);
});

test('the published cut-off goes with each retention unless --cutoff sets one for every variant', () => {
  // ali-vilab/TeaCache 7c10efc, TeaCache4Wan2.1/teacache_generate.py: use_ret_steps computes the first 5 steps and not the last
  expect([1, 5, 10].map(cutoffFor)).toEqual([1, 0, 0]);
  const specs = buildSpecs({ policies: ['teacache'], thresholds: ['0.1'], indicator: 'modulated', retention: [1, 5], cutoff: 2, coefficients: COEFFICIENTS });
  expect(specs.slice(1).map((s) => (s as unknown as { cutoffSteps: number }).cutoffSteps)).toEqual([2, 2]);
  expect(parseCutoff('0')).toBe(0);
  expect(() => parseCutoff('-1')).toThrow(/field "cutoff".*whole number of steps >= 0/);
  expect(() => parseCutoff('x')).toThrow(/field "cutoff"/);
});

test('teacache without a coefficients file is refused, naming the option, instead of sweeping an identity polynomial', () => {
  expect(() => buildSpecs({ policies: ['interval', 'teacache'], thresholds: ['0.1'], indicator: 'modulated' }))
    .toThrow(/argument --coefficients: expected a coefficients file for the teacache policy/);
  expect(buildSpecs({ policies: ['interval'], intervals: '2', indicator: 'modulated' }).map((s) => s.policy)).toEqual(['none', 'interval']);
});
