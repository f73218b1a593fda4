import { FormatError, policyRank, REFERENCE_POLICY, type SweepRow } from '@teacache/core';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ReportChart } from './chart.js';
import { checkSweepRows, thresholdLabel, variantLabels } from '@teacache/cache';

/** One cell of the skip-schedule heatmap: how often a step was computed at one policy setting. */
export interface ScheduleCell {
  model: string;
  policy: string;
  /** The policy plus the parameters that tell its variants apart (see variantLabels). */
  variant: string;
  threshold: number;
  thresholdLabel: string;
  step: number;
  /** Share of runs (and guidance branches) that computed the step, 0 (always reused) to 1 (always computed). */
  computedShare: number;
  runs: number;
}

/** Per model × policy × threshold × step, the share of runs and branches whose schedule computed the step. */
export function scheduleCells(rows: readonly SweepRow[]): ScheduleCell[] {
  const groups = new Map<string, { row: SweepRow; computed: number[]; branches: number; runs: number }>();
  const cached = checkSweepRows(rows).filter((r) => r.policy !== REFERENCE_POLICY);
  const labels = variantLabels(cached);
  for (const row of cached) {
    const key = JSON.stringify([row.model, labels.get(row), row.threshold, row.steps]);
    let group = groups.get(key);
    if (!group) groups.set(key, group = { row, computed: new Array<number>(row.steps).fill(0), branches: 0, runs: 0 });
    group.runs += 1;
    for (const branch of row.schedule.split('/')) {
      group.branches += 1;
      for (let step = 0; step < row.steps; step++) if (branch[step] === 'C') group.computed[step] += 1;
    }
  }
  return [...groups.values()].flatMap(({ row, computed, branches, runs }) => computed.map((c, step) => ({
    model: row.model, policy: row.policy, variant: labels.get(row)!, threshold: row.threshold!, thresholdLabel: thresholdLabel(row.policy, row.threshold!),
    step, computedShare: c / branches, runs,
  })));
}

/** One variant's cells as one data row per model and threshold with the steps as arrays (flattened by the chart). */
interface PackedScheduleRow {
  model: string;
  threshold: number;
  thresholdLabel: string;
  runs: number;
  step: number[];
  computedShare: number[];
}

/**
 * Pack cells into rows per model and threshold: a report of four models' sweeps has ~20,000 cells, and one
 * object per cell repeating its labels made the chart's data 20× larger than the shares it carries.
 */
export function packScheduleCells(cells: readonly ScheduleCell[]): PackedScheduleRow[] {
  const rows = new Map<string, PackedScheduleRow>();
  for (const c of cells) {
    const key = JSON.stringify([c.model, c.threshold]);
    let row = rows.get(key);
    if (!row) rows.set(key, row = { model: c.model, threshold: c.threshold, thresholdLabel: c.thresholdLabel, runs: c.runs, step: [], computedShare: [] });
    row.step.push(c.step);
    row.computedShare.push(c.computedShare);
  }
  return [...rows.values()];
}

/** Width (px) the model panels of one row share, so the chart fits a 1400 px page beside its labels and legend. */
export const SCHEDULE_PANELS_WIDTH = 1040;
/** Width (px) each further model panel's own threshold axis (labels and title) takes from the panels' share. */
export const SCHEDULE_AXIS_WIDTH = 70;

/** Chart 4: which steps each policy setting computed or reused, steps × thresholds, per policy and model. */
export function skipScheduleChart(rows: readonly SweepRow[]): ReportChart {
  const cells = scheduleCells(rows);
  if (cells.length === 0) throw new FormatError({ file: 'sweep rows', field: 'policy' }, 'at least one cached run (a policy other than none)', 'only reference runs');
  const models = [...new Set(cells.map((c) => c.model))];
  // Policies in their usual order (the oracle, a bound, last); variants of one policy by name.
  const rank = (c: ScheduleCell) => policyRank(c.policy);
  // cells narrow as models and steps grow, so every model sits side by side within the page
  const maxSteps = Math.max(...cells.map((c) => c.step + 1));
  const panelsWidth = SCHEDULE_PANELS_WIDTH - SCHEDULE_AXIS_WIDTH * (models.length - 1);
  const stepPx = Math.max(3, Math.min(16, Math.floor(panelsWidth / (models.length * maxSteps))));
  const labelEvery = stepPx >= 10 ? 5 : stepPx >= 5 ? 10 : 20;
  const variants = [...new Map(cells.map((c) => [c.variant, c])).values()]
    .sort((a, b) => rank(a) - rank(b) || a.variant.localeCompare(b.variant, undefined, { numeric: true })).map((c) => c.variant);
  return {
    id: 'skip-schedule',
    title: 'Skip schedules',
    description: 'For each policy and threshold (rows) and sampling step (columns): dark cells computed the block stack, ' +
      'light cells reused the cached residual; shades between are steps computed in some runs and reused in others.',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      config: CHART_CONFIG,
      title: { text: 'Skip schedule: computed or reused, per step', subtitle: 'share of runs (prompts × seeds × guidance branches) that computed each step' },
      // One block per policy variant (their thresholds differ in kind), one column per model.
      vconcat: variants.map((variant) => ({
        title: { text: variant, fontSize: 12, subtitle: '' },
        data: { values: packScheduleCells(cells.filter((c) => c.variant === variant)) },
        transform: [{ flatten: ['step', 'computedShare'] }],
        facet: { column: { field: 'model', type: 'nominal', title: null, sort: models } },
        // each model its own threshold rows: a shared axis left empty rows for every other model's thresholds
        resolve: { scale: { y: 'independent' } },
        spec: {
          width: { step: stepPx },
          height: { step: 14 },
          mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
          encoding: {
            x: { field: 'step', type: 'ordinal', title: 'sampling step (index)', axis: { labelAngle: 0, labelExpr: `datum.value % ${labelEvery} === 0 ? datum.label : ""` } },
            // every threshold row named: rows are 14 px, labels 10 px, so none is dropped as overlapping
            y: {
              field: 'thresholdLabel', type: 'ordinal', title: variant.startsWith('interval') ? 'interval k (steps)' : 'threshold',
              sort: { field: 'threshold', order: 'ascending' }, axis: { labelOverlap: false, labelFontSize: 10 },
            },
            color: {
              field: 'computedShare', type: 'quantitative', title: ['computed', '(share of runs)'],
              scale: { domain: [0, 1], range: ['#eef3f8', '#1f4e79'] }, legend: { format: '.0%', gradientLength: 120 },
            },
            tooltip: [
              { field: 'model' }, { field: 'thresholdLabel', title: 'threshold' }, { field: 'step' },
              { field: 'computedShare', format: '.0%', title: 'computed' }, { field: 'runs' },
            ],
          },
        },
      })),
      resolve: { scale: { color: 'shared' } },
    },
  };
}
