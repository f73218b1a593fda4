import { FormatError, type SweepRow } from '@teacache/core';
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ReportChart } from './chart.js';
import { allHaveFlops, costSpeedup, ORACLE_POLICY, sweepPoints, type SweepPointOptions } from '@teacache/cache';
import { policyColorEncoding } from './policy-palette.js';

/**
 * Chart: measured wall-clock speedup (with its 95% interval from the timed pairs) against the speedup in FLOPs
 * (steps without FLOPs), per model. Skipping stack work cannot save more time than it saves work, so points sit
 * at or under the diagonal; runs whose timing broke that are flagged in the rows and left out here. The oracle is
 * left out: it computes every step to learn the true change, so its wall time is no result.
 */
export function wallSpeedupChart(rows: readonly SweepRow[], options: SweepPointOptions = {}): ReportChart {
  const all = sweepPoints(rows, options).filter((p) => p.policy !== ORACLE_POLICY);
  const byFlops = allHaveFlops(all);
  const points = all.flatMap((p) => (p.wallSpeedup === null ? [] : [{
    ...p, legend: p.variant, speedup: costSpeedup(p, byFlops), low: p.wallSpeedupLow ?? p.wallSpeedup, high: p.wallSpeedupHigh ?? p.wallSpeedup,
  }]));
  if (points.length === 0) {
    throw new FormatError({ file: 'sweep rows', field: 'wallSpeedup' }, 'at least one cached run (not the oracle) with a wall time not flagged impossible', 'none');
  }
  const speedName = byFlops ? 'FLOPs' : 'block-stack steps';
  const flagged = all.reduce((n, p) => n + p.flaggedRuns, 0);
  const pairs = [...new Set(points.map((p) => p.wallPairs))].sort((a, b) => a - b);
  const models = [...new Set(points.map((p) => p.model))];
  const top = Math.max(...points.map((p) => Math.max(p.high, p.speedup)));
  const x = { field: 'speedup', type: 'quantitative' as const, title: `speedup in ${speedName} (×)`, scale: { zero: false } };
  const y = { field: 'wallSpeedup', type: 'quantitative' as const, title: 'wall-clock speedup, measured (×)', scale: { zero: false } };
  const color = policyColorEncoding(points);
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    title: {
      text: 'Wall-clock speedup against work saved',
      subtitle: [
        `bars: 95% interval from ${pairs.join('/')} timed pairs per point (cached and uncached runs of the same prompt and seed, back to back)`,
        `dashed: wall speedup = ${speedName} speedup (the most skipping can save); dotted: no speedup`,
        flagged > 0 ? `${flagged} run(s) whose wall speedup exceeded their step speedup beyond their interval are flagged and left out` : 'no run was flagged impossible',
      ],
    },
    data: { values: points },
    facet: { field: 'model', type: 'nominal', title: null, sort: models },
    columns: Math.min(models.length, 2),
    spec: {
      // two panels to a row, or one larger panel for a single model
      width: models.length === 1 ? 760 : 420,
      height: models.length === 1 ? 400 : 260,
      layer: [
        {
          data: { values: [{ a: 1, b: 1 }, { a: top, b: top }] },
          mark: { type: 'line', strokeDash: [6, 4], color: '#888', strokeWidth: 1 },
          encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
        },
        {
          data: { values: [{ one: 1 }] },
          mark: { type: 'rule', strokeDash: [2, 3], color: '#aaa' },
          encoding: { y: { field: 'one', type: 'quantitative' } },
        },
        {
          mark: { type: 'rule', strokeWidth: 1.2 },
          encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color },
        },
        {
          mark: { type: 'point', filled: true, size: 30 },
          encoding: {
            x, y, color,
            tooltip: [
              { field: 'legend', title: 'policy' }, { field: 'thresholdLabel', title: 'threshold' },
              { field: 'speedup', format: '.3f', title: `${speedName} speedup` }, { field: 'wallSpeedup', format: '.3f', title: 'wall speedup' },
              { field: 'wallSpeedupLow', format: '.3f', title: '95% low' }, { field: 'wallSpeedupHigh', format: '.3f', title: '95% high' },
              { field: 'wallPairs', title: 'timed pairs' }, { field: 'flaggedRuns', title: 'runs flagged' },
            ],
          },
        },
      ],
    },
  };
  return {
    id: 'wall-speedup',
    title: 'Wall-clock speedup',
    description: `Measured wall-clock speedup over the uncached run (y, with its 95% interval) against the speedup in ${speedName} (x). ` +
      'Wall time depends on the machine and its load; the work saved does not. Points far under the diagonal pay for overheads the ' +
      'FLOP count leaves out (indicator, memory traffic, small kernels).',
    spec,
  };
}
