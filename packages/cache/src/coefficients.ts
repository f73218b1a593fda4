import { FormatError, polyvalHighestFirst, type CoefficientsFile, readJsonFile } from '@teacache/core';

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

/** The rescaling function x ↦ poly(x) of a coefficient set; the identity when there is none. */
export function rescaleFunction(c: RescaleCoefficients | undefined): (relL1: number) => number {
  if (c === undefined) return (x) => x;
  const coefficients = highestFirstOf(c);
  return (x) => polyvalHighestFirst(coefficients, x);
}

/**
 * Read the rescaling polynomial from a JSON file: a teacache coefficients file (format
 * "teacache-coefficients") or a bare `{ "highestFirst": [...] }`.
 */
export function readRescaleCoefficients(path: string): RescaleCoefficients {
  const value = readJsonFile(path, 'coefficients JSON file');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FormatError({ file: path }, 'a JSON object with coefficients.highestFirst or highestFirst', value);
  }
  const obj = value as Record<string, unknown>;
  if (!('highestFirst' in obj) && obj.format !== 'teacache-coefficients') {
    throw new FormatError({ file: path, field: 'format' }, '"teacache-coefficients" (or a bare highestFirst array)', obj.format);
  }
  const c = obj as unknown as RescaleCoefficients;
  highestFirstOf(c, { file: path });
  return c;
}
