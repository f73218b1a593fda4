import * as tf from '@tensorflow/tfjs';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Progress, readJsonFile, writeJsonAtomic, FormatError } from '@teacache/core';
import type { ModelConfig } from '../config.js';
import { DiffusionTransformer } from '../model.js';
import { SeededRandom, deriveSeed } from '../random.js';
import { buildDataset, type Clip } from '../data/clips.js';
import { readSafetensors, writeSafetensors } from '../weights/safetensors.js';
import { AdamW, type LearningRateSchedule } from './adamw.js';
import { batchLoss, noiseBatch, type LossWeighting, type TimestepSampling } from './objective.js';

/**
 * Where a later training stage starts: the weights the previous stage shipped (they seed both the parameters
 * and the EMA; the optimizer starts fresh) and what that stage recorded, so step count, wall time and the loss
 * history run on across stages.
 */
export interface StageStart {
  values: Map<string, Float32Array>;
  /** Training steps done before this stage. */
  step: number;
  lossHistory: TrainResult['lossHistory'];
  untrainedValidationLoss: number;
  wallSeconds: number;
}

export interface TrainOptions {
  config: ModelConfig;
  /** Steps of this run (of this stage, when `start` is given). */
  steps: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  dataSeed: number;
  /** Where checkpoints go (resumed from when present). */
  checkpointDir: string;
  checkpointEverySeconds?: number;
  /** Also checkpoint every this many steps (tests use it). */
  checkpointEverySteps?: number;
  emaDecay?: number;
  labelDropout?: number;
  /** Per-sample loss weighting of the training batches (validation loss stays unweighted, comparable). */
  lossWeighting?: LossWeighting;
  /** How the training batches draw DDPM timesteps (default uniform; validation always draws uniformly). */
  timestepSampling?: TimestepSampling;
  weightDecay?: number;
  warmupSteps?: number;
  /** Learning-rate schedule after warm-up (default constant). */
  schedule?: LearningRateSchedule;
  /** Continue from a previous stage's weights instead of a fresh initialisation. */
  start?: StageStart;
  /** Steps between validation-loss measurements. */
  validateEvery?: number;
  /** Stop after this many steps of the run even if `steps` is larger (simulates an interruption in tests). */
  stopAfter?: number;
  log?: (line: string) => void;
  quiet?: boolean;
}

export interface TrainResult {
  model: DiffusionTransformer;
  /** EMA weights by parameter name. */
  ema: Map<string, Float32Array>;
  step: number;
  trainLoss: number;
  validationLoss: number;
  untrainedValidationLoss: number;
  lossHistory: { step: number; train: number; validation?: number }[];
  wallSeconds: number;
  resumedFrom: number;
  finished: boolean;
}

interface CheckpointState {
  step: number;
  lossHistory: TrainResult['lossHistory'];
  untrainedValidationLoss: number;
  wallSeconds: number;
  /** The settings of the run that wrote it: a checkpoint resumes only the same run (absent in older checkpoints). */
  run?: RunSettings;
}

/** What makes two trainings the same run: a checkpoint of another run must never be resumed into this one. */
type RunSettings = Record<string, string | number>;

function runSettingsOf(o: TrainOptions, firstStep: number): RunSettings {
  return {
    config: JSON.stringify(o.config), steps: o.steps, firstStep, batchSize: o.batchSize, learningRate: o.learningRate,
    seed: o.seed, dataSeed: o.dataSeed, emaDecay: o.emaDecay ?? 0.995, labelDropout: o.labelDropout ?? 0.1,
    lossWeighting: o.lossWeighting ?? 'uniform', timestepSampling: o.timestepSampling ?? 'uniform', weightDecay: o.weightDecay ?? 0.01,
    warmupSteps: o.warmupSteps ?? 100, schedule: o.schedule ?? 'constant',
  };
}

/**
 * Read checkpoint.json, refusing (naming the file and field) one that is corrupt, or that another run wrote
 * (other settings, or a step outside this run): resuming it would ship weights the manifest misdescribes.
 */
function readCheckpointState(file: string, want: RunSettings, firstStep: number, lastStep: number, log: (l: string) => void): CheckpointState {
  const again = `(delete ${dirname(file)} or train with --from-scratch)`;
  const value = readJsonFile(file, 'training checkpoint.json');
  const v = value as Partial<CheckpointState> | null;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new FormatError({ file }, 'a JSON object', value);
  if (!Number.isInteger(v.step)) throw new FormatError({ file, field: 'step' }, 'a whole number of steps', v.step);
  if (!Array.isArray(v.lossHistory)) throw new FormatError({ file, field: 'lossHistory' }, 'an array', v.lossHistory);
  if (typeof v.wallSeconds !== 'number') throw new FormatError({ file, field: 'wallSeconds' }, 'a number', v.wallSeconds);
  if (v.run === undefined) log(`warning: ${file} records no run settings (an older checkpoint); resuming it as this run's`);
  else {
    for (const [key, expected] of Object.entries(want)) {
      if (v.run[key] !== expected) throw new FormatError({ file, field: `run.${key}` }, `${expected} as this training asks for ${again}`, v.run[key]);
    }
  }
  if (v.step! < firstStep || v.step! > lastStep) {
    throw new FormatError({ file, field: 'step' }, `a step from ${firstStep} to ${lastStep}, within this run ${again}`, v.step);
  }
  return { untrainedValidationLoss: NaN, ...v } as CheckpointState;
}

/** Clips as model input in [-1, 1]: [F, H, W, C] values per clip. */
function asInput(clip: Clip): Float32Array {
  const out = new Float32Array(clip.pixels.length);
  for (let i = 0; i < out.length; i++) out[i] = clip.pixels[i] * 2 - 1;
  return out;
}

/** The data a family trains on (images for dit, clips otherwise). */
export function trainingData(config: ModelConfig): { train: Clip[]; heldout: Clip[] } {
  const all = buildDataset(config.family === 'dit' ? 'image' : 'video', config.frames, config.height);
  return { train: all.filter((c) => c.spec.split === 'train'), heldout: all.filter((c) => c.spec.split === 'heldout') };
}

/** Validation loss of the model on held-out clips: fixed noise and timesteps (seeded), so it is comparable over training. */
export function validationLoss(model: DiffusionTransformer, clips: Clip[], seed: number, repeats = 4): number {
  let total = 0;
  let n = 0;
  for (let r = 0; r < repeats; r++) {
    const rng = new SeededRandom(deriveSeed(seed, `validation-${r}`));
    const x0 = new Float32Array(clips.length * clips[0].pixels.length);
    clips.forEach((c, i) => x0.set(asInput(c), i * c.pixels.length));
    const nb = noiseBatch(model, x0, clips.length, rng);
    const loss = batchLoss(model, nb, clips.map((c) => c.spec.caption));
    total += loss.dataSync()[0];
    loss.dispose();
    n++;
  }
  return total / n;
}

function withValues<T>(model: DiffusionTransformer, values: Map<string, Float32Array>, fn: () => T): T {
  const saved = model.params.snapshot();
  model.params.assign(values);
  try {
    return fn();
  } finally {
    model.params.assign(saved);
  }
}

/**
 * Train a model with AdamW, EMA weights and label dropout (for classifier-free guidance); checkpoints
 * every few minutes and resumes from the last checkpoint with the same result as an uninterrupted run.
 */
export function train(options: TrainOptions): TrainResult {
  const log = options.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const emaDecay = options.emaDecay ?? 0.995;
  const labelDropout = options.labelDropout ?? 0.1;
  const validateEvery = options.validateEvery ?? 100;
  const model = new DiffusionTransformer(options.config, { seed: options.seed });
  const { train: clips, heldout } = trainingData(options.config);
  const inputs = clips.map(asInput);
  const per = inputs[0].length;
  const vars = model.params.variables;
  const varNames = new Map([...vars].map(([name, v]) => [v.name, name] as const));
  const opt = new AdamW(vars, {
    learningRate: options.learningRate, warmupSteps: options.warmupSteps ?? 100, beta1: 0.9, beta2: 0.999,
    epsilon: 1e-8, weightDecay: options.weightDecay ?? 0.01, schedule: options.schedule, totalSteps: options.steps,
  });
  const start = options.start;
  if (start) model.params.assign(start.values);
  // Steps are counted across stages (batches are drawn by that count); optimizer and schedule count within the stage.
  const firstStep = start?.step ?? 0;
  let ema = model.params.snapshot();
  let state: CheckpointState = start
    ? { step: firstStep, lossHistory: [...start.lossHistory], untrainedValidationLoss: start.untrainedValidationLoss, wallSeconds: start.wallSeconds }
    : { step: 0, lossHistory: [], untrainedValidationLoss: NaN, wallSeconds: 0 };
  const ckptWeights = join(options.checkpointDir, 'checkpoint.safetensors');
  const ckptState = join(options.checkpointDir, 'checkpoint.json');
  const run = runSettingsOf(options, firstStep);
  state.run = run;
  if (existsSync(ckptState) && existsSync(ckptWeights)) {
    state = { ...readCheckpointState(ckptState, run, firstStep, firstStep + options.steps, log), run };
    const { tensors, metadata } = readSafetensors(ckptWeights);
    if (Number(metadata.step) !== state.step) {
      throw new FormatError({ file: ckptWeights, field: '__metadata__.step' }, `step ${state.step} as in ${ckptState}`, metadata.step);
    }
    const take = (prefix: string) => new Map([...vars.keys()].map((n) => {
      const t = tensors.get(`${prefix}/${n}`);
      if (!t) throw new FormatError({ file: ckptWeights, field: `${prefix}/${n}` }, 'a tensor for every parameter', 'it missing');
      return [n, t.data] as const;
    }));
    model.params.assign(take('param'));
    ema = take('ema');
    for (const [n, v] of take('adam_m')) opt.m.get(n)!.assign(tf.tensor(v, opt.m.get(n)!.shape));
    for (const [n, v] of take('adam_v')) opt.v.get(n)!.assign(tf.tensor(v, opt.v.get(n)!.shape));
    log(`resuming from checkpoint at step ${state.step} (${ckptState})`);
  } else if (!start) {
    state.untrainedValidationLoss = validationLoss(model, heldout, options.dataSeed);
    log(`untrained validation loss ${state.untrainedValidationLoss.toFixed(4)}`);
  }
  const resumedFrom = state.step;
  const saveCheckpoint = () => {
    const snap = model.params.snapshot();
    const tensors = [
      ...[...snap].map(([n, d]) => ({ name: `param/${n}`, shape: vars.get(n)!.shape, data: d })),
      ...[...ema].map(([n, d]) => ({ name: `ema/${n}`, shape: vars.get(n)!.shape, data: d })),
      ...[...opt.m].map(([n, v]) => ({ name: `adam_m/${n}`, shape: v.shape, data: v.dataSync() as Float32Array })),
      ...[...opt.v].map(([n, v]) => ({ name: `adam_v/${n}`, shape: v.shape, data: v.dataSync() as Float32Array })),
    ];
    writeSafetensors(ckptWeights, tensors, { dtype: 'F32', metadata: { step: String(state.step) } });
    writeJsonAtomic(ckptState, state);
  };
  const lastStep = firstStep + options.steps;
  const endStep = firstStep + Math.min(options.steps, options.stopAfter ?? options.steps);
  const progress = new Progress({ label: 'train', total: options.steps, unit: 'steps', logEverySeconds: 15, alreadyDone: state.step - firstStep });
  const began = performance.now();
  const wallBefore = state.wallSeconds;
  let lastCheckpoint = performance.now();
  let lastLoss = NaN;
  while (state.step < endStep) {
    const step = state.step;
    const rng = new SeededRandom(deriveSeed(options.dataSeed, `step-${step}`));
    const x0 = new Float32Array(options.batchSize * per);
    const captions: string[] = [];
    for (let b = 0; b < options.batchSize; b++) {
      const i = rng.int(inputs.length);
      x0.set(inputs[i], b * per);
      captions.push(rng.uniform() < labelDropout ? '' : clips[i].spec.caption);
    }
    const nb = noiseBatch(model, x0, options.batchSize, rng, options.timestepSampling ?? 'uniform');
    const { value, grads } = tf.variableGrads(() => batchLoss(model, nb, captions, options.lossWeighting ?? 'uniform'), [...vars.values()]);
    opt.apply(grads, step - firstStep, varNames);
    lastLoss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    if (!Number.isFinite(lastLoss)) throw new Error(`training diverged at step ${step}: loss ${lastLoss}`);
    const local = step - firstStep;
    const decay = Math.min(emaDecay, (1 + local) / (10 + local));
    const snap = model.params.snapshot();
    for (const [n, e] of ema) {
      const p = snap.get(n)!;
      for (let i = 0; i < e.length; i++) e[i] = decay * e[i] + (1 - decay) * p[i];
    }
    state.step = step + 1;
    state.wallSeconds = wallBefore + (performance.now() - began) / 1000;
    const entry: TrainResult['lossHistory'][number] = { step: state.step, train: lastLoss };
    if (state.step % validateEvery === 0 || state.step === lastStep) {
      entry.validation = withValues(model, ema, () => validationLoss(model, heldout, options.dataSeed));
    }
    state.lossHistory.push(entry);
    if (!options.quiet) progress.tick(1, `loss ${lastLoss.toFixed(4)}${entry.validation !== undefined ? ` val ${entry.validation.toFixed(4)}` : ''}`);
    // Also every 5% of the steps, so a short trial killed before the first timed checkpoint still resumes.
    const everySteps = options.checkpointEverySteps ?? Math.max(1, Math.ceil(options.steps / 20));
    const due = (performance.now() - lastCheckpoint) / 1000 >= (options.checkpointEverySeconds ?? 180) || state.step % everySteps === 0;
    if (due || state.step === endStep) {
      saveCheckpoint();
      lastCheckpoint = performance.now();
    }
  }
  if (!options.quiet) progress.finish();
  const finished = state.step >= lastStep;
  const lastVal = [...state.lossHistory].reverse().find((e) => e.validation !== undefined)?.validation ?? NaN;
  return {
    model, ema, step: state.step, trainLoss: lastLoss, validationLoss: lastVal,
    untrainedValidationLoss: state.untrainedValidationLoss, lossHistory: state.lossHistory,
    wallSeconds: state.wallSeconds, resumedFrom, finished,
  };
}

/** Remove a finished run's checkpoint files. */
export function clearCheckpoint(dir: string): void {
  rmSync(join(dir, 'checkpoint.safetensors'), { force: true });
  rmSync(join(dir, 'checkpoint.json'), { force: true });
}
