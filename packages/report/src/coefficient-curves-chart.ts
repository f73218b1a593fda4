import { basename } from 'node:path';
import { FormatError, INDICATORS, polyvalHighestFirst, type FitTarget, type Indicator } from '@teacache/core';
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ReportChart } from './chart.js';
import { checkCoefficients, type CoefficientsInput } from './coefficients-input.js';
import { linspace } from './linspace.js';
import { SIGNAL_LABELS } from './signal-labels.js';

/** Options of the coefficient-curves chart. */
export interface CoefficientCurvesOptions {
  /**
   * Indicator range to draw a set over when it records none (published sets rarely do). Default: the span
   * of our fits' ranges, or [0, 0.3] without fits.
   */
  fallbackXRange?: readonly [number, number];
  /**
   * Top of the y axis, so a polynomial evaluated far outside its fitted range cannot flatten the others
   * (curves leave the plot there). Default: the larger of 1 and our fits' highest value.
   */
  yMax?: number;
}

/** Where a curve comes from, and whether its x range is its own: drawn with different dashes. */
export type CurveSource = 'ours' | 'published' | 'published, range assumed';

/** One drawn curve: a coefficient set evaluated on a grid over its x range. */
export interface CoefficientCurve {
  label: string;
  source: CurveSource;
  indicator: Indicator;
  target: FitTarget;
  xRange: readonly [number, number];
  points: { x: number; y: number }[];
}

/** Curves of our fits and of published reference sets, each over the x range it was fitted on (or the fallback). */
export function coefficientCurves(ours: readonly CoefficientsInput[], references: readonly CoefficientsInput[],
  options: CoefficientCurvesOptions = {}): CoefficientCurve[] {
  if (ours.length + references.length === 0) {
    throw new FormatError({ file: 'coefficient curves input' }, 'at least one coefficient set (ours or a reference)', 'none');
  }
  checkCoefficients(ours, 'coefficients');
  checkCoefficients(references, 'references');
  const fallback = fallbackRange(ours, options);
  const sets = [...ours.map((set) => ({ set, ours: true })), ...references.map((set) => ({ set, ours: false }))];
  const curves = sets.map(({ set, ours: isOurs }) => curve(set, isOurs, fallback));
  // Sets of one model for the same indicator (e.g. with and without retention steps): tell them apart by file.
  const count = new Map<string, number>();
  const key = (c: CoefficientCurve) => `${c.indicator}\u0000${c.label}`;
  for (const c of curves) count.set(key(c), (count.get(key(c)) ?? 0) + 1);
  curves.forEach((c, i) => {
    if (count.get(key(c))! > 1) {
      const source = sets[i].set.source;
      c.label += source ? ` [${basename(source).replace(/\.json$/, '')}]` : ` [#${i + 1}]`;
    }
  });
  return curves;
}

/** The x range for sets that record none: the option, else the span of our fits, else [0, 0.3]. */
export function fallbackRange(ours: readonly CoefficientsInput[], options: CoefficientCurvesOptions = {}): readonly [number, number] {
  const ranges = ours.map((s) => s.xRange).filter((r): r is readonly [number, number] => r != null);
  const range = options.fallbackXRange ??
    (ranges.length > 0 ? [Math.min(...ranges.map((r) => r[0])), Math.max(...ranges.map((r) => r[1]))] as const : [0, 0.3] as const);
  if (!(Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[0] < range[1])) {
    throw new FormatError({ file: 'options', field: 'fallbackXRange' }, '[min, max] with finite min < max', `[${range.join(', ')}]`);
  }
  return range;
}

function curve(set: CoefficientsInput, ours: boolean, fallback: readonly [number, number]): CoefficientCurve {
  const source: CurveSource = ours ? 'ours' : set.xRange == null ? 'published, range assumed' : 'published';
  const xRange = set.xRange ?? fallback;
  const label = `${set.model}${ours ? ' (ours)' : ''}${set.target === 'output' ? '' : ` → ${set.target}`}`;
  const points = linspace(xRange[0], xRange[1], 80).map((x) => ({ x, y: polyvalHighestFirst(set.coefficients.highestFirst, x) }));
  return { label, source, indicator: set.indicator, target: set.target, xRange, points };
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/**
 * Chart 5: our fitted polynomials beside published reference sets, one panel per indicator, each curve over
 * the x range it was fitted on; sets without a published range are drawn over the fallback range, as the legend says.
 */
export function coefficientCurvesChart(ours: readonly CoefficientsInput[], references: readonly CoefficientsInput[],
  options: CoefficientCurvesOptions = {}): ReportChart {
  const curves = coefficientCurves(ours, references, options);
  const fallback = fallbackRange(ours, options);
  const ourValues = curves.filter((c) => c.source === 'ours').flatMap((c) => c.points.map((p) => p.y));
  const yMax = options.yMax ?? Math.max(1, ...ourValues);
  const allValues = curves.flatMap((c) => c.points.map((p) => p.y));
  const clipped = Math.max(...allValues) > yMax || Math.min(...allValues) < -0.25 * yMax;
  const sourceNames: Record<CurveSource, string> = {
    ours: 'ours, over its fitted range',
    published: 'published, over its fitted range',
    'published, range assumed': `published, range not published: drawn over ${fmt(fallback[0])}–${fmt(fallback[1])}`,
  };
  const sources = (Object.keys(sourceNames) as CurveSource[]).filter((s) => curves.some((c) => c.source === s));
  const indicators = INDICATORS.filter((i) => curves.some((c) => c.indicator === i));
  const panel = (indicator: Indicator) => {
    const mine = curves.filter((c) => c.indicator === indicator);
    return {
      title: { text: `indicator: ${SIGNAL_LABELS[indicator]}`, fontSize: 12 },
      width: 440,
      height: 260,
      data: { values: mine.flatMap((c) => c.points.map((p) => ({ ...p, label: c.label, source: sourceNames[c.source] }))) },
      mark: { type: 'line' as const, strokeWidth: 2, clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative' as const, title: `relative L1 of ${SIGNAL_LABELS[indicator]}` },
        y: {
          field: 'y', type: 'quantitative' as const, title: 'estimated output relative L1, poly(x)',
          ...(clipped ? { scale: { domain: [-0.25 * yMax, yMax], nice: false } } : {}),
        },
        color: {
          field: 'label', type: 'nominal' as const, title: 'coefficient set', sort: mine.map((c) => c.label),
          scale: { scheme: mine.length > 10 ? 'category20' : 'tableau10' }, legend: { symbolLimit: 60 },
        },
        strokeDash: {
          field: 'source', type: 'nominal' as const, title: 'source and x range',
          scale: { domain: sources.map((s) => sourceNames[s]), range: sources.map((s) => (s === 'ours' ? [1, 0] : s === 'published' ? [7, 3] : [2, 2])) },
        },
        tooltip: [{ field: 'label', title: 'set' }, { field: 'source' }, { field: 'x', format: '.4f' }, { field: 'y', format: '.4f' }],
      },
    };
  };
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: 'Rescaling polynomials: ours and published, per indicator',
      subtitle: [
        'each curve over the indicator range it was fitted on, or, where none was published, the assumed range in the legend',
        ...(clipped ? [`y axis cut at ${fmt(yMax)}: a polynomial far outside its fitted range leaves the plot`] : []),
      ],
    },
    vconcat: indicators.map(panel),
    resolve: { scale: { color: 'independent', strokeDash: 'shared' } },
  };
  return {
    id: 'coefficient-curves',
    title: 'Rescaling polynomials: ours and published',
    description: 'Each coefficient set maps the indicator\'s relative L1 (x) to an estimate of the output\'s (y), one panel per ' +
      'indicator. Solid: fitted by this toolkit, over the x range of its data; dashed: published sets over their fitted range; ' +
      'dotted: published sets whose range was not published, drawn over an assumed range.',
    spec,
  };
}
