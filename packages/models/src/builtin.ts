import { buildVocabulary } from './text-encoder.js';
import { clipSpecs } from './data/clips.js';
import type { Family, ModelConfig } from './config.js';
import type { LossWeighting, TimestepSampling } from './train/objective.js';
import type { LearningRateSchedule } from './train/adamw.js';

/**
 * One stage of a built-in model's training. A later stage starts from the weights the previous stage shipped
 * (EMA, float16) with a fresh optimizer, whether the earlier stages ran in this call or were committed before.
 */
export interface TrainingStage {
  steps: number;
  learningRate: number;
  /** Default constant. */
  schedule?: LearningRateSchedule;
  /** Default 100. */
  warmupSteps?: number;
  /** Default uniform. */
  lossWeighting?: LossWeighting;
  /** DDPM timesteps of the training batches; default uniform. */
  timestepSampling?: TimestepSampling;
}

/** A built-in model: its architecture and how the toolkit trains it. */
export interface BuiltinModel {
  name: string;
  family: Family;
  description: string;
  config: ModelConfig;
  training: { batchSize: number; seed: number; dataSeed: number; stages: TrainingStage[] };
}

const VIDEO = { frames: 8, height: 16, width: 16, channels: 3 };

function config(family: Family, overrides: Partial<ModelConfig>): ModelConfig {
  const kind = family === 'dit' ? 'image' : 'video';
  return {
    family, hiddenSize: 64, depth: 4, heads: 4, mlpRatio: 3, patchSize: 4, ...VIDEO,
    textWidth: 32, textLayers: 1, textHeads: 2, textLength: 4,
    vocabulary: buildVocabulary(clipSpecs(kind).map((c) => c.caption)),
    prediction: family === 'stdit' ? 'velocity' : 'epsilon', timestepFrequencies: 64,
    ...overrides,
  };
}

/** The models the toolkit ships (trained by `teacache train`, weights under datasets/models/<name>/). */
export const BUILTIN_MODELS: readonly BuiltinModel[] = [
  {
    name: 'dit-tiny', family: 'dit', description: 'image DiT, adaLN-Zero, 16x16 emoji images by placement',
    config: config('dit', { frames: 1, patchSize: 2 }),
    training: { batchSize: 24, seed: 1, dataSeed: 7, stages: [{ steps: 1200, learningRate: 1e-3 }, { steps: 1800, learningRate: 1e-3, schedule: 'cosine', warmupSteps: 50 }] },
  },
  {
    name: 'stdit-tiny', family: 'stdit', description: 'Open-Sora 1.2 style STDiT, rectified flow, 8x16x16 clips',
    config: config('stdit', {}),
    training: { batchSize: 16, seed: 2, dataSeed: 7, stages: [{ steps: 1200, learningRate: 1e-3 }, { steps: 300, learningRate: 5e-4, schedule: 'cosine', warmupSteps: 50 }] },
  },
  {
    name: 'latte-tiny', family: 'latte', description: 'Latte style spatial/temporal blocks, DDPM, 8x16x16 clips',
    config: config('latte', {}),
    training: { batchSize: 16, seed: 3, dataSeed: 7, stages: [
      { steps: 1200, learningRate: 1e-3, lossWeighting: 'min-snr-5' },
      { steps: 1800, learningRate: 1e-3, schedule: 'cosine', warmupSteps: 50, lossWeighting: 'min-snr-5' },
    ] },
  },
  {
    name: 'osp-tiny', family: 'osp', description: 'Open-Sora-Plan style full 3D attention, DDPM, 8x16x16 clips',
    config: config('osp', {}),
    training: { batchSize: 16, seed: 4, dataSeed: 7, stages: [
      { steps: 1200, learningRate: 1e-3, lossWeighting: 'min-snr-5' },
      { steps: 1200, learningRate: 1e-3, schedule: 'cosine', warmupSteps: 50, lossWeighting: 'min-snr-5' },
    ] },
  },
];

/** The built-in model of that name; throws listing the known names otherwise. */
export function builtinModel(name: string): BuiltinModel {
  const m = BUILTIN_MODELS.find((b) => b.name === name);
  if (!m) throw new Error(`no built-in model "${name}"; known: ${BUILTIN_MODELS.map((b) => b.name).join(', ')}`);
  return m;
}
