import { alphasCumprodOf, type DdpmSchedule } from '@teacache/models';
import { ddimSampler, samplerFor } from './samplers.js';


/** A deterministic "noise" vector and a clean sample to denoise towards. */
function vectors(n: number): { x0: Float32Array; noise: Float32Array } {
  const x0 = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 0.8);
  const noise = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 2.3 + 0.4) * 1.3);
  return { x0, noise };
}

/** Run DDIM with an oracle that knows x0: at every step it returns the exact ε (or v) of the current x. */
function oracleRun(prediction: 'epsilon' | 'v', steps: number, schedule: DdpmSchedule = { beta: 'linear', zeroTerminalSnr: false }): Float32Array[] {
  const sampler = ddimSampler(steps, prediction, schedule);
  const alphasCumprod = alphasCumprodOf(schedule);
  const { x0, noise } = vectors(12);
  const x = Float32Array.from(noise);
  const path: Float32Array[] = [];
  sampler.timesteps.forEach((t, i) => {
    const a = Math.sqrt(alphasCumprod[t]);
    const s = Math.sqrt(1 - alphasCumprod[t]);
    const out = new Float32Array(x.length);
    for (let k = 0; k < x.length; k++) {
      const eps = (x[k] - a * x0[k]) / s;
      out[k] = prediction === 'v' ? a * eps - s * x0[k] : eps;
    }
    sampler.update(x, out, i);
    path.push(Float32Array.from(x));
  });
  return path;
}

test('DDIM given the exact ε or the exact v of a known clean sample ends on that sample, along the same path', () => {
  const eps = oracleRun('epsilon', 20);
  const v = oracleRun('v', 20);
  const { x0 } = vectors(12);
  for (let k = 0; k < x0.length; k++) {
    expect(eps[eps.length - 1][k]).toBeCloseTo(x0[k], 4);
    expect(v[v.length - 1][k]).toBeCloseTo(x0[k], 4);
  }
  eps.forEach((step, i) => step.forEach((value, k) => expect(v[i][k]).toBeCloseTo(value, 3)));
});

test('on the scaled-linear schedule DDIM with the oracle also ends on the clean sample, along another path than linear', () => {
  const { x0 } = vectors(12);
  const scaled = oracleRun('epsilon', 20, { beta: 'scaled-linear', zeroTerminalSnr: false });
  const linear = oracleRun('epsilon', 20);
  for (let k = 0; k < x0.length; k++) expect(scaled[scaled.length - 1][k]).toBeCloseTo(x0[k], 4);
  // Midway the scaled-linear path keeps more of the clean sample (its ᾱ is larger), so the paths differ.
  const mid = 8;
  const gap = scaled[mid].reduce((acc, value, k) => acc + Math.abs(value - linear[mid][k]), 0);
  expect(gap).toBeGreaterThan(0.5);
  });

test('with zero terminal SNR a v model is sampled on the rescaled ᾱ and still ends on the clean sample', () => {
  const { x0 } = vectors(12);
  const path = oracleRun('v', 25, { beta: 'linear', zeroTerminalSnr: true });
  for (let k = 0; k < x0.length; k++) expect(path[path.length - 1][k]).toBeCloseTo(x0[k], 4);
  // Sampling all 1000 steps visits t = 999, where ᾱ = 0 and x0 = −v: no division by √ᾱ anywhere.
  const full = oracleRun('v', 1000, { beta: 'linear', zeroTerminalSnr: true });
  expect(full[full.length - 1].every((value, k) => Math.abs(value - x0[k]) < 1e-3)).toBe(true);
});

test('the sampler follows the objective: DDIM for ε and v, Euler for rectified flow, and refuses a mismatch', () => {
  expect(samplerFor('epsilon', 10).name).toBe('ddim');
  expect(samplerFor('v', 10).name).toBe('ddim');
  expect(samplerFor('velocity', 10).name).toBe('euler-rf');
  expect(() => samplerFor('velocity', 10, 'ddim')).toThrow(/ddim sampler needs an epsilon- or v-prediction model/);
  expect(() => samplerFor('v', 10, 'euler-rf')).toThrow(/euler-rf sampler needs a velocity/);
});
