import { readJsonFile } from './read-json.js';
import { FIT_TARGETS, INDICATORS, type FitTarget, type Indicator } from './names.js';
import { FormatError } from './errors.js';
import { validateWithSchema } from './schema.js';
import { writeFileAtomic } from './atomic-write.js';
import { polyvalHighestFirst, reverseOrder } from './polynomial.js';

/** Goodness-of-fit figures on one set of points; r2 is null when the target is constant there. */
export interface FitStatistics {
  r2: number | null;
  rmse: number;
  mae: number;
}

/** One held-out fold of a grouped cross-validation. */
export interface FoldStatistics extends FitStatistics {
  fold: number;
  testCount: number;
  testPrompts: number;
}

/**
 * Cross-validation grouped by prompt. The top-level r2/rmse/mae pool the held-out predictions of all
 * folds; rmseMean and rmseStandardError summarise the per-fold RMSEs (standard error = sample sd / sqrt(folds)).
 */
export interface CrossValidationStatistics extends FitStatistics {
  folds: number;
  groupedBy: 'prompt';
  rmseMean: number;
  rmseStandardError: number;
  perFold: FoldStatistics[];
}

/** The evidence for one candidate degree. */
export interface DegreeScore {
  degree: number;
  train: FitStatistics;
  crossValidation: Omit<CrossValidationStatistics, 'perFold' | 'groupedBy' | 'folds'> | null;
}

/** How the degree was chosen: by the one-standard-error rule over CV RMSE, given by the user, or (no CV possible) a default. */
export type DegreeRule = 'one-standard-error' | 'given' | 'default-without-cv';

/** Correlation of one indicator's raw relative L1 with the target's (over the same pairs). Null when undefined (a constant side). */
export interface IndicatorCorrelation {
  indicator: Indicator;
  pearson: number | null;
  spearman: number | null;
  count: number;
}

/** Everything a fit records to justify itself. */
export interface FitEvidence {
  train: FitStatistics;
  /** Cross-validation grouped by prompt at the chosen degree; null when there were too few prompts to fold. */
  crossValidation: CrossValidationStatistics | null;
  /** Correlation of the chosen indicator with the target over the fitted pairs. */
  pearson: number | null;
  spearman: number | null;
  degreeSelection: { rule: DegreeRule; maxDegree: number; scores: DegreeScore[] };
  indicatorCorrelations: IndicatorCorrelation[];
  promptCount: number;
  runCount: number;
  warnings: string[];
}

/** A threshold published with a coefficient set, with what it was reported to buy. */
export interface RecommendedThreshold {
  /** The rel_l1_thresh / teacache_thresh value. */
  threshold: number;
  /** What the threshold is, in the source's words (e.g. "slow", "fast", "1.5x speedup"). */
  label: string;
  /** Reported speedup over the uncached run (e.g. 1.5 for "~1.5x"), when given. */
  speedup?: number;
  /** Reported latency with this threshold and of the uncached run, seconds, when given. */
  latencySeconds?: number;
  baselineLatencySeconds?: number;
  /** Hardware and settings the latency was measured on. */
  setting?: string;
  /** Where the figure is stated (repository and file). */
  source: string;
  note?: string;
}

/** Where a published set was taken from. */
export interface PublishedReference {
  /** Integration the set ships with, e.g. "TeaCache4FLUX". */
  integration: string;
  repository: string;
  path: string;
  /** Upstream commit, when the upstream file itself was read; null otherwise. */
  commit: string | null;
  /** The copy actually read, when it is not the upstream repository (a fork or mirror). */
  readFrom?: { repository: string; path: string; commit: string };
  /** Key of the set in the source's table, when it has one (e.g. "wan2.1_t2v_14B_ret_mode"). */
  key?: string;
  /** The coefficient list exactly as written in the source (numpy.poly1d order). */
  publishedText: string;
  /** Which tensor the published code measures the relative L1 of. */
  indicatorDetail: string;
  /** Which steps the published code always computes. */
  schedule?: string;
  /** Other models or keys the same numbers are published for. */
  sameCoefficientsAs?: string[];
  notes?: string[];
}

/** Where the coefficients came from: fitted by this toolkit, or copied from a published integration. */
export type CoefficientsOrigin = 'fit' | 'published';

/** A versioned coefficients file: the rescaling polynomial of one model and indicator, with its evidence. */
export interface CoefficientsFile {
  format: 'teacache-coefficients';
  version: 1;
  origin: CoefficientsOrigin;
  model: string;
  /** Hash of the weights the traces came from; "" for published sets. */
  weightsHash: string;
  indicator: Indicator;
  target: FitTarget;
  degree: number;
  coefficients: {
    /** numpy.poly1d order, as the published TeaCache code uses. */
    highestFirst: number[];
    /** ml-regression-polynomial order. */
    lowestFirst: number[];
  };
  /** The indicator values the polynomial was fitted on, [min, max]; null when unknown (published sets only). */
  xRange: [number, number] | null;
  /** Number of (indicator, target) pairs fitted; null when unknown (published sets only). */
  sampleCount: number | null;
  statistics: FitEvidence | null;
  /** Thresholds recommended with these coefficients (published sets), with what each is reported to buy. */
  recommendedThresholds?: RecommendedThreshold[];
  /** Trace files the fit read, with their SHA-256. */
  sources: { path: string; sha256: string }[];
  /** One line naming where published coefficients come from. */
  provenance?: string;
  reference?: PublishedReference;
  toolkitVersion: string;
  createdAt: string;
}

const finite = { type: 'number' } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const fitStatisticsSchema = {
  type: 'object',
  required: ['r2', 'rmse', 'mae'],
  properties: { r2: nullableNumber, rmse: { type: 'number', minimum: 0 }, mae: { type: 'number', minimum: 0 } },
} as const;
const cvSummaryProperties = {
  ...fitStatisticsSchema.properties,
  rmseMean: { type: 'number', minimum: 0 },
  rmseStandardError: { type: 'number', minimum: 0 },
} as const;

/** JSON Schema of the coefficients file, version 1 (validated on read and on write). */
export const COEFFICIENTS_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://teacache-toolkit/schemas/coefficients-v1.json',
  title: 'teacache coefficients file, version 1',
  description: 'Rescaling polynomial of one model: indicator relative L1 -> estimated target relative L1. ' +
    'xRange and sampleCount may be null only for published reference sets (origin "published").',
  type: 'object',
  required: ['format', 'version', 'origin', 'model', 'weightsHash', 'indicator', 'target', 'degree', 'coefficients',
    'xRange', 'sampleCount', 'statistics', 'sources', 'toolkitVersion', 'createdAt'],
  properties: {
    format: { const: 'teacache-coefficients' },
    version: { const: 1 },
    origin: { enum: ['fit', 'published'] },
    model: { type: 'string', minLength: 1 },
    weightsHash: { type: 'string' },
    indicator: { enum: INDICATORS },
    target: { enum: FIT_TARGETS },
    degree: { type: 'integer', minimum: 0, maximum: 12 },
    coefficients: {
      type: 'object',
      required: ['highestFirst', 'lowestFirst'],
      properties: {
        highestFirst: { type: 'array', minItems: 1, items: finite },
        lowestFirst: { type: 'array', minItems: 1, items: finite },
      },
      additionalProperties: false,
    },
    xRange: { anyOf: [{ type: 'array', minItems: 2, maxItems: 2, items: finite }, { type: 'null' }] },
    sampleCount: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] },
    statistics: {
      anyOf: [{ type: 'null' }, {
        type: 'object',
        required: ['train', 'crossValidation', 'pearson', 'spearman', 'degreeSelection', 'indicatorCorrelations',
          'promptCount', 'runCount', 'warnings'],
        properties: {
          train: fitStatisticsSchema,
          crossValidation: {
            anyOf: [{ type: 'null' }, {
              type: 'object',
              required: ['r2', 'rmse', 'mae', 'folds', 'groupedBy', 'rmseMean', 'rmseStandardError', 'perFold'],
              properties: {
                ...cvSummaryProperties,
                folds: { type: 'integer', minimum: 2 },
                groupedBy: { const: 'prompt' },
                perFold: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['fold', 'testCount', 'testPrompts', 'r2', 'rmse', 'mae'],
                    properties: {
                      ...fitStatisticsSchema.properties,
                      fold: { type: 'integer', minimum: 0 },
                      testCount: { type: 'integer', minimum: 1 },
                      testPrompts: { type: 'integer', minimum: 1 },
                    },
                  },
                },
              },
            }],
          },
          pearson: nullableNumber,
          spearman: nullableNumber,
          degreeSelection: {
            type: 'object',
            required: ['rule', 'maxDegree', 'scores'],
            properties: {
              rule: { enum: ['one-standard-error', 'given', 'default-without-cv'] },
              maxDegree: { type: 'integer', minimum: 1 },
              scores: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['degree', 'train', 'crossValidation'],
                  properties: {
                    degree: { type: 'integer', minimum: 0 },
                    train: fitStatisticsSchema,
                    crossValidation: {
                      anyOf: [{ type: 'null' }, {
                        type: 'object', required: ['r2', 'rmse', 'mae', 'rmseMean', 'rmseStandardError'],
                        properties: cvSummaryProperties,
                      }],
                    },
                  },
                },
              },
            },
          },
          indicatorCorrelations: {
            type: 'array',
            items: {
              type: 'object',
              required: ['indicator', 'pearson', 'spearman', 'count'],
              properties: {
                indicator: { enum: INDICATORS },
                pearson: nullableNumber, spearman: nullableNumber, count: { type: 'integer', minimum: 0 },
              },
            },
          },
          promptCount: { type: 'integer', minimum: 0 },
          runCount: { type: 'integer', minimum: 0 },
          warnings: { type: 'array', items: { type: 'string' } },
        },
      }],
    },
    recommendedThresholds: {
      type: 'array',
      items: {
        type: 'object',
        required: ['threshold', 'label', 'source'],
        properties: {
          threshold: { type: 'number', minimum: 0 },
          label: { type: 'string', minLength: 1 },
          speedup: { type: 'number', exclusiveMinimum: 0 },
          latencySeconds: { type: 'number', exclusiveMinimum: 0 },
          baselineLatencySeconds: { type: 'number', exclusiveMinimum: 0 },
          setting: { type: 'string' },
          source: { type: 'string', minLength: 1 },
          note: { type: 'string' },
        },
        additionalProperties: false,
      },
    },
    sources: {
      type: 'array',
      items: {
        type: 'object', required: ['path', 'sha256'],
        properties: { path: { type: 'string', minLength: 1 }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
      },
    },
    provenance: { type: 'string', minLength: 1 },
    reference: {
      type: 'object',
      required: ['integration', 'repository', 'path', 'commit', 'publishedText', 'indicatorDetail'],
      properties: {
        integration: { type: 'string', minLength: 1 },
        repository: { type: 'string', pattern: '^[^/\\s]+/[^/\\s]+$' },
        path: { type: 'string', minLength: 1 },
        commit: { anyOf: [{ type: 'string', pattern: '^[0-9a-f]{40}$' }, { type: 'null' }] },
        readFrom: {
          type: 'object', required: ['repository', 'path', 'commit'],
          properties: {
            repository: { type: 'string', pattern: '^[^/\\s]+/[^/\\s]+$' },
            path: { type: 'string', minLength: 1 },
            commit: { type: 'string', pattern: '^[0-9a-f]{40}$' },
          },
        },
        key: { type: 'string' },
        publishedText: { type: 'string', minLength: 3 },
        indicatorDetail: { type: 'string', minLength: 1 },
        schedule: { type: 'string' },
        sameCoefficientsAs: { type: 'array', items: { type: 'string' } },
        notes: { type: 'array', items: { type: 'string' } },
      },
    },
    toolkitVersion: { type: 'string' },
    createdAt: { type: 'string', minLength: 1 },
  },
  // A fitted file must carry its evidence; only published sets may leave the range and count unknown.
  if: { properties: { origin: { const: 'fit' } } },
  then: { properties: { xRange: { type: 'array' }, sampleCount: { type: 'integer' }, statistics: { type: 'object' } } },
  else: { required: ['provenance', 'reference'] },
} as const;

/** Throw a FormatError at the first NaN or infinite number anywhere in a value (JSON would silently turn it into null). */
export function assertAllFinite(value: unknown, file: string, path = ''): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new FormatError({ file, field: path || '(root)' }, 'a finite number', value);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertAllFinite(v, file, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) assertAllFinite(v, file, path ? `${path}.${k}` : k);
  }
}

/**
 * Checks beyond the schema: highestFirst is the exact reverse of lowestFirst, degree = length - 1, every
 * number finite, xRange ordered. Throws a FormatError naming the file and field.
 */
export function checkCoefficientsConsistency(file: CoefficientsFile, path: string): void {
  assertAllFinite(file, path);
  const { highestFirst, lowestFirst } = file.coefficients;
  if (highestFirst.length !== file.degree + 1) {
    throw new FormatError({ file: path, field: 'coefficients.highestFirst' },
      `${file.degree + 1} coefficients (degree ${file.degree} + 1)`, `${highestFirst.length}`);
  }
  if (lowestFirst.length !== highestFirst.length) {
    throw new FormatError({ file: path, field: 'coefficients.lowestFirst' },
      `${highestFirst.length} coefficients, as many as highestFirst`, `${lowestFirst.length}`);
  }
  const reversed = reverseOrder(highestFirst);
  reversed.forEach((c, i) => {
    if (c !== lowestFirst[i]) {
      throw new FormatError({ file: path, field: `coefficients.lowestFirst[${i}]` },
        `the reverse of highestFirst (${c})`, lowestFirst[i]);
    }
  });
  if (file.xRange !== null && file.xRange[0] > file.xRange[1]) {
    throw new FormatError({ file: path, field: 'xRange' }, 'xRange[0] <= xRange[1]', `[${file.xRange.join(', ')}]`);
  }
  checkPolynomialFinite(highestFirst, file.xRange ?? [0, 1], path);
}

/**
 * Finite coefficients can still overflow when evaluated (1e308·x² + 1e308): the polynomial must be finite over
 * the range it is used on (its xRange, or [0, 1], where relative L1 values lie, when the range is unknown).
 * Checked at 65 evenly spaced points including both ends.
 */
export function checkPolynomialFinite(highestFirst: readonly number[], range: readonly [number, number], path: string): void {
  const [lo, hi] = range;
  for (let k = 0; k <= 64; k++) {
    const x = lo + ((hi - lo) * k) / 64;
    const y = polyvalHighestFirst(highestFirst, x);
    if (!Number.isFinite(y)) {
      throw new FormatError({ file: path, field: 'coefficients.highestFirst' },
        `a polynomial that stays finite over [${lo}, ${hi}]`, `${y} at x = ${x}`);
    }
  }
}

/** Validate a parsed value as a coefficients file (schema, then consistency); `path` names it in errors. */
export function validateCoefficientsFile(value: unknown, path: string): CoefficientsFile {
  const file = validateWithSchema<CoefficientsFile>(COEFFICIENTS_SCHEMA, value, path);
  checkCoefficientsConsistency(file, path);
  return file;
}

/** Read and validate a coefficients file (JSON). */
export function readCoefficientsFile(path: string): CoefficientsFile {
  const value = readJsonFile(path, 'coefficients JSON file');
  return validateCoefficientsFile(value, path);
}

/** Validate, then write a coefficients file atomically (2-space JSON). Refuses NaN and infinities. */
export function writeCoefficientsFile(path: string, file: CoefficientsFile): void {
  // Check finiteness before the schema: JSON.stringify would have turned NaN into null unnoticed.
  assertAllFinite(file, path);
  validateCoefficientsFile(JSON.parse(JSON.stringify(file)), path);
  writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n');
}

/** Both coefficient orders from numpy.poly1d-ordered (highest degree first) coefficients; checks they are finite. */
export function coefficientsFromHighestFirst(highestFirst: readonly number[]): CoefficientsFile['coefficients'] {
  if (highestFirst.length === 0) throw new RangeError('coefficientsFromHighestFirst: no coefficients');
  highestFirst.forEach((c, i) => {
    if (!Number.isFinite(c)) throw new RangeError(`coefficientsFromHighestFirst: coefficient ${i} is not finite (${c})`);
  });
  return { highestFirst: [...highestFirst], lowestFirst: reverseOrder(highestFirst) };
}

/** Both coefficient orders from ml-regression-polynomial-ordered (lowest degree first) coefficients. */
export function coefficientsFromLowestFirst(lowestFirst: readonly number[]): CoefficientsFile['coefficients'] {
  return coefficientsFromHighestFirst(reverseOrder(lowestFirst));
}

/** Where an indicator value lies relative to the fitted range. */
export interface RangeCheck {
  position: 'inside' | 'below' | 'above' | 'unknown' | 'not-finite';
  /** A warning to show the user, or null when x is inside the fitted range. */
  message: string | null;
}

/**
 * Whether evaluating the polynomial at indicator value `x` stays inside the range it was fitted on.
 * A polynomial extrapolates badly, so callers should warn on anything but "inside".
 */
export function checkInRange(file: Pick<CoefficientsFile, 'model' | 'indicator' | 'xRange'>, x: number): RangeCheck {
  const what = `${file.model} ${file.indicator} coefficients`;
  if (!Number.isFinite(x)) return { position: 'not-finite', message: `${what}: evaluated at a non-finite indicator value (${x})` };
  if (file.xRange === null) {
    return { position: 'unknown', message: `${what}: no fitted range is recorded, so x = ${x} cannot be checked` };
  }
  const [lo, hi] = file.xRange;
  if (x < lo) return { position: 'below', message: `${what}: x = ${x} is below the fitted range [${lo}, ${hi}]; the polynomial extrapolates` };
  if (x > hi) return { position: 'above', message: `${what}: x = ${x} is above the fitted range [${lo}, ${hi}]; the polynomial extrapolates` };
  return { position: 'inside', message: null };
}

/** Range problems already said by this process's default warnings, one key per coefficients set and position. */
const saidInProcess = new Set<string>();

/**
 * A checker for repeated evaluations (one per sampling step): calls `warn` the first time x falls below,
 * above, or cannot be checked, not on every step. `said` holds the keys already warned about; by default a set
 * shared by the whole process when warnings go to stderr (a sweep runs hundreds of policies: each set and
 * position is said once per process), and the checker's own set when the caller gives `warn`.
 */
export function createRangeWarner(
  file: Pick<CoefficientsFile, 'model' | 'indicator' | 'xRange'>,
  warn?: (message: string) => void,
  said: Set<string> = warn === undefined ? saidInProcess : new Set<string>(),
): (x: number) => RangeCheck {
  const say = warn ?? ((m: string) => process.stderr.write(`warning: ${m} (said once per process)\n`));
  const set = `${file.model}|${file.indicator}|${file.xRange === null ? 'none' : file.xRange.join(',')}`;
  return (x: number) => {
    const check = checkInRange(file, x);
    const key = `${set}|${check.position}`;
    if (check.message !== null && !said.has(key)) {
      said.add(key);
      say(check.message);
    }
    return check;
  };
}
