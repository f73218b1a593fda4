import type { PairRow } from './pairs.js';
import { correlationTable, degreeTable, summarisePrompts, textTable } from './tables.js';

function row(prompt: string, runId: string, step: number): PairRow {
  return { prompt, runId, step, branch: 'cond', file: 't.csv', row: step, relL1: { noisy: 0, timestep: 0, modulated: 0, residual: 0, output: 0 } };
}

describe('the fit\'s printed tables', () => {
  test('pairs and runs per prompt (hand count)', () => {
    const rows = [row('b', 'r3', 1), row('a', 'r1', 1), row('a', 'r1', 2), row('a', 'r2', 1), row('b', 'r3', 2), row('b', 'r3', 3)];
    expect(summarisePrompts(rows)).toEqual([
      { prompt: 'a', pairs: 3, runs: 2 },
      { prompt: 'b', pairs: 3, runs: 1 },
    ]);
  });

  test('a single prompt is summarised too', () => {
    expect(summarisePrompts([row('only', 'r1', 1), row('only', 'r1', 2)])).toEqual([{ prompt: 'only', pairs: 2, runs: 1 }]);
  });

  test('the correlation table stars the chosen indicator and shows undefined correlations as n/a', () => {
    const text = correlationTable([
      { indicator: 'modulated', pearson: 0.98765, spearman: 0.9, count: 10 },
      { indicator: 'timestep', pearson: null, spearman: null, count: 10 },
    ], 'modulated');
    expect(text).toContain('modulated *');
    expect(text).toContain('0.9877');
    expect(text).toContain('n/a');
  });

  test('the degree table stars the chosen degree', () => {
    const text = degreeTable([
      { degree: 1, train: { r2: 0.5, rmse: 0.1, mae: 0.08 }, crossValidation: null },
      { degree: 2, train: { r2: 0.9, rmse: 0.01, mae: 0.008 }, crossValidation: { r2: 0.88, rmse: 0.012, mae: 0.009, rmseMean: 0.012, rmseStandardError: 0.001 } },
    ], 2);
    expect(text).toContain('2 *');
    expect(text).toContain('0.01200');
  });

  test('an empty set of pairs summarises to no prompts', () => {
    expect(summarisePrompts([])).toEqual([]);
  });

  test('text tables align the first column left and the others right, under a rule as wide as each column', () => {
    expect(textTable({ name: ['a', 'long name'], value: ['1.5', '10.25'] }).split('\n')).toEqual([
      'name       value',
      '---------  -----',
      'a            1.5',
      'long name  10.25',
    ]);
  });
});
