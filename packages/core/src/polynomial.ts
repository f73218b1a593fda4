/**
 * Evaluate a polynomial given highest degree first (numpy.poly1d order), by Horner's rule.
 */
export function polyvalHighestFirst(coefficients: readonly number[], x: number): number {
  let y = 0;
  for (const c of coefficients) y = y * x + c;
  return y;
}

/** Evaluate a polynomial given lowest degree first (ml-regression-polynomial order). */
export function polyvalLowestFirst(coefficients: readonly number[], x: number): number {
  let y = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) y = y * x + coefficients[i];
  return y;
}

/** Convert lowest-first coefficients to highest-first (or back: the conversion is its own inverse). */
export function reverseOrder(coefficients: readonly number[]): number[] {
  return [...coefficients].reverse();
}
