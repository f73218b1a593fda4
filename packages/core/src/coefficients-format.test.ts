import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkInRange, coefficientsFromHighestFirst, coefficientsFromLowestFirst, createRangeWarner, readCoefficientsFile,
  validateCoefficientsFile, writeCoefficientsFile, type CoefficientsFile,
} from './coefficients-format.js';
import { FormatError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'coefficients-format-'));

function fitted(): CoefficientsFile {
  return {
    format: 'teacache-coefficients', version: 1, origin: 'fit', model: 'dit-s', weightsHash: 'abc123',
    indicator: 'modulated', target: 'output', degree: 2,
    coefficients: { highestFirst: [3, -2, 0.5], lowestFirst: [0.5, -2, 3] },
    xRange: [0.001, 0.1], sampleCount: 40,
    statistics: {
      train: { r2: 0.9, rmse: 0.01, mae: 0.008 },
      crossValidation: {
        r2: 0.85, rmse: 0.012, mae: 0.009, folds: 2, groupedBy: 'prompt', rmseMean: 0.012, rmseStandardError: 0.001,
        perFold: [
          { fold: 0, testCount: 20, testPrompts: 1, r2: 0.8, rmse: 0.013, mae: 0.01 },
          { fold: 1, testCount: 20, testPrompts: 1, r2: null, rmse: 0.011, mae: 0.008 },
        ],
      },
      pearson: 0.95, spearman: 0.93,
      degreeSelection: {
        rule: 'one-standard-error', maxDegree: 2,
        scores: [{ degree: 1, train: { r2: 0.8, rmse: 0.02, mae: 0.015 }, crossValidation: null }],
      },
      indicatorCorrelations: [{ indicator: 'modulated', pearson: 0.95, spearman: 0.93, count: 40 }],
      promptCount: 2, runCount: 2, warnings: [],
    },
    sources: [{ path: 'a.csv', sha256: 'a'.repeat(64) }],
    toolkitVersion: '0.1.0', createdAt: '2025-01-01T00:00:00.000Z',
  };
}

function published(): CoefficientsFile {
  return {
    ...fitted(), origin: 'published', weightsHash: '', xRange: null, sampleCount: null, statistics: null, sources: [],
    provenance: 'example/repo file.py',
    reference: {
      integration: 'Example', repository: 'example/repo', path: 'file.py', commit: null,
      publishedText: '[3, -2, 0.5]', indicatorDetail: 'modulated input of block 0',
    },
    recommendedThresholds: [{ threshold: 0.1, label: 'slow', source: 'example/repo README.md' }],
  };
}

function expectFormatError(fn: () => unknown, field: string | undefined, file?: string): FormatError {
  let caught: unknown;
  try { fn(); } catch (err) { caught = err; }
  expect(caught).toBeInstanceOf(FormatError);
  const e = caught as FormatError;
  expect(e.field).toBe(field);
  if (file !== undefined) expect(e.file).toBe(file);
  return e;
}

describe('the coefficients file', () => {
  test('a fitted file survives a write and a read unchanged', () => {
    const path = join(dir, 'fitted.json');
    writeCoefficientsFile(path, fitted());
    expect(readCoefficientsFile(path)).toEqual(fitted());
  });

  test('a published reference set may leave xRange, sampleCount and statistics unknown', () => {
    const path = join(dir, 'published.json');
    writeCoefficientsFile(path, published());
    expect(readCoefficientsFile(path).xRange).toBeNull();
  });

  test('a fitted file may not leave its x range unknown', () => {
    expectFormatError(() => validateCoefficientsFile({ ...fitted(), xRange: null }, 'f.json'), 'xRange', 'f.json');
  });

  test('a published set without provenance is refused', () => {
    const file: Partial<CoefficientsFile> = published();
    delete file.provenance;
    expectFormatError(() => validateCoefficientsFile(file, 'p.json'), 'provenance');
  });

  test('a missing field is named with the file', () => {
    const value: Partial<CoefficientsFile> = fitted();
    delete value.indicator;
    const e = expectFormatError(() => validateCoefficientsFile(value, 'x.json'), 'indicator', 'x.json');
    expect(e.message).toContain('x.json');
  });

  test('an unknown indicator is refused', () => {
    expectFormatError(() => validateCoefficientsFile({ ...fitted(), indicator: 'output' }, 'x.json'), 'indicator');
  });

  test('a degree that does not match the number of coefficients is refused', () => {
    expectFormatError(() => validateCoefficientsFile({ ...fitted(), degree: 3 }, 'x.json'), 'coefficients.highestFirst');
  });

  test('lowestFirst must be the exact reverse of highestFirst', () => {
    const file = fitted();
    file.coefficients.lowestFirst = [0.5, -2, 3.0000001];
    expectFormatError(() => validateCoefficientsFile(file, 'x.json'), 'coefficients.lowestFirst[2]');
  });

  test('a reversed x range is refused', () => {
    expectFormatError(() => validateCoefficientsFile({ ...fitted(), xRange: [0.1, 0.001] }, 'x.json'), 'xRange');
  });

  test('writing a NaN is refused and nothing is written', () => {
    const file = fitted();
    file.statistics!.train.rmse = NaN;
    const path = join(dir, 'nan.json');
    expectFormatError(() => writeCoefficientsFile(path, file), 'statistics.train.rmse', path);
    expect(existsSync(path)).toBe(false);
  });

  test('an infinite coefficient is refused on write', () => {
    const file = fitted();
    file.coefficients.highestFirst[0] = Infinity;
    expectFormatError(() => writeCoefficientsFile(join(dir, 'inf.json'), file), 'coefficients.highestFirst[0]');
  });

  test('a file that is not JSON gives an error naming the file', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"format": "teacache-coefficients",');
    const e = expectFormatError(() => readCoefficientsFile(path), undefined, path);
    expect(e.expected).toBe('valid JSON');
  });

  test('a missing file is reported as such', () => {
    const e = expectFormatError(() => readCoefficientsFile(join(dir, 'nope.json')), undefined);
    expect(e.found).toBe('"no such file"');
  });

  test('a hand-edited file with a wrong version is refused', () => {
    const path = join(dir, 'v2.json');
    writeFileSync(path, JSON.stringify({ ...fitted(), version: 2 }));
    expectFormatError(() => readCoefficientsFile(path), 'version', path);
  });

  test('the written JSON keeps both coefficient orders, named', () => {
    const path = join(dir, 'orders.json');
    writeCoefficientsFile(path, fitted());
    const raw = JSON.parse(readFileSync(path, 'utf8'));
    expect(raw.coefficients).toEqual({ highestFirst: [3, -2, 0.5], lowestFirst: [0.5, -2, 3] });
  });
});

describe('coefficient order helpers', () => {
  test('numpy order converts to both orders', () => {
    expect(coefficientsFromHighestFirst([1, 2, 3])).toEqual({ highestFirst: [1, 2, 3], lowestFirst: [3, 2, 1] });
    expect(coefficientsFromLowestFirst([3, 2, 1])).toEqual({ highestFirst: [1, 2, 3], lowestFirst: [3, 2, 1] });
  });

  test('a NaN coefficient is refused', () => {
    expect(() => coefficientsFromHighestFirst([1, NaN])).toThrow(/coefficient 1 is not finite/);
  });
});

describe('the fitted range check', () => {
  const file = { model: 'dit-s', indicator: 'modulated' as const, xRange: [0.01, 0.2] as [number, number] };

  test('values inside the range (ends included) pass silently', () => {
    expect(checkInRange(file, 0.01)).toEqual({ position: 'inside', message: null });
    expect(checkInRange(file, 0.2).position).toBe('inside');
  });

  test('values outside are reported with the range', () => {
    expect(checkInRange(file, 0.005)).toMatchObject({ position: 'below' });
    expect(checkInRange(file, 0.5).message).toContain('[0.01, 0.2]');
    expect(checkInRange(file, NaN).position).toBe('not-finite');
  });

  test('a set without a recorded range cannot be checked', () => {
    expect(checkInRange({ ...file, xRange: null }, 0.1).position).toBe('unknown');
  });

  test('the warner warns once per kind of problem, not once per step', () => {
    const messages: string[] = [];
    const check = createRangeWarner(file, (m) => messages.push(m));
    [0.1, 0.3, 0.4, 0.001, 0.002, 0.15].forEach(check);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('above');
    expect(messages[1]).toContain('below');
  });

  test('warners sharing a set of said keys (the runs of one sweep process) warn once between them', () => {
    const messages: string[] = [];
    const said = new Set<string>();
    for (let run = 0; run < 5; run++) [0.3, 0.001].forEach(createRangeWarner(file, (m) => messages.push(m), said));
    expect(messages).toHaveLength(2);
    const other = { ...file, indicator: 'timestep' as const };
    createRangeWarner(other, (m) => messages.push(m), said)(0.3);
    expect(messages).toHaveLength(3); // another set is another warning
  });
});
