import { FormatError, polyvalHighestFirst, type CoefficientsFile } from '@teacache/core';

/** A rescaling polynomial: a bare `{ highestFirst }` (numpy.poly1d order) or a full coefficients file. */
export type RescaleCoefficients = { highestFirst: readonly number[] } | CoefficientsFile;

/**
 * The highest-first coefficients of either accepted shape, validated (non-empty, all finite).
 * `where.field` names where the object sits (e.g. "coefficients" inside a policy spec).
 */
export function highestFirstOf(c: RescaleCoefficients, where: { file?: string; field?: string } = {}): number[] {
  const bare = typeof c === 'object' && c !== null && 'highestFirst' in c;
  const field = `${where.field ? where.field + '.' : ''}${bare ? 'highestFirst' : 'coefficients.highestFirst'}`;
  const list = bare ? c.highestFirst : (c as CoefficientsFile | null)?.coefficients?.highestFirst;
  if (!Array.isArray(list) || list.length === 0) {
    throw new FormatError({ file: where.file, field }, 'a non-empty array of numbers (highest degree first)', list);
  }
  list.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new FormatError({ file: where.file, field: `${field}[${i}]` }, 'a finite number', v);
    }
  });
  return [...list];
}

/**
 * The rescaling function x ↦ poly(x) of a coefficient set; the identity when there is none. A value that
 * overflows is an error, never a silent Infinity that would make every step compute (or skip).
 */
export function rescaleFunction(c: RescaleCoefficients | undefined): (relL1: number) => number {
  if (c === undefined) return (x) => x;
  const coefficients = highestFirstOf(c);
  return (x) => {
    const y = polyvalHighestFirst(coefficients, x);
    if (!Number.isFinite(y) && Number.isFinite(x)) {
      throw new RangeError(`rescaling polynomial [${coefficients.join(', ')}] overflows at relative L1 ${x}: ${y}`);
    }
    return y;
  };
}
