import { FormatError, type SweepRow } from '@teacache/core';
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ReportChart } from './chart.js';
import { DEFAULT_PSNR_CAP, ORACLE_POLICY, sweepPoints, type SweepPoint, type SweepPointOptions } from './sweep-points.js';

/** The quality measures a speed-quality chart can put on its y axis. */
export type QualityMetric = 'psnr' | 'ssim';

/** Options of the speed-quality charts. */
export interface SpeedQualityOptions extends SweepPointOptions {
  /** PSNR target (dB) drawn as a rule on the PSNR chart; default 30. */
  targetPsnr?: number;
}

const AXIS_TITLES: Record<QualityMetric, string> = {
  psnr: 'PSNR against the uncached output (dB)',
  ssim: 'SSIM against the uncached output (0–1)',
};

/**
 * The oracle's legend entry says what it is: the TeaCache rule fed the true output change, not a method.
 * It bounds what a better indicator could do for that rule, not what any schedule could reach.
 */
function legendLabel(point: SweepPoint): string {
  return point.policy === ORACLE_POLICY ? `${point.variant} (rule fed the true output change)` : point.variant;
}

/**
 * Chart 3: wall-clock speedup against PSNR (or SSIM), one line per policy over its thresholds (means over
 * prompts and seeds), the oracle dashed, the Pareto front ringed, thresholds labelled.
 */
export function speedQualityChart(rows: readonly SweepRow[], metric: QualityMetric, options: SpeedQualityOptions = {}): ReportChart {
  const psnrCap = options.psnrCap ?? DEFAULT_PSNR_CAP;
  const targetPsnr = options.targetPsnr ?? 30;
  const points = sweepPoints(rows, { psnrCap }).map((p) => ({
    ...p, legend: legendLabel(p), pareto: metric === 'psnr' ? p.paretoPsnr : p.paretoSsim,
  }));
  if (points.length === 0) throw new FormatError({ file: 'sweep rows', field: 'policy' }, 'at least one cached run (a policy other than none)', 'only reference runs');
  const models = [...new Set(points.map((p) => p.model))];
  const runsPerPoint = [...new Set(points.map((p) => p.runs))].join('/');
  const capped = metric === 'psnr' && points.some((p) => p.identicalRuns > 0);
  const name = metric === 'psnr' ? 'PSNR' : 'SSIM';
  const subtitle = [
    `each point: mean over ${runsPerPoint} run(s) (prompts × seeds); labels: threshold (k for interval)`,
    'ringed: Pareto front (oracle excluded); dashed: oracle, at its step-count speedup' +
      (metric === 'psnr' ? `; dotted rule: ${targetPsnr} dB target` : ''),
    ...(capped ? [`runs identical to the uncached output counted at ${psnrCap} dB`] : []),
  ];
  const x = { field: 'wallSpeedup', type: 'quantitative' as const, title: 'wall-clock speedup over uncached (×)', scale: { zero: false } };
  const y = { field: metric, type: 'quantitative' as const, title: AXIS_TITLES[metric], scale: { zero: false } };
  // legend in the points' order: policies as the cache package lists them, the oracle last
  const legendOrder = [...new Set(points.map((p) => p.legend))];
  const color = { field: 'legend', type: 'nominal' as const, title: 'policy', sort: legendOrder, scale: { domain: legendOrder, scheme: legendOrder.length > 10 ? 'tableau20' : 'tableau10' }, legend: { symbolOpacity: 1 } };
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: { text: `Speed against quality (${name})`, subtitle },
    data: { values: points },
    facet: { field: 'model', type: 'nominal', title: null, sort: models },
    columns: Math.min(models.length, 2),
    spec: {
      width: 380,
      height: 260,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.8 },
          encoding: {
            x, y, color, order: { field: 'threshold', type: 'quantitative' },
            strokeDash: { condition: { test: `datum.policy === '${ORACLE_POLICY}'`, value: [6, 4] }, value: [1, 0] },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 40 },
          encoding: {
            x, y, color,
            tooltip: [
              { field: 'legend', title: 'policy' }, { field: 'thresholdLabel', title: 'threshold' },
              { field: 'wallSpeedup', format: '.3f', title: 'wall speedup' }, { field: 'stepSpeedup', format: '.3f', title: 'step speedup' },
              { field: 'psnr', format: '.2f', title: 'PSNR (dB)' }, { field: 'ssim', format: '.4f', title: 'SSIM' }, { field: 'runs' },
            ],
          },
        },
        {
          transform: [{ filter: 'datum.pareto' }],
          mark: { type: 'point', filled: false, size: 190, stroke: 'black', strokeWidth: 1.4 },
          encoding: { x, y },
        },
        {
          mark: { type: 'text', dx: 6, dy: -7, align: 'left', fontSize: 9, color: '#333' },
          encoding: { x, y, text: { field: 'thresholdLabel' } },
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
    description: `Wall-clock speedup over the uncached run (x) against ${name} of the cached output (y), one line per policy ` +
      'over its thresholds. Ringed points are not beaten in both speed and quality by any other setting; the oracle, ' +
      'which reads the true output change, marks what an ideal indicator could reach.',
    spec,
  };
}
