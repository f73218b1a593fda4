import { readFileSync } from 'node:fs';
import { eulerAncestralSampler, samplerFor } from './samplers.js';

// Made by packages/models/scripts/opensora_fixtures.py: diffusers 0.30.2's EulerAncestralDiscreteScheduler as
// Open-Sora-Plan v1.3 builds it, driven like its pipeline on a stand-in network v(x, t) = sin(1.3·x) − x·t/1000,
// with the step noise it drew recorded.
const fixture = JSON.parse(readFileSync(new URL('../../models/src/convert/fixtures/opensora-plan-1.3/sampler.json', import.meta.url), 'utf8')) as {
  steps: number; z0: number[]; timesteps: number[]; inputs: number[][]; noise: number[][]; latents: number[];
};
const ZSNR = { beta: 'linear', zeroTerminalSnr: true } as const;

function run(noise: number[][]): { x: Float32Array; inputs: Float32Array[]; timesteps: number[] } {
  const s = eulerAncestralSampler(fixture.steps, 'v', ZSNR, (i) => Float32Array.from(noise[i]));
  const x = Float32Array.from(fixture.z0, (z) => z * (s.initialScale ?? 1));
  const inputs: Float32Array[] = [];
  s.timesteps.forEach((t, i) => {
    inputs.push(Float32Array.from(x));
    s.update(x, x.map((v) => Math.sin(1.3 * v) - (v * t) / 1000), i);
  });
  return { x, inputs, timesteps: s.timesteps };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, k) => Math.abs(v - b[k])));

describe("Open-Sora-Plan v1.3's Euler-ancestral sampler (trailing, v-prediction, zero terminal SNR)", () => {
  it('visits the trailing timesteps the reference visits', () => {
    expect(run(fixture.noise).timesteps).toEqual(fixture.timesteps);
  });

  it('feeds the network the inputs the reference feeds it at every step', () => {
    const { inputs } = run(fixture.noise);
    inputs.forEach((inp, i) => expect(maxDiff(inp, fixture.inputs[i])).toBeLessThan(1e-4));
  });

  it('ends at the reference result given the same step noise, and elsewhere given other noise', () => {
    expect(maxDiff(run(fixture.noise).x, fixture.latents)).toBeLessThan(1e-4);
    const other = fixture.noise.map((n) => n.map((v) => -v));
    expect(maxDiff(run(other).x, fixture.latents)).toBeGreaterThan(1e-2);
  });

  it('is what samplerFor gives a config naming it, seeded so two runs agree', () => {
    const a = samplerFor('v', 5, undefined, ZSNR, { sampler: 'euler-ancestral', seed: 7 });
    const b = samplerFor('v', 5, undefined, ZSNR, { sampler: 'euler-ancestral', seed: 7 });
    expect(a.name).toBe('euler-ancestral');
    expect(a.timesteps).toEqual([999, 799, 599, 399, 199]);
    const xa = new Float32Array([0.5, -1]);
    const xb = new Float32Array([0.5, -1]);
    a.update(xa, new Float32Array([0.1, 0.2]), 0);
    b.update(xb, new Float32Array([0.1, 0.2]), 0);
    expect(Array.from(xa)).toEqual(Array.from(xb));
    expect(() => samplerFor('velocity', 5, 'euler-ancestral')).toThrow(/needs an epsilon- or v-prediction model/);
  });
});
