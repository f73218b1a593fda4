import { seededRandom } from '@teacache/core';
import { deriveSeed, SeededRandom } from './random.js';

test('the model generator refuses a seed past 2^32 - 1 rather than drawing seed 0\'s numbers', () => {
  expect(() => new SeededRandom(2 ** 32)).toThrow(/seed must be a whole number from 0 to 4294967295 .*, got 4294967296/);
  expect(() => new SeededRandom(-1)).toThrow(RangeError);
  expect(() => deriveSeed(2 ** 32, 'x')).toThrow(RangeError);
  // The largest seed is its own: not seed 0, and it still draws core's mulberry32 (started from the seed ^ 0x9e3779b9).
  const top = new SeededRandom(2 ** 32 - 1);
  expect(top.uniform()).not.toBe(new SeededRandom(0).uniform());
  expect(new SeededRandom(5).uniform()).toBe(seededRandom((5 ^ 0x9e3779b9) >>> 0)());
});
