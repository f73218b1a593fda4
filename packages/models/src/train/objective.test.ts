import { lossWeights, noiseBatch, type NoisedBatch } from './objective.js';
import { SeededRandom } from '../random.js';
import { alphasCumprodOf, ddpmAlphasCumprod } from '../schedules.js';
import { validateConfig } from '../config.js';

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

test('the beta schedules match numpy: linear ends at ᾱ ≈ 4.04e-5, scaled-linear (√β linear from √0.00085 to √0.012) at 4.66e-3', () => {
  // Reference values: numpy, np.cumprod(1 - np.linspace(1e-4, 0.02, 1000)) and
  // np.cumprod(1 - np.linspace(0.00085**0.5, 0.012**0.5, 1000)**2), at indices 0, 499 and 999.
  const linear = ddpmAlphasCumprod('linear');
  const scaled = ddpmAlphasCumprod('scaled-linear');
  expect(linear[0]).toBeCloseTo(0.9999, 8);
  expect(linear[499] / 0.07858724288177824).toBeCloseTo(1, 8);
  expect(linear[999] / 4.035829765375676e-5).toBeCloseTo(1, 6);
  expect(scaled[0]).toBeCloseTo(0.99915, 8);
  expect(scaled[499] / 0.27766965045646763).toBeCloseTo(1, 8);
  expect(scaled[999] / 0.004660098513077238).toBeCloseTo(1, 6);
});

test('an ε model with the scaled-linear schedule is noised with its ᾱ, not the linear one', () => {
  const model = { config: { prediction: 'epsilon', betaSchedule: 'scaled-linear' } } as unknown as Parameters<typeof noiseBatch>[0];
  const nb = noiseBatch(model, new Float32Array(16).fill(0.5), 2, new SeededRandom(3));
  const ab = ddpmAlphasCumprod('scaled-linear');
  for (let b = 0; b < 2; b++) expect(nb.snr![b]).toBeCloseTo(ab[nb.t[b]] / (1 - ab[nb.t[b]]), 3);
  const linear = ddpmAlphasCumprod('linear');
  expect(nb.snr![0]).not.toBeCloseTo(linear[nb.t[0]] / (1 - linear[nb.t[0]]), 3);
});

test('config.json: betaSchedule must be a known schedule, and a rectified-flow model has none', () => {
  const base = {
    family: 'latte', hiddenSize: 8, depth: 2, heads: 2, mlpRatio: 2, patchSize: 4, frames: 2, height: 8, width: 8, channels: 3,
    textWidth: 4, textLayers: 1, textHeads: 1, textLength: 2, vocabulary: ['<pad>', '<unk>'], prediction: 'epsilon', timestepFrequencies: 8,
  };
  expect(validateConfig({ ...base, betaSchedule: 'scaled-linear' }, 'm/config.json').betaSchedule).toBe('scaled-linear');
  expect(validateConfig(base, 'm/config.json').betaSchedule).toBeUndefined();
  expect(() => validateConfig({ ...base, betaSchedule: 'cosine' }, 'm/config.json')).toThrow(/m\/config\.json.*betaSchedule.*"linear" or "scaled-linear"/s);
  expect(() => validateConfig({ ...base, family: 'stdit', prediction: 'velocity', betaSchedule: 'linear' }, 'm/config.json'))
    .toThrow(/m\/config\.json.*betaSchedule.*no beta schedule/s);
});

test('config.json: zeroTerminalSnr is a boolean, and true only for v-prediction', () => {
  const base = {
    family: 'osp', hiddenSize: 8, depth: 2, heads: 2, mlpRatio: 2, patchSize: 4, frames: 2, height: 8, width: 8, channels: 3,
    textWidth: 4, textLayers: 1, textHeads: 1, textLength: 2, vocabulary: ['<pad>', '<unk>'], prediction: 'v', timestepFrequencies: 8,
  };
  expect(validateConfig({ ...base, zeroTerminalSnr: true }, 'm/config.json').zeroTerminalSnr).toBe(true);
  expect(() => validateConfig({ ...base, zeroTerminalSnr: 'yes' }, 'm/config.json')).toThrow(/m\/config\.json.*zeroTerminalSnr.*true or false/s);
  expect(() => validateConfig({ ...base, prediction: 'epsilon', zeroTerminalSnr: true }, 'm/config.json'))
    .toThrow(/m\/config\.json.*zeroTerminalSnr.*unless prediction is "v"/s);
  expect(validateConfig({ ...base, prediction: 'epsilon', zeroTerminalSnr: false }, 'm/config.json').zeroTerminalSnr).toBe(false);
});

test('zero terminal SNR matches an independent numpy rescale: ᾱ_0 kept, ᾱ_999 = 0, and the values between', () => {
  // numpy: s = np.sqrt(np.cumprod(1 - np.linspace(1e-4, 0.02, 1000))); s = (s - s[-1]) * s[0] / (s[0] - s[-1]); s**2
  const ab = alphasCumprodOf({ beta: 'linear', zeroTerminalSnr: true });
  expect(ab[0]).toBeCloseTo(0.9999, 10);
  expect(ab[999]).toBe(0);
  expect(ab[499] / REF_ZSNR_499).toBeCloseTo(1, 8);
  expect(ab[899] / REF_ZSNR_899).toBeCloseTo(1, 6);
  expect(ab[998] / REF_ZSNR_998).toBeCloseTo(1, 4);
});

test('logit-normal timesteps stay in 0..999 and put most of the batch on the middle steps; uniform does not', () => {
  const model = { config: { prediction: 'epsilon' } } as unknown as Parameters<typeof noiseBatch>[0];
  const n = 4000;
  const middle = (sampling: 'uniform' | 'logit-normal') => {
    const nb = noiseBatch(model, new Float32Array(n), n, new SeededRandom(5), sampling);
    expect(nb.t.every((t) => Number.isInteger(t) && t >= 0 && t <= 999)).toBe(true);
    return nb.t.filter((t) => t >= 250 && t < 750).length / n;
  };
  // P(|n| < ln 3) = 0.7266 for a standard normal n: σ(n) in [0.25, 0.75) exactly when |n| < ln 3.
  expect(middle('logit-normal')).toBeCloseTo(0.7266, 1);
  expect(middle('uniform')).toBeCloseTo(0.5, 1);
});

// numpy reference values for the zero-terminal-SNR test above (printed by the expression in its comment).
const REF_ZSNR_499 = 0.07602875054711475;
const REF_ZSNR_899 = 0.00010613044060415658;
const REF_ZSNR_998 = 4.213262465088072e-09;
