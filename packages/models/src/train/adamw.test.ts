import { AdamW } from './adamw.js';

const base = { learningRate: 1e-3, warmupSteps: 10, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };

test('the learning rate warms up linearly, then holds when the schedule is constant', () => {
  const opt = new AdamW(new Map(), base);
  expect(opt.rate(0)).toBeCloseTo(1e-4, 12);
  expect(opt.rate(4)).toBeCloseTo(5e-4, 12);
  expect(opt.rate(9)).toBeCloseTo(1e-3, 12);
  expect(opt.rate(5000)).toBeCloseTo(1e-3, 12);
});

test('a cosine schedule falls from the peak after warm-up to the floor at the last step', () => {
  const opt = new AdamW(new Map(), { ...base, schedule: 'cosine', totalSteps: 110, minRatio: 0.1 });
  expect(opt.rate(9)).toBeCloseTo(1e-3, 12);
  // Half way through the decay (step 60 of 10..110): floor + (peak - floor) * (1 + cos(pi/2)) / 2.
  expect(opt.rate(59)).toBeCloseTo(1e-4 + 9e-4 * 0.5, 12);
  expect(opt.rate(109)).toBeCloseTo(1e-4, 12);
  expect(opt.rate(200)).toBeCloseTo(1e-4, 12);
  for (let s = 10; s < 109; s++) expect(opt.rate(s + 1)).toBeLessThanOrEqual(opt.rate(s));
});

test('a cosine schedule without the run length is refused', () => {
  const opt = new AdamW(new Map(), { ...base, schedule: 'cosine' });
  expect(() => opt.rate(50)).toThrow(/totalSteps/);
});
