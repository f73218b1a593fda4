import type { SweepRow } from '@teacache/core';

/** One hand-made sweep row: model "m", prompt "p", seed 0, 4 steps; counts follow the schedule. */
export function handSweepRow(over: Partial<SweepRow> & Pick<SweepRow, 'policy'>): SweepRow {
  const schedule = over.schedule ?? 'CCCC';
  const steps = over.steps ?? schedule.split('/')[0].length;
  const branches = schedule.split('/');
  const computedSteps = branches.reduce((s, b) => s + [...b].filter((c) => c === 'C').length, 0) / branches.length;
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
