import { computedStepsOf, type SweepRow } from '@teacache/core';

/** One hand-made sweep row: model "m", prompt "p", seed 0, 4 steps; counts follow the schedule. */
export function handSweepRow(over: Partial<SweepRow> & Pick<SweepRow, 'policy'>): SweepRow {
  const schedule = over.schedule ?? 'CCCC';
  const steps = over.steps ?? schedule.split('/')[0].length;
  const branches = schedule.split('/');
  const computedSteps = computedStepsOf(branches);
  const threshold = over.threshold !== undefined ? over.threshold : over.policy === 'none' ? null : 0.1;
  return {
    format: 'teacache-sweep-row', version: 1, model: 'm', params: threshold === null ? {} : { threshold }, threshold,
    prompt: 'p', seed: 0, steps, computedSteps, skippedSteps: steps - computedSteps, schedule,
    wallSeconds: 1, referenceWallSeconds: 1, wallSpeedup: 1, stepSpeedup: steps / computedSteps,
    psnr: over.policy === 'none' ? Infinity : 30, ssim: 0.9, mse: 0.001, backend: 'none', createdAt: '2025-01-01T00:00:00.000Z',
    // the paper protocol's fields follow the pooled ones unless a test sets them
    psnrFrames8bit: over.psnr ?? (over.policy === 'none' ? Infinity : 30), ssimFrames8bit: over.ssim ?? 0.9,
    ...over,
  };
}

/**
 * A small hand-made sweep of model "m": the uncached run; teacache 0.1 → 1.5× at 36 dB, 0.2 → 2.0× at 31 dB,
 * 0.3 → 2.6× at 27 dB; the oracle (its wall time meaningless) 0.2 → 2.2× at 33 dB, 0.4 → 3.0× at 29 dB; interval
 * k=2 → 2× at 24 dB.
 */
export const HAND_SWEEP: readonly SweepRow[] = [handSweepRow({ policy: 'none' }),
  handSweepRow({ policy: 'teacache', threshold: 0.1, wallSpeedup: 1.5, stepSpeedup: 1.5, psnr: 36 }),
  handSweepRow({ policy: 'teacache', threshold: 0.2, wallSpeedup: 2.0, stepSpeedup: 2.0, psnr: 31 }),
  handSweepRow({ policy: 'teacache', threshold: 0.3, wallSpeedup: 2.6, stepSpeedup: 2.6, psnr: 27 }),
  handSweepRow({ policy: 'oracle', threshold: 0.2, wallSpeedup: 1.1, stepSpeedup: 2.2, psnr: 33 }),
  handSweepRow({ policy: 'oracle', threshold: 0.4, wallSpeedup: 1.2, stepSpeedup: 3.0, psnr: 29 }),
  handSweepRow({ policy: 'interval', threshold: 2, wallSpeedup: 1.9, stepSpeedup: 2, psnr: 24 })];
