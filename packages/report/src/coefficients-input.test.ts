import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOLKIT_VERSION, type CoefficientsFile } from '@teacache/core';
import { checkCoefficients, readCoefficients, readReferenceDir } from './coefficients-input.js';

const root = mkdtempSync(join(tmpdir(), 'report-coefficients-'));

/** A published reference set as the fit package writes them (no x range, no statistics). */
function publishedSet(model: string): CoefficientsFile {
  const highestFirst = [498.65, -283.78, 55.86, -3.82, 0.264];
  return {
    format: 'teacache-coefficients', version: 1, origin: 'published', model, weightsHash: '', indicator: 'modulated', target: 'output',
    degree: 4, coefficients: { highestFirst, lowestFirst: [...highestFirst].reverse() }, xRange: null, sampleCount: null,
    statistics: null, sources: [], provenance: 'a test set shaped like a published one',
    reference: { integration: 'Test', repository: 'owner/repo', path: 'x.py', commit: null, publishedText: '[1, 2]', indicatorDetail: 'modulated input' },
    toolkitVersion: TOOLKIT_VERSION, createdAt: '2025-01-01T00:00:00.000Z',
  };
}

describe('reading coefficient files', () => {
  test('reads a reference directory, skipping its index.json, and keeps the file name', () => {
    const dir = join(root, 'refs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b.json'), JSON.stringify(publishedSet('B')));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(publishedSet('A')));
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ sets: ['a.json', 'b.json'] }));
    const sets = readReferenceDir(dir);
    expect(sets.map((s) => s.model)).toEqual(['A', 'B']);
    expect(sets[0].source).toBe(join(dir, 'a.json'));
    expect(sets[0].xRange).toBeNull();
  });

  test('a malformed file is an error naming the file and field', () => {
    const path = join(root, 'bad.json');
    writeFileSync(path, JSON.stringify({ ...publishedSet('A'), indicator: 'colour' }));
    expect(() => readCoefficients(path)).toThrow(/bad\.json.*field "indicator"/);
  });

  test('a missing directory or one without sets is an error', () => {
    expect(() => readReferenceDir(join(root, 'nope'))).toThrow(/expected a directory of reference coefficient files/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(() => readReferenceDir(empty)).toThrow(/at least one \*\.json coefficients file/);
  });
});

describe('checkCoefficients', () => {
  test('names the set by position when it has no file, and the offending field', () => {
    const set = { model: 'm', indicator: 'modulated' as const, target: 'output' as const, coefficients: { highestFirst: [1] } };
    expect(() => checkCoefficients([set, { ...set, target: 'speed' as never }], 'coefficients')).toThrow(/coefficients, row 2, field "target"/);
    expect(() => checkCoefficients([{ ...set, coefficients: { highestFirst: [] } }], 'references')).toThrow(/references, row 1, field "coefficients.highestFirst"/);
  });
});
