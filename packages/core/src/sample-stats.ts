/**
 * Mean and sample variance, the one definition of each the packages share. Both refuse an empty sample and a NaN
 * (a mean over holes would look fine and be wrong); an infinite value gives an infinite mean, as in numpy.
 */

function checkSample(values: ArrayLike<number>, what: string, least: number): void {
  if (values.length < least) throw new RangeError(`${what}: needs at least ${least} value(s), got ${values.length}`);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new RangeError(`${what}: value ${i} is NaN`);
  }
}

/** Arithmetic mean of a non-empty sample without NaN. */
export function mean(values: ArrayLike<number>): number {
  checkSample(values, 'mean', 1);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Geometric mean of a non-empty sample of values > 0 (ratios, times): exp of the mean log. */
export function geometricMean(values: ArrayLike<number>): number {
  checkSample(values, 'geometricMean', 1);
  const logs = Array.from(values, (v, i) => {
    if (!(v > 0)) throw new RangeError(`geometricMean: value ${i} is ${v}, not > 0`);
    return Math.log(v);
  });
  return Math.exp(mean(logs));
}

/** Sample variance (divided by n - 1, numpy's var with ddof=1) of at least two values without NaN. */
export function sampleVariance(values: ArrayLike<number>): number {
  checkSample(values, 'sampleVariance', 2);
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] - m) ** 2;
  return sum / (values.length - 1);
}
