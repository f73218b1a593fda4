import { readFileSync } from 'node:fs';
import { assignFoldsByGroup, crossValidate } from './cross-validation.js';
import { selectDegree } from './degree-selection.js';
import { seededRandom } from '@teacache/core';

interface CvFixture {
  trueDegree: number; folds: number; x: number[]; y: number[]; prompts: string[]; foldOfPair: number[]; chosenDegree: number;
  degrees: {
    degree: number; rmseMean: number; rmseStandardError: number;
    pooled: { r2: number; rmse: number; mae: number };
    perFold: { fold: number; testCount: number; r2: number; rmse: number; mae: number }[];
  }[];
}
const fixture: CvFixture = JSON.parse(readFileSync(new URL('./fixtures/grouped-cv.json', import.meta.url), 'utf8'));

const close = (a: number | null, b: number) => expect(Math.abs((a ?? NaN) - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));

describe('grouped k-fold assignment', () => {
  test('matches the documented rule as implemented independently in numpy', () => {
    expect(assignFoldsByGroup(fixture.prompts, fixture.folds)).toEqual(fixture.foldOfPair);
  });

  test('never puts one prompt in two folds, and uses every fold', () => {
    const folds = assignFoldsByGroup(fixture.prompts, 5);
    const foldOfPrompt = new Map<string, Set<number>>();
    fixture.prompts.forEach((p, i) => foldOfPrompt.set(p, (foldOfPrompt.get(p) ?? new Set()).add(folds[i])));
    for (const set of foldOfPrompt.values()) expect(set.size).toBe(1);
    expect(new Set(folds).size).toBe(5);
  });

  test('balances fold sizes: a hand example', () => {
    // sizes a:3 b:2 c:2 d:1 into 2 folds -> a to 0; b to 1; c to 1 (2 < 3); d to 0 (3 < 4)
    const groups = ['a', 'a', 'a', 'b', 'b', 'c', 'c', 'd'];
    expect(assignFoldsByGroup(groups, 2)).toEqual([0, 0, 0, 1, 1, 1, 1, 0]);
  });

  test('refuses more folds than groups', () => {
    expect(() => assignFoldsByGroup(['a', 'a', 'b'], 3)).toThrow(/2 groups cannot fill 3 folds/);
  });
});

describe('grouped cross-validation against numpy', () => {
  for (const reference of fixture.degrees) {
    test(`degree ${reference.degree}: per-fold, mean, standard error and pooled statistics match`, () => {
      const cv = crossValidate(fixture.x, fixture.y, fixture.prompts, reference.degree, fixture.folds);
      close(cv.rmseMean, reference.rmseMean);
      close(cv.rmseStandardError, reference.rmseStandardError);
      close(cv.rmse, reference.pooled.rmse);
      close(cv.mae, reference.pooled.mae);
      close(cv.r2, reference.pooled.r2);
      cv.perFold.forEach((f, i) => {
        expect(f.testCount).toBe(reference.perFold[i].testCount);
        close(f.rmse, reference.perFold[i].rmse);
        close(f.r2, reference.perFold[i].r2);
      });
    });
  }
});

describe('degree selection', () => {
  test('picks the true degree of synthetic data (one-standard-error rule)', () => {
    const selection = selectDegree({ x: fixture.x, y: fixture.y, groups: fixture.prompts, maxDegree: 6, folds: 5 });
    expect(selection.rule).toBe('one-standard-error');
    expect(selection.degree).toBe(fixture.trueDegree);
    expect(selection.degree).toBe(fixture.chosenDegree);
    expect(selection.scores.map((s) => s.degree)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('picks a straight line for linear data', () => {
    const random = seededRandom(11);
    const x = Array.from({ length: 120 }, () => 0.01 + 0.2 * random());
    const y = x.map((v) => 0.3 + 2 * v + 0.01 * (random() - 0.5));
    const groups = x.map((_, i) => `prompt ${i % 6}`);
    expect(selectDegree({ x, y, groups, maxDegree: 6, folds: 5 }).degree).toBe(1);
  });

  test('caps the folds at the number of prompts and says so', () => {
    const groups = fixture.prompts.map((p) => (p < 'c' ? 'first' : p < 'm' ? 'second' : 'third'));
    const selection = selectDegree({ x: fixture.x, y: fixture.y, groups, maxDegree: 4, folds: 5 });
    expect(selection.folds).toBe(3);
    expect(selection.warnings.join(' ')).toMatch(/3 prompts: using 3 folds instead of 5/);
  });

  test('with one prompt, falls back to the published degree without CV, with a warning', () => {
    const groups = fixture.prompts.map(() => 'the only prompt');
    const selection = selectDegree({ x: fixture.x, y: fixture.y, groups, maxDegree: 6, folds: 5 });
    expect(selection.rule).toBe('default-without-cv');
    expect(selection.degree).toBe(4);
    expect(selection.folds).toBe(0);
    expect(selection.scores.every((s) => s.crossValidation === null)).toBe(true);
    expect(selection.warnings[0]).toMatch(/only 1 prompt\(s\): no cross-validation/);
  });

  test('a given degree is used as given, with the other degrees still scored', () => {
    const selection = selectDegree({ x: fixture.x, y: fixture.y, groups: fixture.prompts, maxDegree: 6, folds: 5, degree: 5 });
    expect(selection).toMatchObject({ degree: 5, rule: 'given' });
    expect(selection.scores).toHaveLength(6);
  });
});
