import { seededRandom } from './random.js';
import { checkSeed, isSeed, MAX_SEED } from './seed.js';

const draws = (seed: number, n = 4) => { const r = seededRandom(seed); return Array.from({ length: n }, r); };

describe('seeds', () => {
  test('the largest seed is 2^32 - 1, and it draws other numbers than seed 0', () => {
    expect(MAX_SEED).toBe(4294967295);
    expect(draws(MAX_SEED)).not.toEqual(draws(0));
  });

  test('seededRandom refuses 2^32 (which a 32-bit reduction would turn into seed 0) and other non-seeds', () => {
    for (const bad of [2 ** 32, 2 ** 32 + 7, -1, 1.5, NaN, Infinity]) {
      expect(() => seededRandom(bad)).toThrow(new RegExp(`seed must be a whole number from 0 to 4294967295 .*, got ${String(bad).replace('.', '\\.')}`));
    }
  });

  test('seededRandom draws mulberry32 of the seed: the first value of seed 0 by hand', () => {
    // mulberry32, state 0: t = 0x6d2b79f5; t = imul(t ^ t>>>15, t | 1); t ^= t + imul(t ^ t>>>7, t | 61); (t ^ t>>>14) >>> 0.
    let t = 0x6d2b79f5;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    expect(seededRandom(0)()).toBe(((t ^ (t >>> 14)) >>> 0) / 2 ** 32);
  });

  test('isSeed and checkSeed accept exactly the whole numbers 0..2^32 - 1', () => {
    expect([0, 1, MAX_SEED].every(isSeed)).toBe(true);
    expect([-1, MAX_SEED + 1, 0.5, '1', null].some(isSeed)).toBe(false);
    expect(checkSeed(7)).toBe(7);
    expect(() => checkSeed(MAX_SEED + 1, 'training seed')).toThrow(/^training seed must be/);
  });
});
