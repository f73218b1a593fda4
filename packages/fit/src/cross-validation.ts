import { goodnessOfFit, mean, polyvalHighestFirst, sampleVariance, type CrossValidationStatistics, type FoldStatistics } from '@teacache/core';
import { fitPolynomial } from './polynomial-fit.js';

/**
 * Assign each pair to a fold so that no group (prompt) is split across folds, balancing fold sizes:
 * groups by pair count (largest first, ties by name in code-unit order) each go to the fold holding the
 * fewest pairs so far (ties to the lowest fold index). Deterministic, so a fit can be reproduced.
 */
export function assignFoldsByGroup(groups: readonly string[], folds: number): number[] {
  const counts = new Map<string, number>();
  for (const g of groups) counts.set(g, (counts.get(g) ?? 0) + 1);
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`assignFoldsByGroup: need at least 2 folds, got ${folds}`);
  if (counts.size < folds) throw new RangeError(`assignFoldsByGroup: ${counts.size} groups cannot fill ${folds} folds`);
  const order = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
  const load = new Array<number>(folds).fill(0);
  const foldOf = new Map<string, number>();
  for (const g of order) {
    let best = 0;
    for (let f = 1; f < folds; f++) if (load[f] < load[best]) best = f;
    foldOf.set(g, best);
    load[best] += counts.get(g)!;
  }
  return groups.map((g) => foldOf.get(g)!);
}

/**
 * k-fold cross-validation of a degree-`degree` fit, grouped so no prompt is in both train and test.
 * Returns per-fold statistics, the mean and standard error of the fold RMSEs, and R²/RMSE/MAE of
 * all held-out predictions pooled. Throws FitRefusedError when a training fold is too small.
 */
export function crossValidate(
  x: readonly number[], y: readonly number[], groups: readonly string[], degree: number, folds: number,
): CrossValidationStatistics {
  const foldOfPair = assignFoldsByGroup(groups, folds);
  const pooled = new Array<number>(y.length);
  const perFold: FoldStatistics[] = [];
  for (let f = 0; f < folds; f++) {
    const trainX: number[] = [];
    const trainY: number[] = [];
    const testIdx: number[] = [];
    foldOfPair.forEach((fold, i) => {
      if (fold === f) testIdx.push(i);
      else { trainX.push(x[i]); trainY.push(y[i]); }
    });
    const { highestFirst } = fitPolynomial(trainX, trainY, degree);
    for (const i of testIdx) pooled[i] = polyvalHighestFirst(highestFirst, x[i]);
    perFold.push({
      fold: f,
      testCount: testIdx.length,
      testPrompts: new Set(testIdx.map((i) => groups[i])).size,
      ...goodnessOfFit(testIdx.map((i) => y[i]), testIdx.map((i) => pooled[i])),
    });
  }
  const rmses = perFold.map((p) => p.rmse);
  return {
    ...goodnessOfFit(y, pooled),
    folds,
    groupedBy: 'prompt',
    rmseMean: mean(rmses),
    rmseStandardError: Math.sqrt(sampleVariance(rmses) / folds),
    perFold,
  };
}
