import { spawnSync } from 'node:child_process';
import { geometricMean, mean, sampleVariance } from './sample-stats.js';

const samples = [[1, 2, 6], [0.1, 0.2, 0.3, 0.4], [1e-9, 3e-9, -2e-9, 7.5e-9, 0], [-4, 1e6]];

test('mean and sample variance match numpy (mean, var with ddof=1) on several samples', () => {
  const py = spawnSync('/usr/bin/python3', ['-c', 'import json,sys,numpy as np; s=json.load(sys.stdin); '
    + 'print(json.dumps([[float(np.mean(x)), float(np.var(x, ddof=1)), float(np.exp(np.mean(np.log(np.abs(x) + 1))))] for x in s]))'], { input: JSON.stringify(samples), encoding: 'utf8' });
  expect(py.stderr).toBe('');
  const expected = JSON.parse(py.stdout) as [number, number, number][];
  samples.forEach((x, i) => {
    expect(mean(x)).toBeCloseTo(expected[i][0], 14);
    expect(sampleVariance(x) / expected[i][1]).toBeCloseTo(1, 12);
    expect(geometricMean(x.map((v) => Math.abs(v) + 1)) / expected[i][2]).toBeCloseTo(1, 12);
  });
});

test('by hand: [1, 2, 6] has mean 3 and sample variance ((-2)² + (-1)² + 3²) / 2 = 7', () => {
  expect(mean([1, 2, 6])).toBe(3);
  expect(sampleVariance([1, 2, 6])).toBe(7);
  expect(mean(new Float32Array([0.5, 1.5]))).toBe(1);
});

test('refuses an empty sample, a NaN, and a variance of one value; an infinity gives an infinite mean', () => {
  expect(() => mean([])).toThrow(/mean: needs at least 1 value/);
  expect(() => mean([1, NaN])).toThrow(/value 1 is NaN/);
  expect(() => sampleVariance([3])).toThrow(/sampleVariance: needs at least 2/);
  expect(mean([1, Infinity])).toBe(Infinity);
  expect(() => geometricMean([2, 0])).toThrow(/value 1 is 0, not > 0/);
  expect(geometricMean([2, 8])).toBeCloseTo(4, 14);
});
