import { FormatError, polyvalHighestFirst, type CoefficientsFile } from '@teacache/core';

/**
 * The part of a coefficients file a running TeaCache policy reads: the polynomial (highest degree first), and the
 * model, indicator and fitted x range its out-of-range warning names.
 */
export type FittedPolynomial = { highestFirst: readonly number[] } & Pick<CoefficientsFile, 'model' | 'indicator' | 'xRange'>;

/** A rescaling polynomial: a bare `{ highestFirst }` (numpy.poly1d order), a fitted polynomial, or a full coefficients file. */
export type RescaleCoefficients = { highestFirst: readonly number[] } | FittedPolynomial | CoefficientsFile;

/**
 * Only what a policy reads of a rescaling polynomial: a coefficients file becomes its FittedPolynomial (sweep
 * workers and queued jobs carry this, not the fit's statistics and sources); a bare polynomial is returned as is.
 */
export function fittedPolynomialOf(c: RescaleCoefficients): { highestFirst: readonly number[] } | FittedPolynomial {
  if ('highestFirst' in c) return c;
  return { highestFirst: highestFirstOf(c), model: c.model, indicator: c.indicator, xRange: c.xRange };
}

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
