import {
  FIT_TARGETS, INDICATORS, polynomialGoodnessOfFit, type FitEvidence, type FitTarget, type Indicator, type IndicatorCorrelation,
} from '@teacache/core';
import { FitRefusedError } from './errors.js';
import { fitPolynomial, type PolynomialFit } from './polynomial-fit.js';
import { crossValidate } from './cross-validation.js';
import { MAX_SUPPORTED_DEGREE, selectDegree } from './degree-selection.js';
import { pearson, spearman } from './statistics.js';
import { indicatorsFor, pairsFor, type PairRows } from './pairs.js';

/** How to fit: which signals, which degree (or how to choose it), how many folds. */
export interface FitOptions {
  indicator?: Indicator;
  target?: FitTarget;
  /** Fit this degree; omit to choose one by grouped cross-validation. */
  degree?: number;
  /** Highest degree tried when choosing (default 6). */
  maxDegree?: number;
  /** Folds of the grouped cross-validation (default 5; capped by the number of prompts). */
  folds?: number;
}

/** The fitted polynomial and everything that justifies it. */
export interface FitOutcome {
  indicator: Indicator;
  target: FitTarget;
  fit: PolynomialFit;
  xRange: [number, number];
  sampleCount: number;
  evidence: FitEvidence;
}

function checkWhole(name: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new FitRefusedError(`${name} must be a whole number from ${lo} to ${hi}, got ${v}`);
}

/** Fill in defaults and refuse impossible options with a reason. */
export function resolveFitOptions(options: FitOptions): Required<Omit<FitOptions, 'degree'>> & { degree?: number } {
  const indicator = options.indicator ?? 'modulated';
  const target = options.target ?? 'output';
  if (!INDICATORS.includes(indicator)) throw new FitRefusedError(`unknown indicator "${indicator}" (one of ${INDICATORS.join(', ')})`);
  if (!FIT_TARGETS.includes(target)) throw new FitRefusedError(`unknown target "${target}" (one of ${FIT_TARGETS.join(', ')})`);
  if ((indicator as string) === target) throw new FitRefusedError(`the indicator and the target are both "${target}"; fitting a signal on itself says nothing`);
  const maxDegree = options.maxDegree ?? MAX_SUPPORTED_DEGREE;
  checkWhole('the maximum degree', maxDegree, 1, MAX_SUPPORTED_DEGREE);
  if (options.degree !== undefined) checkWhole('the degree', options.degree, 1, MAX_SUPPORTED_DEGREE);
  const folds = options.folds ?? 5;
  checkWhole('the number of folds', folds, 2, 100);
  return { indicator, target, maxDegree: Math.max(maxDegree, options.degree ?? 1), folds, degree: options.degree };
}

/** Correlation of every indicator with the target over the same pairs (the seed's comparison of inputs). */
export function indicatorCorrelations(rows: PairRows['rows'], target: FitTarget): IndicatorCorrelation[] {
  // An indicator whose column a trace leaves out has no pairs; it is left out of the comparison.
  return indicatorsFor(target).map((indicator) => ({ indicator, ...pairsFor(rows, indicator, target) }))
    .filter(({ x }) => x.length > 0)
    .map(({ indicator, x, y }) => ({ indicator, pearson: pearson(x, y), spearman: spearman(x, y), count: x.length }));
}

/**
 * Fit the rescaling polynomial on usable trace steps: choose the degree (or take the given one), fit on
 * all pairs, and gather the evidence (train and grouped-CV statistics, correlations, warnings).
 */
export function fitPairRows(pairRows: PairRows, options: FitOptions = {}): FitOutcome {
  const opts = resolveFitOptions(options);
  const { x, y, groups } = pairsFor(pairRows.rows, opts.indicator, opts.target);
  if (x.length === 0) throw new FitRefusedError('the traces hold no usable steps (every run needs steps after step 0 that were computed)');
  const selection = selectDegree({ x, y, groups, maxDegree: opts.maxDegree, folds: opts.folds, degree: opts.degree });
  const fit = fitPolynomial(x, y, selection.degree);
  const warnings = [...selection.warnings];
  if (pairRows.skippedCached > 0) {
    warnings.push(`${pairRows.skippedCached} step(s) left out because they or their previous step reused a cached residual; calibrate on uncached traces`);
  }
  const crossValidation = selection.folds >= 2 ? tryCrossValidate(x, y, groups, selection.degree, selection.folds, warnings) : null;
  // Below 0, held-out prompts are predicted worse than by their mean: the file is written, but the user must know.
  const cvR2 = crossValidation?.r2 ?? null;
  if (cvR2 !== null && cvR2 < 0) {
    warnings.push(`cross-validated R² is ${cvR2.toFixed(4)}, below 0: on held-out prompts the polynomial predicts the ${opts.target} ` +
      `change worse than a constant would; the ${opts.indicator} indicator may not track it for this model`);
  }
  const xRange = extent(x);
  const evidence: FitEvidence = {
    train: polynomialGoodnessOfFit(x, y, fit.highestFirst),
    crossValidation,
    pearson: pearson(x, y),
    spearman: spearman(x, y),
    degreeSelection: { rule: selection.rule, maxDegree: opts.maxDegree, scores: selection.scores },
    indicatorCorrelations: indicatorCorrelations(pairRows.rows, opts.target),
    promptCount: new Set(groups).size,
    runCount: pairRows.runCount,
    warnings,
  };
  return { indicator: opts.indicator, target: opts.target, fit, xRange, sampleCount: x.length, evidence };
}

/** [min, max] of a list by a loop: spreading a million values into Math.min overflows the call stack. */
export function extent(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function tryCrossValidate(x: number[], y: number[], groups: string[], degree: number, folds: number, warnings: string[]) {
  try {
    return crossValidate(x, y, groups, degree, folds);
  } catch (err) {
    if (!(err instanceof FitRefusedError)) throw err;
    warnings.push(`degree ${degree} could not be cross-validated (${err.reason}); statistics are on the training pairs only`);
    return null;
  }
}
