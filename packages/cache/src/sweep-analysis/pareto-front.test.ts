import { paretoFront } from './pareto-front.js';

describe('paretoFront', () => {
  test('keeps exactly the points no other point beats in both coordinates', () => {
    // (1, 40) best quality; (2, 30) and (3, 20) trade off; (2, 25) is beaten by (2, 30); (1.5, 30) by (2, 30).
    const points = [{ x: 1, y: 40 }, { x: 2, y: 30 }, { x: 3, y: 20 }, { x: 2, y: 25 }, { x: 1.5, y: 30 }];
    expect(paretoFront(points)).toEqual([true, true, true, false, false]);
  });

  test('keeps both of two identical points, since neither is strictly better', () => {
    expect(paretoFront([{ x: 1, y: 1 }, { x: 1, y: 1 }])).toEqual([true, true]);
  });

  test('a single point is on the front', () => {
    expect(paretoFront([{ x: 1, y: 1 }])).toEqual([true]);
  });
});
