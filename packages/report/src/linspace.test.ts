import { linspace } from './linspace.js';

describe('linspace', () => {
  test('spaces values evenly with both ends included', () => {
    expect(linspace(0, 1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(() => linspace(0, 1, 1)).toThrow(/count must be >= 2/);
  });
});
