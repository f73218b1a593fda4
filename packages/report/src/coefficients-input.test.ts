import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCoefficientsFile, readReferenceDir, TOOLKIT_VERSION, type CoefficientsFile } from '@teacache/core';
import { checkCoefficients, coefficientsInput, referenceInputs } from './coefficients-input.js';

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

describe('coefficient files as report input', () => {
  test('a file read by core keeps its path as the source legends and errors name', () => {
    const path = join(root, 'a.json');
    writeFileSync(path, JSON.stringify(publishedSet('A')));
    const input = coefficientsInput(readCoefficientsFile(path), path);
    expect(input).toMatchObject({ model: 'A', source: path, xRange: null });
  });

  test('reference sets read by core keep their file paths, in index order', () => {
    const dir = join(root, 'refs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b.json'), JSON.stringify(publishedSet('B')));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(publishedSet('A')));
    writeFileSync(join(dir, 'index.json'), JSON.stringify({
      format: 'teacache-reference-index', version: 1, description: 'two test sets',
      sets: [{ file: 'b.json', model: 'B', integration: 'Test' }, { file: 'a.json', model: 'A', integration: 'Test' }],
    }));
    const sets = referenceInputs(readReferenceDir(dir));
    expect(sets.map((s) => [s.model, s.source])).toEqual([['B', join(dir, 'b.json')], ['A', join(dir, 'a.json')]]);
  });
});

describe('checkCoefficients', () => {
  test('names the set by position when it has no file, and the offending field', () => {
    const set = { model: 'm', indicator: 'modulated' as const, target: 'output' as const, coefficients: { highestFirst: [1] } };
    expect(() => checkCoefficients([set, { ...set, target: 'speed' as never }], 'coefficients')).toThrow(/coefficients, row 2, field "target"/);
    expect(() => checkCoefficients([{ ...set, coefficients: { highestFirst: [] } }], 'references')).toThrow(/references, row 1, field "coefficients.highestFirst"/);
  });
});
