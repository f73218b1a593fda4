import { readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FIT_TARGETS, FormatError, INDICATORS, readCoefficientsFile, type FitTarget, type Indicator } from '@teacache/core';

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

/** Read one coefficients file (validated by core) as report input. */
export function readCoefficients(path: string): CoefficientsInput {
  return { ...readCoefficientsFile(path), source: path };
}

/** Read every coefficients file in a directory of reference sets (`index.json` is a listing, not a set). */
export function readReferenceDir(dir: string): CoefficientsInput[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new FormatError({ file: dir }, 'a directory of reference coefficient files', 'no such directory');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'index.json').sort();
  if (files.length === 0) throw new FormatError({ file: dir }, 'at least one *.json coefficients file', 'none');
  return files.map((f) => readCoefficients(join(dir, f)));
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
