import { FormatError, type SweepRow } from '@teacache/core';
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ReportChart } from './chart.js';
import {
  allHaveFlops, costSpeedup, DEFAULT_PSNR_CAP, DEFAULT_PSNR_PROTOCOL, ORACLE_POLICY, psnrShortLabel, sweepPoints, type SweepPoint, type SweepPointOptions,
} from '@teacache/cache';
import { policyColorEncoding } from './policy-palette.js';

/** The quality measures a speed-quality chart can put on its y axis. */
export type QualityMetric = 'psnr' | 'ssim';

/** Options of the speed-quality charts. */
export interface SpeedQualityOptions extends SweepPointOptions {
  /** PSNR target (dB) drawn as a rule on the PSNR chart; default 30. */
  targetPsnr?: number;
}

/**
 * The oracle's legend entry says what it is: the TeaCache rule fed the true output change, not a method.
 * It bounds what a better indicator could do for that rule, not what any schedule could reach.
 */
function legendLabel(point: SweepPoint): string {
  return point.policy === ORACLE_POLICY ? `${point.variant} (bound)` : point.variant;
}

/** Panel size (px) of the speed-quality charts: two to a row, or one larger panel for a single model. */
function panelSize(models: number): { width: number; height: number } {
  return models === 1 ? { width: 760, height: 440 } : { width: 420, height: 280 };
}

interface Labelled { model: string; speedup: number; psnr: number; ssim: number; label: string; pareto: boolean; nearTarget: boolean }

/**
 * Keep the labels of one panel from printing over each other: points at one place share one label listing their
 * thresholds; then, near-target labels first, a label whose box (about 6.5 px per character, 12 px high, at the
 * point's upper right) would overlap one already kept or a point with its ring, is dropped (the tooltip keeps
 * it). Positions are estimated from the data range, as the chart's linear scales place them.
 */
function placeLabels(points: Labelled[], metric: QualityMetric, panelPx: { width: number; height: number }): void {
  const y = (p: Labelled) => (metric === 'psnr' ? p.psnr : p.ssim);
  for (const model of new Set(points.map((p) => p.model))) {
    const panel = points.filter((p) => p.model === model);
    const [x0, x1] = [Math.min(...panel.map((p) => p.speedup)), Math.max(...panel.map((p) => p.speedup))];
    const [y0, y1] = [Math.min(...panel.map(y)), Math.max(...panel.map(y))];
    const px = (p: Labelled) => (x1 > x0 ? ((p.speedup - x0) / (x1 - x0)) * panelPx.width : 0);
    const py = (p: Labelled) => (y1 > y0 ? (1 - (y(p) - y0) / (y1 - y0)) * panelPx.height : 0);
    const at = new Map<string, Labelled>();
    for (const p of panel) {
      if (p.label === '') continue;
      const key = `${Math.round(px(p))},${Math.round(py(p))}`;
      const first = at.get(key);
      if (first) { first.label = `${first.label}, ${p.label}`; p.label = ''; } else at.set(key, p);
    }
    const boxOf = (p: Labelled) => ({ left: px(p) + 5, right: px(p) + 9 + 6.5 * p.label.length, top: py(p) - 20, bottom: py(p) - 6 });
    const kept: { left: number; right: number; top: number; bottom: number }[] = [];
    // the point with its Pareto ring (about 7 px across each way)
    const dots = panel.map((p) => ({ p, left: px(p) - 7, right: px(p) + 7, top: py(p) - 7, bottom: py(p) + 7 }));
    const order = panel.filter((p) => p.label !== '').sort((a, b) => Number(b.nearTarget) - Number(a.nearTarget) || px(a) - px(b));
    for (const p of order) {
      const box = boxOf(p);
      const hits = (o: typeof box) => box.left < o.right && o.left < box.right && box.top < o.bottom && o.top < box.bottom;
      // points drawn where this one is share its label, so their marks do not count against it
      const elsewhere = (d: (typeof dots)[number]) => Math.abs(px(d.p) - px(p)) >= 1 || Math.abs(py(d.p) - py(p)) >= 1;
      if (kept.some(hits) || dots.some((d) => elsewhere(d) && hits(d))) p.label = '';
      else kept.push(box);
    }
  }
}

/** PSNR (dB) from the target within which a point's threshold is labelled, beside the Pareto front's. */
const LABEL_BAND_DB = 1.5;

/**
 * Chart 3: speedup in FLOPs (steps for rows without FLOPs) against PSNR (or SSIM), one line per policy variant
 * over its thresholds (means over prompts and seeds), policies in their own hue, variants in shades of it, the
 * oracle grey and dashed, the Pareto front ringed; only front points and points near the target are labelled.
 */
export function speedQualityChart(rows: readonly SweepRow[], metric: QualityMetric, options: SpeedQualityOptions = {}): ReportChart {
  const psnrCap = options.psnrCap ?? DEFAULT_PSNR_CAP;
  const targetPsnr = options.targetPsnr ?? 30;
  const protocol = options.psnrProtocol ?? DEFAULT_PSNR_PROTOCOL;
  const raw = sweepPoints(rows, { psnrCap, psnrProtocol: protocol });
  if (raw.length === 0) throw new FormatError({ file: 'sweep rows', field: 'policy' }, 'at least one cached run (a policy other than none)', 'only reference runs');
  const byFlops = allHaveFlops(raw);
  const points = raw.map((p) => {
    const pareto = metric === 'psnr' ? p.paretoPsnr : p.paretoSsim;
    const nearTarget = metric === 'psnr' && Math.abs(p.psnr - targetPsnr) <= LABEL_BAND_DB;
    return { ...p, legend: legendLabel(p), pareto, nearTarget, speedup: costSpeedup(p, byFlops), label: pareto || nearTarget ? p.thresholdLabel : '' };
  });
  const models = [...new Set(points.map((p) => p.model))];
  const panel = panelSize(models.length);
  placeLabels(points, metric, panel);
  const runsPerPoint = [...new Set(points.map((p) => p.runs))].join('/');
  const capped = metric === 'psnr' && points.some((p) => p.identicalRuns > 0);
  const name = metric === 'psnr' ? psnrShortLabel(protocol) : `SSIM${protocol === 'paper' ? ', 8-bit frames' : ', float frames'}`;
  const speedName = byFlops ? 'FLOPs' : 'block-stack steps';
  const subtitle = [
    `each point: mean over ${runsPerPoint} run(s) (prompts × seeds); x: speedup in ${speedName}, the same on any machine (wall time: next chart)`,
    `labels: threshold (k for interval), on the Pareto front${metric === 'psnr' ? ` and within ${LABEL_BAND_DB} dB of the target` : ''}, where they fit (all in the tooltips); ringed: Pareto front (oracle excluded)`,
    `grey dashed: oracle (bound), the rule fed the true output change: a bound, not a method${metric === 'psnr' ? `; dotted rule: ${targetPsnr} dB target` : ''}`,
    ...(capped ? [`runs identical to the uncached output counted at ${psnrCap} dB`] : []),
  ];
  const x = { field: 'speedup', type: 'quantitative' as const, title: `speedup in ${speedName} over uncached (×)`, scale: { zero: false } };
  const y = { field: metric, type: 'quantitative' as const, title: `${name} against the uncached output${metric === 'psnr' ? ' (dB)' : ''}`, scale: { zero: false } };
  const color = policyColorEncoding(points);
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: { text: `Speed against quality (${name})`, subtitle },
    data: { values: points },
    facet: { field: 'model', type: 'nominal', title: null, sort: models },
    columns: Math.min(models.length, 2),
    // each model on its own scales: one model's 15× left another's 1.5× crowded at the left edge (and the label
    // placement above estimates positions per panel)
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: panel.width,
      height: panel.height,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.8 },
          encoding: {
            x, y, color, order: { field: 'threshold', type: 'quantitative' },
            strokeDash: { condition: { test: `datum.policy === '${ORACLE_POLICY}'`, value: [6, 4] }, value: [1, 0] },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 36 },
          encoding: {
            x, y, color,
            tooltip: [
              { field: 'legend', title: 'policy' }, { field: 'thresholdLabel', title: 'threshold' },
              { field: 'flopSpeedup', format: '.3f', title: 'FLOP speedup' }, { field: 'stepSpeedup', format: '.3f', title: 'step speedup' },
              { field: 'wallSpeedup', format: '.3f', title: 'wall speedup' }, { field: 'wallSpeedupLow', format: '.3f', title: 'wall 95% low' },
              { field: 'wallSpeedupHigh', format: '.3f', title: 'wall 95% high' },
              { field: 'psnr', format: '.2f', title: `${psnrShortLabel(protocol)} (dB)` }, { field: 'psnrPooled', format: '.2f', title: 'PSNR pooled float (dB)' },
              { field: 'ssim', format: '.4f', title: 'SSIM' }, { field: 'runs' },
            ],
          },
        },
        {
          transform: [{ filter: 'datum.pareto' }],
          mark: { type: 'point', filled: false, size: 170, stroke: 'black', strokeWidth: 1.2 },
          encoding: { x, y },
        },
        {
          transform: [{ filter: "datum.label !== ''" }],
          mark: { type: 'text', dx: 7, dy: -8, align: 'left', fontSize: 10, color: '#222' },
          encoding: { x, y, text: { field: 'label' } },
        },
        ...(metric === 'psnr' ? [{
          data: { values: [{ target: targetPsnr }] },
          mark: { type: 'rule' as const, strokeDash: [2, 3], color: '#666' },
          encoding: { y: { field: 'target', type: 'quantitative' as const } },
        }] : []),
      ],
    },
  };
  return {
    id: `speed-${metric}`,
    title: `Speed vs quality (${name})`,
    description: `Speedup in ${speedName} over the uncached run (x) against ${name} of the cached output (y), one line per policy ` +
      'variant over its thresholds. Ringed points are not beaten in both speed and quality by any other setting; the oracle, ' +
      'which reads the true output change, marks what an ideal indicator could reach with the same rule.',
    spec,
  };
}
