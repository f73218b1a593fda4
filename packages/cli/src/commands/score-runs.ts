import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  computedStepsOf, FormatError, formatSchedule, mseFrames, psnrFrames, psnrFrames8bit, readRunRecord, ssimFrames, ssimFrames8bit,
  type RunRecord, type SweepRow,
} from '@teacache/core';
import { loadFrames, type Frames } from './score-frames.js';

/** The run records named: files as given, directories as their `*.run.json` files (sorted). */
export function listRunRecords(inputs: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of inputs) {
    if (!existsSync(p)) throw new FormatError({ file: p }, 'a run record (.run.json) or a directory of them', 'no such file or directory');
    if (statSync(p).isDirectory()) {
      const found = readdirSync(p).filter((n) => n.endsWith('.run.json')).sort().map((n) => join(p, n));
      if (found.length === 0) throw new FormatError({ file: p }, 'at least one *.run.json run record', 'none');
      out.push(...found);
    } else out.push(p);
  }
  return out;
}

const keyOf = (r: RunRecord) => JSON.stringify([r.model, r.prompt, r.seed, r.steps, r.guidance ?? null]);

/** One loaded run: record, where it came from. */
interface Run { record: RunRecord; path: string }

/**
 * Score runs made elsewhere: every cached run against the uncached reference (policy `none`) of the same model,
 * prompt, seed, steps and guidance among the inputs. Returns one sweep row per run (references included, scored
 * against themselves), in input order. Throws before returning anything when any input is bad.
 */
export function scoreRuns(paths: readonly string[], options: { now?: () => Date; onRun?: (path: string) => void } = {}): SweepRow[] {
  const runs: Run[] = paths.map((path) => ({ path, record: readRunRecord(path) }));
  const references = new Map<string, Run>();
  for (const run of runs.filter((r) => r.record.policy === 'none')) {
    const key = keyOf(run.record);
    const twin = references.get(key);
    if (twin) throw new FormatError({ file: run.path, field: 'policy' }, `one reference per model, prompt, seed, steps and guidance (${twin.path} is one)`, 'a second');
    references.set(key, run);
  }
  const frames = new Map<string, Frames>();
  const framesOf = (run: Run) => {
    let f = frames.get(run.path);
    if (!f) { f = loadFrames(run.record, run.path); frames.set(run.path, f); }
    return f;
  };
  const createdAt = (options.now ?? (() => new Date()))().toISOString();
  return runs.map((run) => {
    const ref = references.get(keyOf(run.record));
    const r = run.record;
    if (!ref) {
      throw new FormatError({ file: run.path, field: 'policy' },
        `an uncached reference run (policy none) of model "${r.model}", prompt ${JSON.stringify(r.prompt)}, seed ${r.seed}, ${r.steps} steps among the inputs`, 'none');
    }
    const a = framesOf(ref);
    const b = framesOf(run);
    if (a.frames.length !== b.frames.length || a.height !== b.height || a.width !== b.width || a.channels !== b.channels) {
      throw new FormatError({ file: b.source, field: 'shape' },
        `${a.frames.length} frames of ${a.height}x${a.width}x${a.channels}, as the reference ${a.source}`, `${b.frames.length} frames of ${b.height}x${b.width}x${b.channels}`);
    }
    const shape = { height: a.height, width: a.width, channels: a.channels };
    const branches = [r.schedule.cond, ...(r.schedule.uncond !== undefined ? [r.schedule.uncond] : [])];
    const computedSteps = computedStepsOf(branches);
    if (computedSteps === 0) throw new FormatError({ file: run.path, field: 'schedule' }, 'at least one computed step', JSON.stringify(r.schedule));
    options.onRun?.(run.path);
    const row: SweepRow = {
      format: 'teacache-sweep-row', version: 1, model: r.model, policy: r.policy, params: { ...r.params }, threshold: r.threshold,
      prompt: r.prompt, seed: r.seed, steps: r.steps, computedSteps, skippedSteps: r.steps - computedSteps,
      schedule: formatSchedule(branches), wallSeconds: r.wallSeconds, referenceWallSeconds: ref.record.wallSeconds,
      wallSpeedup: ref.record.wallSeconds / r.wallSeconds, stepSpeedup: r.steps / computedSteps,
      psnr: psnrFrames(a.frames, b.frames), ssim: ssimFrames(a.frames, b.frames, { ...shape, dataRange: 1 }), mse: mseFrames(a.frames, b.frames),
      psnrFrames8bit: psnrFrames8bit(a.frames, b.frames), ssimFrames8bit: ssimFrames8bit(a.frames, b.frames, shape),
      backend: r.backend ?? 'unknown', createdAt, source: 'score',
    };
    if (r.guidance !== undefined) row.guidance = r.guidance;
    return row;
  });
}
