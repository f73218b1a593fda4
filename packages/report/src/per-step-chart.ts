import type { Signal } from '@teacache/core';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ReportChart } from './chart.js';
import { quartiles } from './quantile.js';
import { SIGNAL_LABELS, SIGNAL_ORDER } from './signal-labels.js';
import { joinTraceRuns, type TraceInput } from './trace-runs.js';

/** One point of the per-step curves: a model's signal at one step, summarised across runs and branches. */
export interface PerStepPoint {
  model: string;
  signal: Signal;
  signalLabel: string;
  step: number;
  median: number;
  q1: number;
  q3: number;
  /** How many (run, branch) values the summary is over. */
  samples: number;
}

/**
 * Median and interquartile range of each signal's relative L1 at each step, per model, across runs
 * (prompts × seeds) and guidance branches. Step 0 has no previous step and is left out.
 */
export function perStepPoints(traces: TraceInput): PerStepPoint[] {
  const groups = new Map<string, { model: string; signal: Signal; step: number; values: number[] }>();
  for (const run of joinTraceRuns(traces)) {
    for (const row of run.rows) {
      for (const signal of SIGNAL_ORDER) {
        const value = row.relL1[signal];
        if (value === null) continue;
        const key = `${run.meta.model}\u0000${signal}\u0000${row.step}`;
        let group = groups.get(key);
        if (!group) groups.set(key, group = { model: run.meta.model, signal, step: row.step, values: [] });
        group.values.push(value);
      }
    }
  }
  return [...groups.values()].map((g) => ({
    model: g.model, signal: g.signal, signalLabel: SIGNAL_LABELS[g.signal], step: g.step,
    ...quartiles(g.values), samples: g.values.length,
  }));
}

/** Chart 1: relative L1 of each indicator and of the output over the sampling steps, one panel per model. */
export function perStepChart(traces: TraceInput): ReportChart {
  const points = perStepPoints(traces);
  const models = [...new Set(points.map((p) => p.model))];
  // Relative changes span decades between signals; a log axis shows them all, when no value is 0.
  const logScale = points.every((p) => p.q1 > 0);
  const runs = new Set(traces.rows.map((r) => r.runId)).size;
  const y = { scale: { type: logScale ? 'log' as const : 'linear' as const } };
  const signalNames = SIGNAL_ORDER.map((s) => SIGNAL_LABELS[s]);
  const color = {
    field: 'signalLabel', type: 'nominal' as const, title: 'signal', sort: signalNames,
    scale: { domain: signalNames, scheme: 'tableau10' },
    // the band layer would otherwise make the legend swatches pale
    legend: { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 },
  };
  return {
    id: 'per-step',
    title: 'Per-step change of indicators and output',
    description: 'Relative L1 of each signal against the previous step, over the sampling steps: the median across ' +
      `${runs} run(s) (prompts × seeds) and guidance branches, with the interquartile range as a band.`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      config: CHART_CONFIG,
      title: { text: 'Relative L1 to the previous step, per sampling step', subtitle: `line: median across runs and guidance branches; band: interquartile range${logScale ? '; log scale' : ''}` },
      data: { values: points },
      facet: { field: 'model', type: 'nominal', title: null, sort: models },
      columns: Math.min(models.length, 2),
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 380,
        height: 240,
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'sampling step (index)', axis: { tickMinStep: 1, format: 'd' } },
          color,
        },
        layer: [
          {
            mark: { type: 'area', opacity: 0.18 },
            encoding: {
              y: { field: 'q1', type: 'quantitative', ...y, title: 'relative L1 to previous step' },
              y2: { field: 'q3' },
            },
          },
          {
            mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.8 },
            encoding: {
              y: { field: 'median', type: 'quantitative', ...y },
              tooltip: [
                { field: 'model' }, { field: 'signalLabel', title: 'signal' }, { field: 'step' },
                { field: 'median', format: '.4g' }, { field: 'q1', format: '.4g' }, { field: 'q3', format: '.4g' },
                { field: 'samples' },
              ],
            },
          },
        ],
      },
    },
  };
}
