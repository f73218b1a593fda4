import { readFileSync } from 'node:fs';
import { eulerRfSampler, samplerFor, shiftTime } from './samplers.js';

// Made by packages/models/scripts/opensora_fixtures.py with Open-Sora v1.2.0's RFLOW.sample on a stand-in
// velocity field v(z, t) = sin(1.3·z) − z·t/1000 (both guidance branches equal, so guidance changes nothing).
const fixture = JSON.parse(readFileSync(new URL('../../models/src/convert/fixtures/opensora-1.2/sampler.json', import.meta.url), 'utf8')) as {
  steps: number; video: { height: number; width: number; num_frames: number }; z0: number[]; timesteps: number[]; z: number[];
};

/** Open-Sora 1.2's ratio for a video: √(height·width / 512²) · √(⌊frames/17⌋·5). */
function ratio(v: { height: number; width: number; num_frames: number }): number {
  return Math.sqrt((v.height * v.width) / (512 * 512)) * Math.sqrt(Math.floor(v.num_frames / 17) * 5);
}

describe("Open-Sora 1.2's rectified-flow sampler", () => {
  it('visits the timesteps the reference sampler visits', () => {
    const s = eulerRfSampler(fixture.steps, { timeShift: ratio(fixture.video), velocityTarget: 'data-minus-noise' });
    expect(s.timesteps).toHaveLength(fixture.timesteps.length);
    s.timesteps.forEach((t, i) => expect(Math.abs(t - fixture.timesteps[i])).toBeLessThan(1e-3));
  });

  it('ends where the reference sampler ends on the same velocity field', () => {
    const s = eulerRfSampler(fixture.steps, { timeShift: ratio(fixture.video), velocityTarget: 'data-minus-noise' });
    const x = Float32Array.from(fixture.z0);
    s.timesteps.forEach((t, i) => {
      const v = x.map((z) => Math.sin(1.3 * z) - (z * t) / 1000);
      s.update(x, v, i);
    });
    x.forEach((z, k) => expect(Math.abs(z - fixture.z[k])).toBeLessThan(1e-4));
    // The velocity sign matters: the built-in convention walks the other way.
    const wrong = eulerRfSampler(fixture.steps, { timeShift: ratio(fixture.video) });
    const y = Float32Array.from(fixture.z0);
    wrong.timesteps.forEach((t, i) => wrong.update(y, y.map((z) => Math.sin(1.3 * z) - (z * t) / 1000), i));
    expect(Math.max(...y.map((z, k) => Math.abs(z - fixture.z[k])))).toBeGreaterThan(0.1);
  });

  it('transforms times by r·t / (1 + (r − 1)·t), keeping both ends', () => {
    expect(shiftTime(0.5, 2)).toBeCloseTo(2 / 3, 12);
    expect(shiftTime(1, 3.7)).toBe(1);
    expect(shiftTime(0, 3.7)).toBe(0);
  });

  it('is what samplerFor gives a config with timeShift and velocityTarget', () => {
    const s = samplerFor('velocity', 4, undefined, undefined, { timeShift: 2, velocityTarget: 'data-minus-noise' });
    expect(s.timesteps.map((t) => +t.toFixed(6))).toEqual([1000, +(shiftTime(0.75, 2) * 1000).toFixed(6), 666.666667, +(shiftTime(0.25, 2) * 1000).toFixed(6)]);
  });
});
