import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { polyvalHighestFirst, readCoefficientsFile, readTraceDir } from '@teacache/core';
import { FitRefusedError } from './errors.js';
import { fitFromTraceDir, type FitFromTraceDirOptions } from './fit-from-trace-dir.js';
import { extent, fitPairRows } from './fit-pairs.js';
import { collectPairRows, pairsFor } from './pairs.js';
import { pearson } from './statistics.js';
import { writeSyntheticTraces } from './synthetic-traces.js';

const root = mkdtempSync(join(tmpdir(), 'fit-from-trace-dir-'));
const quiet = new Writable({ write: (_c, _e, done) => done() });
const PROMPTS = ['a cat', 'a dog', 'a red car', 'fireworks', 'mountains', 'ocean waves'];
let n = 0;

function run(extra: Partial<FitFromTraceDirOptions> & { traces: string }) {
  return fitFromTraceDir({ out: join(root, `out${n++}`, 'coefficients.json'), progressStream: quiet, now: () => new Date('2025-02-03T04:05:06Z'), ...extra });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try { await promise; } catch (err) {
    expect(err).toBeInstanceOf(FitRefusedError);
    return (err as FitRefusedError).reason;
  }
  throw new Error('expected the fit to be refused');
}

describe('fitFromTraceDir', () => {
  const traces = join(root, 'six-prompts');
  const truth = [40, -12, 1.5, 0.01];
  writeSyntheticTraces({ dir: traces, prompts: PROMPTS, seedsPerPrompt: 2, steps: 12, polynomial: truth, noise: 0.0005, model: 'dit-s', weightsHash: 'abc' });

  test('writes a valid coefficients file with its evidence, and the requested exports', async () => {
    const result = await run({ traces, exports: ['py', 'csv'] });
    const [json, py, csv] = result.paths;
    expect(py).toMatch(/coefficients\.py$/);
    expect(csv).toMatch(/coefficients\.csv$/);
    const file = readCoefficientsFile(json);
    expect(file).toMatchObject({ origin: 'fit', model: 'dit-s', weightsHash: 'abc', indicator: 'modulated', target: 'output' });
    expect(file.createdAt).toBe('2025-02-03T04:05:06.000Z');
    // 12 runs x 11 steps after step 0 x 2 branches
    expect(file.sampleCount).toBe(12 * 11 * 2);
    expect(file.sources).toHaveLength(12);
    expect(file.statistics!.crossValidation!.folds).toBe(5);
    expect(file.statistics!.promptCount).toBe(6);
    expect(file.statistics!.runCount).toBe(12);
    expect(readFileSync(py, 'utf8')).toContain(result.pythonLine);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe('order,power,coefficient');
  });

  test('fits the relation the traces were made from', async () => {
    const { file } = await run({ traces, degree: 3 });
    const [lo, hi] = file.xRange!;
    for (let x = lo; x <= hi; x += (hi - lo) / 10) {
      expect(polyvalHighestFirst(file.coefficients.highestFirst, x)).toBeCloseTo(polyvalHighestFirst(truth, x), 2);
    }
  });

  test('records the x range and correlation of the pairs it fitted (independent recomputation)', async () => {
    const { file } = await run({ traces, degree: 2 });
    const { x, y } = pairsFor(collectPairRows(readTraceDir(traces)).rows, 'modulated', 'output');
    expect(file.xRange).toEqual([Math.min(...x), Math.max(...x)]);
    expect(file.statistics!.pearson).toBeCloseTo(pearson(x, y)!, 12);
    expect(file.statistics!.indicatorCorrelations.map((c) => c.indicator)).toEqual(['modulated', 'timestep', 'noisy', 'residual']);
  });

  test('prints the tables: correlation per indicator, CV per degree, pairs per prompt', async () => {
    const result = await run({ traces, maxDegree: 3 });
    expect(result.tables.correlation).toContain('modulated *');
    expect(result.tables.degrees).toContain(`${result.file.degree} *`);
    expect(result.tables.prompts).toContain('ocean waves');
  });

  test('with a single prompt: no cross-validation, a clear warning', async () => {
    const one = join(root, 'one-prompt');
    writeSyntheticTraces({ dir: one, prompts: ['only'], seedsPerPrompt: 2, steps: 10 });
    const { file, warnings } = await run({ traces: one });
    expect(file.statistics!.crossValidation).toBeNull();
    expect(file.statistics!.degreeSelection.rule).toBe('default-without-cv');
    expect(warnings.join('\n')).toMatch(/no cross-validation is possible/);
  });

  test('too few pairs are refused with a reason and no file is written', async () => {
    const tiny = join(root, 'tiny');
    writeSyntheticTraces({ dir: tiny, prompts: ['a'], steps: 3, guided: false });
    const out = join(root, 'tiny-out', 'c.json');
    expect(await refusal(fitFromTraceDir({ traces: tiny, out, progressStream: quiet }))).toMatch(/2 pairs are too few/);
    expect(existsSync(out)).toBe(false);
  });

  test('an indicator that never changes is refused', async () => {
    const flat = join(root, 'flat');
    writeSyntheticTraces({ dir: flat, prompts: ['a', 'b', 'c', 'd'], steps: 2 });
    // with 2 steps every pair is step 1, whose timestep change is the same constant in every run
    expect(await refusal(run({ traces: flat, indicator: 'timestep', degree: 1 }))).toMatch(/indicator is constant/);
  });

  test('impossible options are refused before reading anything', async () => {
    expect(await refusal(run({ traces, indicator: 'residual', target: 'residual' }))).toMatch(/both "residual"/);
    expect(await refusal(run({ traces, degree: 9 }))).toMatch(/degree must be a whole number from 1 to 6/);
    expect(await refusal(run({ traces, folds: 1 }))).toMatch(/folds must be a whole number from 2/);
    expect(await refusal(fitFromTraceDir({ traces, out: join(root, 'c.txt') }))).toMatch(/must end in \.json/);
    expect(await refusal(run({ traces, exports: ['xlsx' as 'py'] }))).toMatch(/unknown export "xlsx"/);
  });
});

describe('fitPairRows on many pairs', () => {
  test('the x range of a million values is found without spreading them onto the call stack', () => {
    const x = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_003);
    expect(extent(x)).toEqual([0, 1_000_002]);
  });

  test('150,000 pairs fit (more than a spread onto the call stack holds)', () => {
    const rows = Array.from({ length: 150_000 }, (_, i) => {
      const x = 0.01 + (i % 1000) / 10_000;
      return { runId: `r${i % 7}`, prompt: `p${i % 7}`, branch: 'cond', step: 1 + (i % 1000), file: 't.csv', row: i + 1,
        relL1: { noisy: null, timestep: null, modulated: x, residual: null, output: 2 * x + 0.001 } };
    });
    const outcome = fitPairRows({ rows, skippedCached: 0, runCount: 7 }, { degree: 1, maxDegree: 1, folds: 2 });
    expect(outcome.xRange).toEqual([0.01, 0.01 + 999 / 10_000]);
    expect(outcome.fit.highestFirst[0]).toBeCloseTo(2, 9);
  });
});

describe('a 1e308 cell', () => {
  test('is refused by the fit as a FormatError naming file, row and column, not an internal error', async () => {
    const dir = join(root, 'huge');
    writeSyntheticTraces({ dir, prompts: ['a', 'b', 'c'], steps: 6 });
    const csv = join(dir, 'run-p1-s0.csv');
    const lines = readFileSync(csv, 'utf8').split('\n');
    const col = lines[0].split(',').indexOf('rel_l1_modulated');
    const cells = lines[4].split(',');
    cells[col] = '1e308';
    lines[4] = cells.join(',');
    writeFileSync(csv, lines.join('\n'));
    await expect(run({ traces: dir })).rejects.toMatchObject({ name: 'FormatError', file: csv, row: 4, field: 'rel_l1_modulated' });
  });
});

describe('a fit with no relation to find', () => {
  const traces = join(root, 'noise-only');
  // output = 0.5 + uniform noise in [-0.5, 0.5): the indicator says nothing about it, so held-out prompts are predicted badly.
  writeSyntheticTraces({ dir: traces, prompts: PROMPTS, steps: 12, polynomial: [0.5], noise: 1, model: 'dit-s', weightsHash: 'n' });

  test('says its cross-validated R² is negative', async () => {
    const result = await run({ traces, degree: 3 });
    const r2 = result.file.statistics!.crossValidation!.r2!;
    expect(r2).toBeLessThan(0);
    expect(result.warnings.join('\n')).toContain(`cross-validated R² is ${r2.toFixed(4)}, below 0`);
  });

  test('a fit that predicts held-out prompts well has no such warning', async () => {
    const good = join(root, 'six-prompts');
    const result = await run({ traces: good });
    expect(result.file.statistics!.crossValidation!.r2!).toBeGreaterThan(0);
    expect(result.warnings.join('\n')).not.toContain('below 0');
  });
});
