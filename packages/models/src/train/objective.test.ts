import { lossWeights, noiseBatch, type NoisedBatch } from './objective.js';
import { SeededRandom } from '../random.js';
import { ddpmAlphasCumprod } from '../schedules.js';

const batch = (snr: number[] | null): NoisedBatch => ({
  xt: new Float32Array(0), target: new Float32Array(0), t: new Float32Array(snr?.length ?? 2), snr: snr ? Float32Array.from(snr) : null,
});

test('min-SNR-5 weights are min(SNR, 5)/SNR: 1 for noisy samples, 5/SNR for clean ones', () => {
  const w = lossWeights(batch([0.01, 5, 20, 1000]), 'min-snr-5');
  expect(Array.from(w).map((x) => Number(x.toFixed(6)))).toEqual([1, 1, 0.25, 0.005]);
});

test('uniform weights are all 1, and min-SNR needs the DDPM objective', () => {
  expect(Array.from(lossWeights(batch([0.5, 50]), 'uniform'))).toEqual([1, 1]);
  expect(() => lossWeights(batch(null), 'min-snr-5')).toThrow(/needs the DDPM objective/);
});

test('a v-prediction model is noised on the DDPM schedule with target √ᾱ·ε − √(1−ᾱ)·x0, and min-SNR-5 weighs it by min(SNR, 5)/(SNR + 1)', () => {
  const model = { config: { prediction: 'v' } } as unknown as Parameters<typeof noiseBatch>[0];
  const x0 = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 0.9);
  const nb = noiseBatch(model, x0, 3, new SeededRandom(11));
  const ab = ddpmAlphasCumprod();
  for (let b = 0; b < 3; b++) {
    const a = Math.sqrt(ab[nb.t[b]]);
    const s = Math.sqrt(1 - ab[nb.t[b]]);
    expect(nb.snr![b]).toBeCloseTo(ab[nb.t[b]] / (1 - ab[nb.t[b]]), 4);
    for (let i = b * 8; i < (b + 1) * 8; i++) {
      const eps = (nb.xt[i] - a * x0[i]) / s;
      expect(nb.target[i]).toBeCloseTo(a * eps - s * x0[i], 4);
    }
  }
  const w = lossWeights({ ...batch([0.01, 5, 20, 1000]), prediction: 'v' }, 'min-snr-5');
  expect(Array.from(w).map((x) => Number(x.toFixed(6)))).toEqual([0.009901, 0.833333, 0.238095, 0.004995]);
});
