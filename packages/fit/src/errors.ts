/**
 * A fit the toolkit refuses to make, with the reason a user can act on (too few points, a constant
 * indicator, an impossible degree). Thrown instead of ever writing a file full of NaN.
 */
export class FitRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`cannot fit: ${reason}`);
    this.name = 'FitRefusedError';
  }
}
