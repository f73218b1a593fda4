import { packScheduleCells, scheduleCells, skipScheduleChart } from './skip-schedule-chart.js';
import { compileToVega, renderSvg } from './render-svg.js';
import { countDataMarks } from './svg-marks.js';
import { handSweepRow, syntheticSweep } from './synthetic-inputs.js';

describe('scheduleCells', () => {
  test('gives each step the share of runs and branches that computed it (worked by hand)', () => {
    const rows = [handSweepRow({ policy: 'none' }), handSweepRow({ policy: 'none', prompt: 'q' }),
      handSweepRow({ policy: 'teacache', schedule: 'CRRC' }),
      // branches disagree at steps 1 and 2: cond reuses step 1, uncond reuses step 2
      handSweepRow({ policy: 'teacache', prompt: 'q', schedule: 'CRCC/CCRC' })];
    const shares = scheduleCells(rows).map((c) => c.computedShare);
    // 3 branch schedules in all: CRRC, CRCC, CCRC
    expect(shares).toEqual([1, 1 / 3, 1 / 3, 1]);
    expect(scheduleCells(rows)[0]).toMatchObject({ policy: 'teacache', thresholdLabel: '0.1', runs: 2 });
  });
});

describe('packScheduleCells', () => {
  test('packs one variant\'s cells per model and threshold, and flattening the arrays gives every cell back', () => {
    const rows = syntheticSweep({ models: ['dit-s', 'latte-s'], prompts: 2, seeds: 1, steps: 6 });
    const cells = scheduleCells(rows);
    const variant = cells[0].variant;
    const mine = cells.filter((c) => c.variant === variant);
    const packed = packScheduleCells(mine);
    expect(packed.length).toBe(new Set(mine.map((c) => `${c.model}|${c.threshold}`)).size);
    const flattened = packed.flatMap((r) => r.step.map((step, i) => ({
      model: r.model, threshold: r.threshold, thresholdLabel: r.thresholdLabel, runs: r.runs, step, computedShare: r.computedShare[i],
    })));
    expect(flattened).toEqual(mine.map(({ policy: _p, variant: _v, ...rest }) => rest));
  });
});

describe('skipScheduleChart', () => {
  test('compiles without warnings and renders one cell per step and setting', async () => {
    const rows = syntheticSweep({ models: ['dit-s'], prompts: 1, seeds: 1, steps: 10 });
    const chart = skipScheduleChart(rows);
    expect(compileToVega(chart.spec).warnings).toEqual([]);
    const svg = await renderSvg(chart.spec);
    // teacache 5 + oracle 5 + interval 3 settings, 10 steps each
    expect(countDataMarks(svg)).toBe(13 * 10);
    expect(svg).toContain('interval k (steps)');
    expect(svg).toContain('sampling step (index)');
  });

  test('only reference runs is an error', () => {
    expect(() => skipScheduleChart([handSweepRow({ policy: 'none' })])).toThrow(/at least one cached run/);
  });
});
