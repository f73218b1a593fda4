import { geometricMean, pairedRatioInterval, polyvalHighestFirst, seededRandom, SIGNALS, TOOLKIT_VERSION, type Indicator, type Signal, type SweepRow, type TraceMetadata, type TraceRow } from '@teacache/core';
import type { CoefficientsInput } from './coefficients-input.js';
import type { TraceInput } from './trace-runs.js';

// Small, deterministic stand-ins for real traces, fits and sweeps, for tests and sample reports.
// The numbers are made up to look like TeaCache's observations (large changes at the start and end
// of sampling, a convex indicator→output relation); they are not measurements.

/** The made-up "true" indicator→output relation per synthetic model (highest degree first). */
export const SYNTHETIC_POLYNOMIALS: Record<string, number[]> = {
  'dit-s': [-30, 9, 1.2, 0.004],
  'latte-s': [-12, 4, 1.6, 0.01],
};

/** Relative L1 of the modulated input at a step: high at the start and end, low in the middle. */
function modulatedChange(step: number, steps: number, jitter: number): number {
  return (0.03 + 0.2 * Math.exp(-step / 2.5) + 0.12 * Math.exp(-(steps - 1 - step) / 1.5)) * jitter;
}

/** Synthetic traces: every model × prompt × seed, `steps` steps, both guidance branches. */
export function syntheticTraces(options: { models?: string[]; prompts?: number; seeds?: number; steps?: number } = {}): TraceInput {
  const { models = Object.keys(SYNTHETIC_POLYNOMIALS), prompts = 3, seeds = 2, steps = 20 } = options;
  const random = seededRandom(7);
  const rows: TraceRow[] = [];
  const metadata: TraceMetadata[] = [];
  for (const model of models) {
    const poly = SYNTHETIC_POLYNOMIALS[model] ?? SYNTHETIC_POLYNOMIALS['dit-s'];
    for (let p = 0; p < prompts; p++) {
      for (let seed = 0; seed < seeds; seed++) {
        const runId = `${model}-p${p}-s${seed}`;
        metadata.push(syntheticMetadata(runId, model, `prompt ${p}`, seed, steps));
        for (const branch of ['cond', 'uncond'] as const) {
          for (let step = 0; step < steps; step++) {
            const modulated = modulatedChange(step, steps, 0.8 + 0.4 * random());
            const values: Record<Signal, number> = {
              modulated,
              timestep: 0.02 + 0.05 * step / steps,
              noisy: 0.05 + 0.01 * random(),
              output: Math.max(1e-4, polyvalHighestFirst(poly, modulated) * (0.9 + 0.2 * random())),
              residual: Math.max(1e-4, 1.3 * polyvalHighestFirst(poly, modulated) * (0.9 + 0.2 * random())),
            };
            const relL1 = {} as Record<Signal, number | null>;
            const meanAbs = {} as Record<Signal, number>;
            for (const s of SIGNALS) { relL1[s] = step === 0 ? null : values[s]; meanAbs[s] = 1; }
            rows.push({ runId, step, timestep: 1000 * (1 - step / steps), branch, computed: 1, relL1, meanAbs });
          }
        }
      }
    }
  }
  return { rows, metadata };
}

/** One hand-made trace row: the given relative L1 values, the rest 0.01 (null at step 0). */
export function traceRow(runId: string, step: number, values: Partial<Record<Signal, number>> = {}, branch: 'cond' | 'uncond' = 'cond'): TraceRow {
  const relL1 = {} as Record<Signal, number | null>;
  const meanAbs = {} as Record<Signal, number>;
  for (const s of SIGNALS) { relL1[s] = step === 0 ? null : values[s] ?? 0.01; meanAbs[s] = 1; }
  return { runId, step, timestep: 1000 - step, branch, computed: 1, relL1, meanAbs };
}

/** Metadata of a hand-made run. */
export function syntheticMetadata(runId: string, model: string, prompt = 'a prompt', seed = 0, steps = 3): TraceMetadata {
  return {
    format: 'teacache-trace', version: 1, runId, model, family: 'dit', weightsHash: 'synthetic', prompt, seed,
    sampler: 'ddim', steps, guidance: 4, backend: 'none', policy: 'none', toolkitVersion: TOOLKIT_VERSION,
    createdAt: '2025-01-01T00:00:00.000Z', wallSeconds: 1,
  };
}

/** A synthetic fitted coefficient set for a model (ours: no provenance). */
export function syntheticCoefficients(model: string, indicator: Indicator = 'modulated'): CoefficientsInput {
  const highestFirst = SYNTHETIC_POLYNOMIALS[model] ?? SYNTHETIC_POLYNOMIALS['dit-s'];
  return {
    model, indicator, target: 'output', coefficients: { highestFirst: [...highestFirst] },
    xRange: [0.024, 0.28], statistics: { train: { r2: 0.95 } },
  };
}

/** A synthetic "published" reference set: provenance given, x range unknown unless asked for. */
export function syntheticReference(model: string, highestFirst: number[], xRange: [number, number] | null = null): CoefficientsInput {
  return {
    model, indicator: 'modulated', target: 'output', coefficients: { highestFirst }, xRange, statistics: null,
    provenance: 'synthetic test set (not a published one)',
  };
}

/** The TeaCache rule on one indicator series: forced first and last steps, accumulate, compute at threshold. */
function teacacheSchedule(changes: readonly number[], poly: readonly number[], threshold: number): string {
  let acc = 0;
  return changes.map((x, step) => {
    if (step === 0 || step === changes.length - 1) { acc = 0; return 'C'; }
    acc += polyvalHighestFirst(poly, x);
    if (acc < threshold) return 'R';
    acc = 0;
    return 'C';
  }).join('');
}

function intervalSchedule(steps: number, k: number): string {
  return Array.from({ length: steps }, (_, s) => (s === 0 || s === steps - 1 || s % k === 0 ? 'C' : 'R')).join('');
}

/** Synthetic sweep rows as the trace package writes them: cached runs only, each measured against its uncached reference. */
export function syntheticSweep(options: { models?: string[]; prompts?: number; seeds?: number; steps?: number } = {}): SweepRow[] {
  const { models = Object.keys(SYNTHETIC_POLYNOMIALS), prompts = 2, seeds = 2, steps = 20 } = options;
  const random = seededRandom(11);
  const rows: SweepRow[] = [];
  for (const model of models) {
    const poly = SYNTHETIC_POLYNOMIALS[model] ?? SYNTHETIC_POLYNOMIALS['dit-s'];
    for (let p = 0; p < prompts; p++) {
      for (let seed = 0; seed < seeds; seed++) {
        const changes = Array.from({ length: steps }, (_, s) => modulatedChange(s, steps, 0.8 + 0.4 * random()));
        const base = { model, prompt: `prompt ${p}`, seed, steps };
        for (const t of [0.05, 0.1, 0.2, 0.35, 0.5]) rows.push(sweepRow(base, 'teacache', t, teacacheSchedule(changes, poly, t), random));
        for (const t of [0.1, 0.2, 0.35, 0.5, 0.8]) rows.push(sweepRow(base, 'oracle', t, teacacheSchedule(changes, poly, t * 0.8), random, 2));
        for (const k of [2, 3, 4]) rows.push(sweepRow(base, 'interval', k, intervalSchedule(steps, k), random, -4));
      }
    }
  }
  return rows;
}

function sweepRow(base: { model: string; prompt: string; seed: number; steps: number }, policy: string,
  threshold: number | null, schedule: string, random: () => number, qualityBonus = 0): SweepRow {
  const computedSteps = [...schedule].filter((c) => c === 'C').length;
  const skipped = base.steps - computedSteps;
  // three timed pairs: uncached 10 s, cached in proportion to the steps it computed plus overhead, with noise
  const referenceWallSecondsRepeats = [0, 1, 2].map(() => 10 * (0.95 + 0.1 * random()));
  const wallSecondsRepeats = [0, 1, 2].map(() => 10 * (computedSteps / base.steps) + 0.3 + 0.3 * random());
  const wall = pairedRatioInterval(referenceWallSecondsRepeats, wallSecondsRepeats);
  const psnr = policy === 'none' ? Infinity : 48 - 2.2 * skipped + qualityBonus + random();
  // FLOPs: 1 unit outside the stack and 9 in it per step
  const referenceFlops = 10 * base.steps;
  const flops = base.steps + 9 * computedSteps;
  return {
    format: 'teacache-sweep-row', version: 1, ...base, policy,
    params: threshold === null ? {} : { threshold }, threshold,
    computedSteps, skippedSteps: skipped, schedule, wallSeconds: geometricMean(wallSecondsRepeats), referenceWallSeconds: geometricMean(referenceWallSecondsRepeats),
    wallSpeedup: wall.ratio, stepSpeedup: base.steps / computedSteps,
    psnr, ssim: policy === 'none' ? 1 : Math.max(0, 1 - 0.012 * skipped - 0.01 * random()), mse: Math.pow(10, -psnr / 10),
    backend: 'none', createdAt: '2025-01-01T00:00:00.000Z',
    repeats: 3, wallSecondsRepeats, referenceWallSecondsRepeats, wallSpeedupLow: wall.low, wallSpeedupHigh: wall.high,
    wallSpeedupConfidence: 0.95, wallSpeedupImpossible: wall.low! > base.steps / computedSteps,
    flops, referenceFlops, flopSpeedup: referenceFlops / flops,
    psnrFrames8bit: psnr + 0.5, ssimFrames8bit: policy === 'none' ? 1 : Math.max(0, 1 - 0.011 * skipped),
  };
}

export { handSweepRow } from '@teacache/cache/test-support/sweep-row';
