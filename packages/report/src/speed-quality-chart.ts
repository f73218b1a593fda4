import { FormatError, type SweepRow } from '@teacache/core';
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ReportChart } from './chart.js';
import { costSpeedup, DEFAULT_PSNR_CAP, ORACLE_POLICY, sweepPoints, type SweepPoint, type SweepPointOptions } from './sweep-points.js';
import { DEFAULT_PSNR_PROTOCOL, psnrShortLabel } from './psnr-protocol.js';
import { policyPalette } from './policy-palette.js';

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
  return point.policy === ORACLE_POLICY ? `${point.variant} (bound: rule fed the true output change)` : point.variant;
}

/**
 * Points of one panel drawn at the same place (to a pixel or so) get one label listing their thresholds,
 * so labels never print over each other there.
 */
function mergeCoincidentLabels(points: { model: string; legend: string; speedup: number; psnr: number; ssim: number; label: string }[], metric: QualityMetric): void {
  const at = new Map<string, { label: string }>();
  for (const p of points) {
    if (p.label === '') continue;
    const key = JSON.stringify([p.model, p.speedup.toFixed(2), (metric === 'psnr' ? p.psnr : p.ssim * 100).toFixed(1)]);
    const first = at.get(key);
    if (first) {
      first.label = `${first.label}, ${p.label}`;
      p.label = '';
    } else at.set(key, p);
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
  const byFlops = raw.every((p) => p.flopSpeedup !== null);
  const points = raw.map((p) => {
    const pareto = metric === 'psnr' ? p.paretoPsnr : p.paretoSsim;
    const nearTarget = metric === 'psnr' && Math.abs(p.psnr - targetPsnr) <= LABEL_BAND_DB;
    return { ...p, legend: legendLabel(p), pareto, speedup: costSpeedup(p), label: pareto || nearTarget ? p.thresholdLabel : '' };
  });
  mergeCoincidentLabels(points, metric);
  const models = [...new Set(points.map((p) => p.model))];
  const runsPerPoint = [...new Set(points.map((p) => p.runs))].join('/');
  const capped = metric === 'psnr' && points.some((p) => p.identicalRuns > 0);
  const name = metric === 'psnr' ? psnrShortLabel(protocol) : `SSIM${protocol === 'paper' ? ', 8-bit frames' : ', float frames'}`;
  const speedName = byFlops ? 'FLOPs' : 'block-stack steps';
  const subtitle = [
    `each point: mean over ${runsPerPoint} run(s) (prompts × seeds); x: speedup in ${speedName}, the same on any machine (wall time: next chart)`,
    `labels: threshold (k for interval), on the Pareto front${metric === 'psnr' ? ` and within ${LABEL_BAND_DB} dB of the target` : ''}; ringed: Pareto front (oracle excluded)`,
    `grey dashed: oracle, the rule fed the true output change (a bound, not a method)${metric === 'psnr' ? `; dotted rule: ${targetPsnr} dB target` : ''}`,
    ...(capped ? [`runs identical to the uncached output counted at ${psnrCap} dB`] : []),
  ];
  const x = { field: 'speedup', type: 'quantitative' as const, title: `speedup in ${speedName} over uncached (×)`, scale: { zero: false } };
  const y = { field: metric, type: 'quantitative' as const, title: `${name} against the uncached output${metric === 'psnr' ? ' (dB)' : ''}`, scale: { zero: false } };
  const palette = policyPalette(points);
  const color = {
    field: 'legend', type: 'nominal' as const, title: 'policy', sort: palette.domain, scale: palette,
    legend: { symbolOpacity: 1, orient: 'bottom' as const, columns: 2, labelLimit: 520 },
  };
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: { text: `Speed against quality (${name})`, subtitle },
    data: { values: points },
    facet: { field: 'model', type: 'nominal', title: null, sort: models },
    columns: Math.min(models.length, 2),
    spec: {
      width: 420,
      height: 280,
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
