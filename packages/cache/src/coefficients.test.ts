import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { highestFirstOf, rescaleFunction } from './coefficients.js';
import { parsePolicySpec } from './parse-policy-spec.js';
import { validatePolicySpec } from './policy-spec.js';
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

  describe('coefficients files in a policy spec: one strict reader, from disk or inline', () => {
    let dir: string;
    beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'coef-')); });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
    const fromDisk = (path: string) => parsePolicySpec({ policy: 'teacache', threshold: 0.1, coefficientsFile: path });
    const inline = (value: unknown) => validatePolicySpec({ policy: 'teacache', threshold: 0.1, coefficients: value }, 'spec.json');

    test('refuses JSON that is not a coefficients object, naming the file and field', () => {
      expect(() => fromDisk(write('a.json', '[1, 2]'))).toThrow(/a.json.*expected .*object/);
      expect(() => fromDisk(write('b.json', '{"format": "other"}'))).toThrow(/b.json, field "(format|version)"/);
      expect(() => fromDisk(write('c.json', JSON.stringify({ ...coefficientsFileOf([1, 2]), coefficients: { highestFirst: [1, 'x'], lowestFirst: [2, 1] } }))))
        .toThrow(/c.json, field "coefficients.highestFirst.1": expected a value that must be number, found "x"/);
    });

    const good = coefficientsFileOf([2, -1, 0.5], { xRange: [0, 0.5] });
    const bad: [string, unknown, string][] = [
      ['version 2', { ...good, version: 2 }, 'version'],
      ['lowestFirst not reversed', { ...good, coefficients: { highestFirst: [2, -1, 0.5], lowestFirst: [2, -1, 0.5] } }, 'coefficients.lowestFirst[0]'],
      ['a wrong degree', { ...good, degree: 3 }, 'coefficients.highestFirst'],
      ['degree 50', { ...coefficientsFileOf(Array.from({ length: 51 }, () => 0)) }, 'degree'],
      ['a reversed x range', { ...good, xRange: [0.5, 0] }, 'xRange'],
      ['no provenance on a published set', (({ provenance: _, ...rest }) => rest)(coefficientsFileOf([2, -1, 0.5])), 'provenance'],
      ['1e308 coefficients that overflow', coefficientsFileOf([1e308, 1e308, 1e308]), 'coefficients.highestFirst'],
    ];

    test('a good file reads the same from disk and inline', () => {
      const disk = fromDisk(write('good.json', JSON.stringify(good)));
      expect(disk.policy === 'teacache' && highestFirstOf(disk.coefficients!)).toEqual([2, -1, 0.5]);
      const given = inline(good);
      expect(given.policy === 'teacache' && highestFirstOf(given.coefficients!)).toEqual([2, -1, 0.5]);
    });

    test('every flaw is refused from disk, naming the file and field', () => {
      for (const [name, value, field] of bad) {
        const path = write(`${name.replace(/ /g, '-')}.json`, JSON.stringify(value));
        expect(() => fromDisk(path)).toThrow(`${path}, field "${field}"`);
      }
    });

    test('every flaw is refused in a file given inline too (the spec reader once checked only its highestFirst list)', () => {
      for (const [, value, field] of bad) {
        expect(() => inline(value)).toThrow(`spec.json, field "coefficients.${field}"`);
      }
    });

    test('a rescaling polynomial that overflows at run time is an error, not a silent Infinity', () => {
      expect(() => rescaleFunction({ highestFirst: [1e308, 0, 0] })(10)).toThrow(/overflows at relative L1 10/);
    });
  });
});
