import { FormatError, mean, type Branch, type TraceRow } from '@teacache/core';
import type { MagRatios } from './policy-spec.js';

/** Round half to even, as numpy.round does (MagCache's resampling rounds with it). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Resample per-step ratios calibrated for one step count to another by nearest index, as MagCache's
 * nearest_interp does: target index i reads source index round(i·(n-1)/(m-1)).
 */
export function resampleMagRatios(ratios: readonly number[], steps: number): number[] {
  if (ratios.length === 0) throw new RangeError('resampleMagRatios: no ratios');
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`resampleMagRatios: steps must be a whole number >= 1, found ${steps}`);
  if (steps === ratios.length) return [...ratios];
  if (steps === 1) return [ratios[ratios.length - 1]];
  const scale = (ratios.length - 1) / (steps - 1);
  return Array.from({ length: steps }, (_, i) => ratios[roundHalfEven(i * scale)]);
}

/** The ratios a branch uses: its own list when given per branch (uncond falls back to cond). */
export function ratiosForBranch(ratios: MagRatios, branch: Branch): readonly number[] {
  if (Array.isArray(ratios)) return ratios;
  const perBranch = ratios as { cond: readonly number[]; uncond?: readonly number[] };
  return branch === 'uncond' ? perBranch.uncond ?? perBranch.cond : perBranch.cond;
}

/**
 * Average several per-step ratio series of equal length (index = step, index 0 is 1 by convention),
 * e.g. one series per calibration prompt.
 */
export function meanRatioSeries(series: readonly (readonly number[])[]): number[] {
  if (series.length === 0) throw new FormatError({ field: 'series' }, 'at least one ratio series', 'none');
  const n = series[0].length;
  series.forEach((s, i) => {
    if (s.length !== n) throw new FormatError({ field: `series[${i}]` }, `${n} steps (as the first series)`, s.length);
    s.forEach((v, t) => {
      if (!Number.isFinite(v) || v <= 0) throw new FormatError({ field: `series[${i}][${t}]` }, 'a finite ratio > 0', v);
    });
  });
  return Array.from({ length: n }, (_, t) => mean(series.map((s) => s[t])));
}

/**
 * Calibrate MagCache's per-step magnitude ratios from residual magnitudes, one series per run
 * (magnitude of the stack residual at each step of a fully computed run): ratio[t] = m[t] / m[t-1],
 * ratio[0] = 1, averaged over the runs.
 */
export function calibrateMagRatios(magnitudes: readonly (readonly number[])[]): number[] {
  const series = magnitudes.map((m, i) => m.map((v, t) => {
    if (!Number.isFinite(v) || v < 0) throw new FormatError({ field: `magnitudes[${i}][${t}]` }, 'a finite magnitude >= 0', v);
    if (t === 0) return 1;
    if (m[t - 1] === 0) throw new FormatError({ field: `magnitudes[${i}][${t - 1}]` }, 'a magnitude > 0 (it divides the next one)', 0);
    return v / m[t - 1];
  }));
  return meanRatioSeries(series);
}

/**
 * Calibrate per-branch magnitude ratios from trace rows of fully computed runs, using the mean
 * absolute value of the stack residual each row records. MagCache itself averages per-token L2 norm
 * ratios; the two agree when the residual scales uniformly across tokens (see docs).
 */
export function magRatiosFromTrace(rows: readonly TraceRow[], file = '<trace>'): { cond: number[]; uncond?: number[] } {
  const runs = new Map<string, { branch: Branch; values: number[] }>();
  rows.forEach((r, i) => {
    if (r.computed !== 1) {
      throw new FormatError({ file, row: i + 1, field: 'computed' }, '1 (calibrate from fully computed runs only)', r.computed);
    }
    const key = `${r.runId}\u0000${r.branch}`;
    const run = runs.get(key) ?? { branch: r.branch, values: [] };
    if (r.step !== run.values.length) throw new FormatError({ file, row: i + 1, field: 'step' }, `step ${run.values.length}`, r.step);
    const residual = r.meanAbs.residual;
    if (residual === null) throw new FormatError({ file, row: i + 1, field: 'mean_abs_residual' }, 'a column mean_abs_residual (MagCache calibrates on the residual magnitude)', 'none');
    run.values.push(residual);
    runs.set(key, run);
  });
  const byBranch = (b: Branch) => [...runs.values()].filter((r) => r.branch === b).map((r) => r.values);
  const cond = byBranch('cond');
  const uncond = byBranch('uncond');
  if (cond.length === 0) throw new FormatError({ file, field: 'branch' }, 'rows of the cond branch', 'none');
  return { cond: calibrateMagRatios(cond), ...(uncond.length ? { uncond: calibrateMagRatios(uncond) } : {}) };
}
