import { FIT_TARGETS, FormatError, INDICATORS, type CoefficientsFile, type FitTarget, type Indicator, type ReferenceSet } from '@teacache/core';

/**
 * The parts of a coefficients file the report draws (a CoefficientsFile has them all). Reference sets
 * may lack an x range (null) and carry a provenance.
 */
export interface CoefficientsInput {
  model: string;
  indicator: Indicator;
  target: FitTarget;
  coefficients: { highestFirst: readonly number[] };
  /** Indicator values the polynomial was fitted on, [min, max]; null or absent when not published. */
  xRange?: readonly [number, number] | null;
  statistics?: { train: { r2: number | null } } | null;
  /** Where a published set comes from; absent for the toolkit's own fits. */
  provenance?: string;
  /** File it was read from, for error messages and legends. */
  source?: string;
}

/** A coefficients file read with core's readCoefficientsFile, as report input named by the path it came from. */
export function coefficientsInput(file: CoefficientsFile, source: string): CoefficientsInput {
  return { ...file, source };
}

/** Published sets read with core's readReferenceDir, as report input named by their files. */
export function referenceInputs(sets: readonly ReferenceSet[]): CoefficientsInput[] {
  return sets.map((s) => coefficientsInput(s.file, s.path));
}

/** Check in-memory coefficient sets for what the charts use; `what` names the list in errors. */
export function checkCoefficients(sets: readonly CoefficientsInput[], what: string): void {
  sets.forEach((set, i) => {
    const at = (field: string) => ({ file: set.source ?? what, row: set.source ? undefined : i + 1, field });
    if (typeof set.model !== 'string' || set.model === '') throw new FormatError(at('model'), 'a model name', set.model);
    if (!INDICATORS.includes(set.indicator)) throw new FormatError(at('indicator'), `one of ${INDICATORS.join(', ')}`, set.indicator);
    if (!FIT_TARGETS.includes(set.target)) throw new FormatError(at('target'), `one of ${FIT_TARGETS.join(', ')}`, set.target);
    const c = set.coefficients?.highestFirst;
    if (!Array.isArray(c) || c.length === 0) throw new FormatError(at('coefficients.highestFirst'), 'a non-empty list of numbers', c);
    c.forEach((v, k) => {
      if (!Number.isFinite(v)) throw new FormatError(at(`coefficients.highestFirst[${k}]`), 'a finite number', v);
    });
    const r = set.xRange;
    if (r !== null && r !== undefined) {
      if (!(Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[0] < r[1])) {
        throw new FormatError(at('xRange'), '[min, max] with finite min < max', `[${r.join(', ')}]`);
      }
    }
  });
}
