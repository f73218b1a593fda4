import { join } from 'node:path';
import { buildSpecs as buildGrid, cutoffFor, defaultRetention, gridSpecs, parseCutoff, parseRetention, parseSettings, type SpecOptions } from './spec-grid.js';

const buildSpecs = (o: SpecOptions) => gridSpecs(buildGrid(o));

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

test('the grid is one variant per policy and retention, each with its thresholds as typed specs, in sweep order', () => {
  const grid = buildGrid({
    policies: ['interval', 'teacache', 'first-block'], thresholds: ['0.1,0.2', 'first-block=0.05'], intervals: '2,3', indicator: 'modulated',
    retention: [1, 5], coefficients: COEFFICIENTS,
  });
  expect(grid.map((v) => [v.kind, v.specs[0].policy, v.specs.length])).toEqual([
    ['reference', 'none', 1], ['interval', 'interval', 2], ['threshold', 'teacache', 2], ['threshold', 'teacache', 2], ['threshold', 'first-block', 1],
  ]);
  const [, , tea1, tea5, fb] = grid;
  expect(tea1.specs.map((s) => s.policy === 'teacache' && [s.threshold, s.retentionSteps, s.cutoffSteps])).toEqual([[0.1, 1, 1], [0.2, 1, 1]]);
  expect(tea5.specs.map((s) => s.policy === 'teacache' && [s.threshold, s.retentionSteps, s.cutoffSteps])).toEqual([[0.1, 5, 0], [0.2, 5, 0]]);
  expect(fb.specs.map((s) => s.policy === 'first-block' && s.threshold)).toEqual([0.05]);
  // The coefficients are read once and shared by every threshold of the variant.
  expect(tea1.specs[0].policy === 'teacache' && tea1.specs[1].policy === 'teacache' && tea1.specs[0].coefficients === tea1.specs[1].coefficients).toBe(true);
  expect(gridSpecs(grid).map((s) => s.policy)).toEqual(['none', 'interval', 'interval', 'teacache', 'teacache', 'teacache', 'teacache', 'first-block']);
});

test('a bad interval or an unknown policy is refused naming the option', () => {
  expect(() => buildGrid({ policies: ['interval'], intervals: '2,x', indicator: 'modulated' })).toThrow(/--policies interval, field "interval"/);
  expect(() => buildGrid({ policies: ['teacash'], indicator: 'modulated' })).toThrow(/field "policies".*found "teacash"/);
});
