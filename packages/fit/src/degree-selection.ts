import { polynomialGoodnessOfFit, type DegreeRule, type DegreeScore } from '@teacache/core';
import { FitRefusedError } from './errors.js';
import { fitPolynomial } from './polynomial-fit.js';
import { crossValidate } from './cross-validation.js';

/** The degree TeaCache's published integrations use; the fallback when there is nothing to cross-validate on. */
export const PUBLISHED_DEGREE = 4;
/** Highest degree the toolkit fits. */
export const MAX_SUPPORTED_DEGREE = 6;

/** What degree selection decided, with the per-degree evidence. */
export interface DegreeSelection {
  degree: number;
  rule: DegreeRule;
  /** Folds actually used (min(requested, prompts)); 0 when no cross-validation was possible. */
  folds: number;
  scores: DegreeScore[];
  warnings: string[];
}

/** The pairs, their prompt groups, and how to choose the degree. */
export interface DegreeSelectionInput {
  x: readonly number[];
  y: readonly number[];
  /** Group (prompt) of each pair. */
  groups: readonly string[];
  maxDegree: number;
  /** Requested number of folds; the number of prompts caps it. */
  folds: number;
  /** Use this degree instead of selecting one (scores are still reported). */
  degree?: number;
}

/**
 * Score degrees 1..maxDegree (train fit and grouped CV) and choose one. Rule: the lowest degree whose
 * mean CV RMSE is within one standard error of the best mean CV RMSE (the "one-standard-error rule":
 * a simpler curve that predicts held-out prompts as well, within noise, extrapolates more safely).
 * With fewer than 2 prompts there is no honest CV: fall back to the given degree or PUBLISHED_DEGREE, with a warning.
 */
export function selectDegree(input: DegreeSelectionInput): DegreeSelection {
  const { x, y, groups, maxDegree } = input;
  const warnings: string[] = [];
  const promptCount = new Set(groups).size;
  const folds = promptCount >= 2 ? Math.min(input.folds, promptCount) : 0;
  if (folds === 0) {
    warnings.push(`only ${promptCount} prompt(s): no cross-validation is possible, statistics are on the training pairs only`);
  } else if (folds < input.folds) {
    warnings.push(`${promptCount} prompts: using ${folds} folds instead of ${input.folds}`);
  }
  const scores: DegreeScore[] = [];
  for (let d = 1; d <= maxDegree; d++) {
    let train;
    try {
      const fit = fitPolynomial(x, y, d);
      train = polynomialGoodnessOfFit(x, y, fit.highestFirst);
    } catch (err) {
      if (err instanceof FitRefusedError) break; // higher degrees need even more points
      throw err;
    }
    let crossValidation: DegreeScore['crossValidation'] = null;
    if (folds >= 2) {
      try {
        const { folds: _k, groupedBy: _g, perFold: _p, ...summary } = crossValidate(x, y, groups, d, folds);
        crossValidation = summary;
      } catch (err) {
        if (!(err instanceof FitRefusedError)) throw err;
        warnings.push(`degree ${d} not cross-validated: a training fold is too small (${err.reason})`);
      }
    }
    scores.push({ degree: d, train, crossValidation });
  }
  if (scores.length === 0) {
    // Reproduce the degree-1 refusal with its reason.
    fitPolynomial(x, y, 1);
  }
  if (input.degree !== undefined) {
    if (!scores.some((s) => s.degree === input.degree)) {
      fitPolynomial(x, y, input.degree); // throws the reason (too few points, too few distinct x)
    }
    return { degree: input.degree, rule: 'given', folds, scores, warnings };
  }
  const validated = scores.filter((s) => s.crossValidation !== null);
  if (validated.length === 0) {
    const degree = Math.min(PUBLISHED_DEGREE, scores[scores.length - 1].degree);
    warnings.push(`degree ${degree} used without selection (TeaCache's published degree is ${PUBLISHED_DEGREE}); give --degree to choose`);
    return { degree, rule: 'default-without-cv', folds, scores, warnings };
  }
  const best = validated.reduce((a, b) => (b.crossValidation!.rmseMean < a.crossValidation!.rmseMean ? b : a));
  const limit = best.crossValidation!.rmseMean + best.crossValidation!.rmseStandardError;
  const chosen = validated.find((s) => s.crossValidation!.rmseMean <= limit)!;
  return { degree: chosen.degree, rule: 'one-standard-error', folds, scores, warnings };
}
