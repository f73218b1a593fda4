import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { highestFirstOf, readRescaleCoefficients, rescaleFunction } from './coefficients.js';
import { coefficientsFileOf } from './test-support/coefficients-file.js';

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
      expect(() => readRescaleCoefficients(write('a.json', '[1, 2]'))).toThrow(/a.json.*expected .*object/);
      expect(() => readRescaleCoefficients(write('b.json', '{"format": "other"}'))).toThrow(/b.json, field "(format|version)"/);
      expect(() => readRescaleCoefficients(write('c.json', JSON.stringify({ ...coefficientsFileOf([1, 2]), coefficients: { highestFirst: [1, 'x'], lowestFirst: [2, 1] } }))))
        .toThrow(/c.json, field "coefficients.highestFirst.1": expected a value that must be number, found "x"/);
    });

    test('is as strict as the report: every flaw the report refuses is refused here, naming file and field', () => {
      const good = coefficientsFileOf([2, -1, 0.5], { xRange: [0, 0.5] });
      expect(highestFirstOf(readRescaleCoefficients(write('good.json', JSON.stringify(good))))).toEqual([2, -1, 0.5]);
      const bad: [string, unknown, RegExp][] = [
        ['version 2', { ...good, version: 2 }, /field "version"/],
        ['lowestFirst not reversed', { ...good, coefficients: { highestFirst: [2, -1, 0.5], lowestFirst: [2, -1, 0.5] } }, /field "coefficients.lowestFirst\[0\]": expected the reverse of highestFirst/],
        ['a wrong degree', { ...good, degree: 3 }, /field "coefficients.highestFirst": expected 4 coefficients/],
        ['degree 50', { ...coefficientsFileOf(Array.from({ length: 51 }, () => 0)) }, /field "degree"/],
        ['a reversed x range', { ...good, xRange: [0.5, 0] }, /field "xRange": expected xRange\[0\] <= xRange\[1\]/],
        ['a bad format tag with a bare list', { format: 'teacache-coefficientz', highestFirst: [1, 0] }, /format/],
        ['1e308 coefficients that overflow', coefficientsFileOf([1e308, 1e308, 1e308]), /field "coefficients.highestFirst": expected a polynomial that stays finite over \[0, 1\], found "Infinity at x = /],
      ];
      for (const [name, value, message] of bad) {
        const path = write(`${name.replace(/ /g, '-')}.json`, JSON.stringify(value));
        expect(() => readRescaleCoefficients(path)).toThrow(message);
        expect(() => readRescaleCoefficients(path)).toThrow(path);
      }
    });

    test('a rescaling polynomial that overflows at run time is an error, not a silent Infinity', () => {
      expect(() => rescaleFunction({ highestFirst: [1e308, 0, 0] })(10)).toThrow(/overflows at relative L1 10/);
    });
  });
});
