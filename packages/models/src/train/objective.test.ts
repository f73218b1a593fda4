import { lossWeights, type NoisedBatch } from './objective.js';

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
