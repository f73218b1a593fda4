/**
 * Evaluate a polynomial given highest degree first (numpy.poly1d order), by Horner's rule.
 */
export function polyvalHighestFirst(coefficients: readonly number[], x: number): number {
  let y = 0;
  for (const c of coefficients) y = y * x + c;
  return y;
}

/** Convert lowest-first coefficients to highest-first (or back: the conversion is its own inverse). */
export function reverseOrder(coefficients: readonly number[]): number[] {
  return [...coefficients].reverse();
}
