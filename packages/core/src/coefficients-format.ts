import type { Signal } from './trace-format.js';

/** Indicators a coefficients file can map from (the trace signals a policy can read cheaply, plus the residual for analysis). */
export type Indicator = Extract<Signal, 'modulated' | 'timestep' | 'noisy' | 'residual'>;
/** What the polynomial estimates. */
export type FitTarget = Extract<Signal, 'output' | 'residual'>;

/** Goodness-of-fit figures on one set of points. */
export interface FitStatistics {
  r2: number;
  rmse: number;
  mae: number;
}

/** A versioned coefficients file: the rescaling polynomial of one model and indicator, with its evidence. */
export interface CoefficientsFile {
  format: 'teacache-coefficients';
  version: 1;
  model: string;
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
  /** The indicator values the polynomial was fitted on, [min, max]. */
  xRange: [number, number];
  sampleCount: number;
  statistics: {
    train: FitStatistics;
    /** Cross-validation grouped by prompt; null when there were too few prompts to fold. */
    crossValidation: (FitStatistics & { folds: number }) | null;
    pearson: number;
    spearman: number;
  } | null;
  /** Thresholds recommended with these coefficients (published sets), by label. */
  recommendedThresholds?: Record<string, number>;
  sources: { path: string; sha256: string }[];
  /** Where published coefficients come from (repository, file, commit or paper). */
  provenance?: string;
  toolkitVersion: string;
  createdAt: string;
}
