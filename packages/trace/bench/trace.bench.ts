// Two ratios, each measured within this one run on the same backend:
//  1. tracing overhead: wall time of sampling with per-step recording vs without (target <= 5%);
//  2. cached sampling really skips: wall speedup / step-count speedup of cached runs (target >= 0.9).
//     The embed, head and sampler run at every step, so by Amdahl's law the wall speedup of a run that skips the
//     stack on all but a few steps is capped at 1 / ((1 - f) + f / stepX), f being the stack's share of a full
//     step. f is measured here from a run that reuses on every step but the forced first and last; the last
//     column compares the wall speedup with that cap (1.00: skipping saves all the time the stack took).
import { createPolicy } from '@teacache/cache';
import { BUILTIN_MODELS, DiffusionTransformer, describeBackend, selectBackend } from '@teacache/models';
import { sampleRun, defaultSteps } from '../src/index.js';

const choice = await selectBackend();
console.log(describeBackend(choice));
const repeats = Number(process.env.BENCH_REPEATS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

console.log('model        steps  off(s)  on(s)  overhead | stack share | policy          step-x  wall-x  wall/step  wall/cap');
// The built-in models have 4 blocks, so the un-skippable embed, head and sampler weigh on every step; the
// published DiTs have 28 (DiT-XL, Open-Sora 1.2's STDiT3). The same stdit-tiny at that depth shows where the
// ratio goes when the stack dominates a step, as it does in the models TeaCache targets.
const deep = BUILTIN_MODELS.filter((b) => b.family === 'stdit').map((b) => ({ ...b, name: 'stdit-d28', config: { ...b.config, depth: 28 } }));
for (const b of [...BUILTIN_MODELS, ...deep]) {
  const model = new DiffusionTransformer(b.config, { seed: 0, zeroInit: false });
  const steps = defaultSteps(b.config.prediction);
  const base = { model, caption: b.config.vocabulary[2], seed: 0, steps, guidance: 4 };
  sampleRun({ ...base, steps: 3 });
  const off: number[] = [];
  const on: number[] = [];
  // Interleave the two so drift in machine load hits both alike.
  for (let r = 0; r < repeats; r++) {
    off.push(sampleRun(base).wallSeconds);
    on.push(sampleRun({ ...base, record: true }).wallSeconds);
  }
  const tOff = median(off);
  const tOn = median(on);
  // The stack's share of a full step, from runs that compute only the forced first and last steps.
  const floor: number[] = [];
  const full: number[] = [];
  for (let r = 0; r < repeats; r++) {
    full.push(sampleRun(base).wallSeconds);
    floor.push(sampleRun({ ...base, policy: createPolicy({ policy: 'interval', interval: steps * 10 }) }).wallSeconds);
  }
  const share = (median(full) - median(floor)) / (median(full) * (1 - 2 / steps));
  const cached: string[] = [];
  for (const spec of [{ policy: 'interval', interval: 2 }, { policy: 'interval', interval: 4 }, { policy: 'teacache', threshold: 0.3 }]) {
    const walls: number[] = [];
    const refs: number[] = [];
    let stepX = 1;
    for (let r = 0; r < repeats; r++) {
      refs.push(sampleRun(base).wallSeconds);
      const run = sampleRun({ ...base, policy: createPolicy(spec) });
      walls.push(run.wallSeconds);
      stepX = (steps * run.branches.length) / run.computedBranchSteps;
    }
    const wallX = median(refs) / median(walls);
    const label = spec.policy === 'interval' ? `interval k=${spec.interval}` : `teacache ${spec.threshold}`;
    const cap = 1 / ((1 - share) + share / stepX);
    cached.push(`${label.padEnd(15)} ${stepX.toFixed(2).padStart(6)}  ${wallX.toFixed(2).padStart(6)}  ${(wallX / stepX).toFixed(2).padStart(9)}  ${(wallX / cap).toFixed(2).padStart(8)}`);
  }
  console.log(`${b.name.padEnd(12)} ${String(steps).padStart(5)}  ${tOff.toFixed(3).padStart(6)}  ${tOn.toFixed(3).padStart(5)}  ` +
    `${(100 * (tOn / tOff - 1)).toFixed(1).padStart(6)}%  | ${(100 * share).toFixed(1).padStart(10)}% | ${cached[0]}`);
  for (const c of cached.slice(1)) console.log(`${''.padEnd(45)}| ${''.padEnd(11)} | ${c}`);
  model.dispose();
}
