import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { highestFirstOf, readRescaleCoefficients, rescaleFunction } from './coefficients.js';

describe('rescaling coefficients', () => {
  test('no coefficients is the identity; highest-first order is numpy.poly1d\'s', () => {
    expect(rescaleFunction(undefined)(0.123)).toBe(0.123);
    // [2, -1, 0.5] means 2x^2 - x + 0.5: at x = 0.1, 0.02 - 0.1 + 0.5 = 0.42
    expect(rescaleFunction({ highestFirst: [2, -1, 0.5] })(0.1)).toBeCloseTo(0.42, 15);
  });

  test('a coefficients file and a bare object give the same numbers', () => {
    const file = { format: 'teacache-coefficients', coefficients: { highestFirst: [3, 1], lowestFirst: [1, 3] } } as never;
    expect(highestFirstOf(file)).toEqual([3, 1]);
    expect(highestFirstOf({ highestFirst: [3, 1] })).toEqual([3, 1]);
    expect(() => highestFirstOf({ highestFirst: [] })).toThrow('field "highestFirst": expected a non-empty array of numbers (highest degree first)');
  });

  describe('readRescaleCoefficients', () => {
    let dir: string;
    beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'coef-')); });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };

    test('refuses JSON that is not a coefficients object, naming the file and field', () => {
      expect(() => readRescaleCoefficients(write('a.json', '[1, 2]'))).toThrow(/a.json: expected a JSON object/);
      expect(() => readRescaleCoefficients(write('b.json', '{"format": "other"}'))).toThrow(/b.json, field "format": expected "teacache-coefficients"/);
      expect(() => readRescaleCoefficients(write('c.json', '{"format": "teacache-coefficients", "coefficients": {"highestFirst": [1, "x"]}}')))
        .toThrow(/c.json, field "coefficients.highestFirst\[1\]": expected a finite number, found "x"/);
    });
  });
});
