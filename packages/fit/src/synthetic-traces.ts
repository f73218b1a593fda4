import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { polyvalHighestFirst, seededRandom, SIGNALS, traceToCsv, TOOLKIT_VERSION, type Signal, type TraceMetadata, type TraceRow } from '@teacache/core';

// Test support: writes small, deterministic trace directories in the real format. Not part of the public surface.

/** What to write: prompts, runs, steps, the true polynomial, and the odd cases tests need. */
export interface SyntheticTraceOptions {
  dir: string;
  prompts: string[];
  seedsPerPrompt?: number;
  steps?: number;
  /** True relation output = poly(modulated), numpy.poly1d order. */
  polynomial?: number[];
  noise?: number;
  model?: string;
  weightsHash?: string;
  /** Guided runs record a cond and an uncond row per step. */
  guided?: boolean;
  /** Steps (after 0) that reuse a cached residual. */
  reusedSteps?: number[];
}

/** Write `<runId>.csv` + `<runId>.json` per (prompt, seed); returns the run ids. */
export function writeSyntheticTraces(o: SyntheticTraceOptions): string[] {
  const steps = o.steps ?? 12;
  const poly = o.polynomial ?? [40, -12, 1.5, 0.01];
  const random = seededRandom(12345);
  mkdirSync(o.dir, { recursive: true });
  const runIds: string[] = [];
  o.prompts.forEach((prompt, p) => {
    for (let s = 0; s < (o.seedsPerPrompt ?? 1); s++) {
      const runId = `run-p${p}-s${s}`;
      runIds.push(runId);
      const rows: TraceRow[] = [];
      for (let step = 0; step < steps; step++) {
        for (const branch of o.guided === false ? ['cond'] as const : ['cond', 'uncond'] as const) {
          const x = 0.004 + 0.12 * Math.exp(-step / 3) + 0.02 * random() + 0.003 * p;
          const y = polyvalHighestFirst(poly, x) + (o.noise ?? 0.002) * (random() - 0.5);
          const rel: Record<Signal, number | null> = {
            noisy: 0.5 * x + 0.01 * random(), timestep: 0.05 + 0.001 * step, modulated: x, residual: 0.8 * y + 0.01 * random(), output: y,
          };
          rows.push({
            runId, step, timestep: 1000 - step * Math.floor(1000 / steps), branch,
            computed: o.reusedSteps?.includes(step) ? 0 : 1,
            relL1: step === 0 ? Object.fromEntries(SIGNALS.map((k) => [k, null])) as Record<Signal, null> : rel,
            meanAbs: Object.fromEntries(SIGNALS.map((k) => [k, 1 + random()])) as Record<Signal, number>,
          });
        }
      }
      writeFileSync(join(o.dir, `${runId}.csv`), traceToCsv(rows, { prompt, seed: s }));
      const meta: TraceMetadata = {
        format: 'teacache-trace', version: 1, runId, model: o.model ?? 'dit-s', family: 'dit', weightsHash: o.weightsHash ?? 'w0',
        prompt, seed: s, sampler: 'ddim', steps, guidance: o.guided === false ? 0 : 4, backend: 'cpu', policy: 'none',
        toolkitVersion: TOOLKIT_VERSION, createdAt: '2025-01-01T00:00:00.000Z', wallSeconds: 1,
      };
      writeFileSync(join(o.dir, `${runId}.json`), JSON.stringify(meta, null, 2));
    }
  });
  return runIds;
}
