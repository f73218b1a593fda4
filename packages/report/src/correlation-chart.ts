import { CHEAP_INDICATORS, FormatError, polynomialGoodnessOfFit, polyvalHighestFirst, type FitTarget, type Indicator } from '@teacache/core';
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ReportChart } from './chart.js';
import { checkCoefficients, type CoefficientsInput } from './coefficients-input.js';
import { linspace } from './linspace.js';
import { SIGNAL_LABELS } from './signal-labels.js';
import { joinTraceRuns, type TraceInput } from './trace-runs.js';


/** One panel of the correlation chart: the measured pairs of one model and indicator, and the fit if any. */
export interface CorrelationPanel {
  model: string;
  indicator: Indicator;
  target: FitTarget;
  points: { x: number; y: number }[];
  fit: CoefficientsInput | null;
  /** R² of the fitted polynomial on this panel's points; null without a fit or with constant y. */
  r2: number | null;
}

const MEASURED = 'measured step pairs';
const FITTED = 'fitted polynomial (over its x range)';

/**
 * The panels: every traced model × cheap indicator against the output, plus any other (indicator, target)
 * a coefficient set is for. A set for a model without traces, or two sets for one panel, is an error.
 */
export function correlationPanels(traces: TraceInput, coefficients: readonly CoefficientsInput[] = []): CorrelationPanel[] {
  const runs = joinTraceRuns(traces);
  checkCoefficients(coefficients, 'coefficients');
  const models = [...new Set(runs.map((r) => r.meta.model))];
  const key = (m: string, i: string, t: string) => JSON.stringify([m, i, t]);
  const fits = new Map<string, CoefficientsInput>();
  coefficients.forEach((c, index) => {
    const where = { file: c.source ?? 'coefficients', row: c.source ? undefined : index + 1, field: 'model' };
    if (!models.includes(c.model)) throw new FormatError(where, `a model with traces (${models.join(', ')})`, c.model);
    const k = key(c.model, c.indicator, c.target);
    if (fits.has(k)) throw new FormatError({ ...where, field: 'indicator' }, `one coefficient set per model, indicator and target`, `a second ${c.indicator} → ${c.target} set for ${c.model}`);
    fits.set(k, c);
  });
  const wanted: { model: string; indicator: Indicator; target: FitTarget }[] = [];
  for (const model of models) {
    // The indicators a policy can read get a panel per model even without a fit.
    for (const indicator of CHEAP_INDICATORS) wanted.push({ model, indicator, target: 'output' });
    for (const c of coefficients) {
      if (c.model === model && !wanted.some((w) => key(w.model, w.indicator, w.target) === key(c.model, c.indicator, c.target))) {
        wanted.push({ model, indicator: c.indicator, target: c.target });
      }
    }
  }
  const panels = wanted.map(({ model, indicator, target }) => {
    const points = runs.filter((r) => r.meta.model === model).flatMap((r) => r.rows)
      .flatMap((row) => {
        const x = row.relL1[indicator];
        const y = row.relL1[target];
        return x === null || y === null ? [] : [{ x, y }];
      });
    const fit = fits.get(key(model, indicator, target)) ?? null;
    const r2 = fit && points.length > 0 ? polynomialGoodnessOfFit(points.map((p) => p.x), points.map((p) => p.y), fit.coefficients.highestFirst).r2 : null;
    return { model, indicator, target, points, fit, r2 };
  });
  // Traces from other frameworks may leave a signal's column out: its panel is dropped, unless a fit asks for it.
  const empty = panels.find((p) => p.points.length === 0 && (p.fit !== null || panels.every((q) => q.model !== p.model || q.points.length === 0)));
  if (empty) {
    throw new FormatError({ file: 'trace input', field: `relL1.${empty.indicator}` },
      `steps after step 0 with both ${empty.indicator} and ${empty.target} for model "${empty.model}" (pairs to plot)`, 'none');
  }
  return panels.filter((p) => p.points.length > 0);
}

/** Chart 2: indicator vs output relative L1 per model and indicator, with the fitted polynomial and its R². */
export function correlationChart(traces: TraceInput, coefficients: readonly CoefficientsInput[] = []): ReportChart {
  const panels = correlationPanels(traces, coefficients);
  const models = [...new Set(panels.map((p) => p.model))];
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: { text: 'Indicator change against output change', subtitle: 'each point is one step of one run and guidance branch' },
    vconcat: models.map((model) => ({ hconcat: panels.filter((p) => p.model === model).map(panelSpec) })),
    resolve: { scale: { color: 'shared' } },
  };
  return {
    id: 'correlation',
    title: 'Indicator vs output change',
    description: 'For each model and indicator, the relative L1 of the indicator (x) against that of the output (y) at the ' +
      'same step; the fitted rescaling polynomial is drawn over the x range it was fitted on, with its R² on these points.',
    spec,
  };
}

function panelSpec(panel: CorrelationPanel) {
  const { fit } = panel;
  const xs = panel.points.map((p) => p.x);
  const range = fit?.xRange ?? (xs.length > 0 ? [xs.reduce((a, b) => Math.min(a, b)), xs.reduce((a, b) => Math.max(a, b))] as const : null);
  const curve = fit && range ? linspace(range[0], range[1], 60).map((x) => ({ x, y: polyvalHighestFirst(fit.coefficients.highestFirst, x) })) : [];
  const values = [
    ...panel.points.map((p) => ({ ...p, series: MEASURED })),
    ...curve.map((p) => ({ ...p, series: FITTED })),
  ];
  const subtitle = !fit ? ['no fitted polynomial'] : [
    `R² = ${formatR2(panel.r2)} on these points` + (fit.statistics?.train.r2 != null ? ` (fit: ${formatR2(fit.statistics.train.r2)})` : ''),
    ...(fit.xRange ? [] : ['x range not recorded: drawn over the data']),
  ];
  return {
    title: { text: `${panel.model}: ${SIGNAL_LABELS[panel.indicator]}`, subtitle, fontSize: 12, subtitleFontSize: 11 },
    width: 260,
    height: 200,
    data: { values },
    layer: [
      {
        transform: [{ filter: { field: 'series', equal: MEASURED } }],
        mark: { type: 'point' as const, filled: true, size: 14, opacity: 0.5 },
        encoding: encoding(panel),
      },
      {
        transform: [{ filter: { field: 'series', equal: FITTED } }],
        mark: { type: 'line' as const, strokeWidth: 2.2 },
        encoding: encoding(panel),
      },
    ],
  };
}

function encoding(panel: CorrelationPanel) {
  return {
    x: { field: 'x', type: 'quantitative' as const, title: `relative L1 of ${SIGNAL_LABELS[panel.indicator]}`, scale: { zero: false } },
    y: { field: 'y', type: 'quantitative' as const, title: `relative L1 of ${SIGNAL_LABELS[panel.target]}`, scale: { zero: false } },
    color: {
      field: 'series', type: 'nominal' as const, title: null,
      scale: { domain: [MEASURED, FITTED], range: ['#4c78a8', '#e45756'] },
      legend: { symbolOpacity: 1 },
    },
  };
}

function formatR2(r2: number | null): string {
  return r2 === null ? 'undefined (constant y)' : r2.toFixed(3);
}
