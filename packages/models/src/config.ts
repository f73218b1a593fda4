import { FormatError } from '@teacache/core';
import { BETA_SCHEDULES, type BetaSchedule } from './schedules.js';
import { validateVideoUpstreamOptions, type UpstreamOptions } from './upstream-options.js';

export const FAMILIES = ['dit', 'stdit', 'latte', 'osp'] as const;
export type Family = (typeof FAMILIES)[number];

/**
 * What the network predicts:
 * - `epsilon`: the noise ε, on the DDPM schedule (DiT, Latte, Open-Sora-Plan up to v1.2);
 * - `v`: v = √ᾱ·ε − √(1−ᾱ)·x0 on the DDPM schedule (Salimans & Ho, 2022; Open-Sora-Plan v1.3's scripts train it);
 * - `velocity`: the rectified-flow velocity ε − x0 (Open-Sora 1.2).
 */
export type Prediction = 'epsilon' | 'v' | 'velocity';
export const PREDICTIONS: readonly Prediction[] = ['epsilon', 'v', 'velocity'];

/** A model's architecture, from which its parameters are created deterministically. */
export interface ModelConfig extends UpstreamOptions {
  family: Family;
  /** Token width. */
  hiddenSize: number;
  /** Number of transformer blocks (spatial and temporal blocks each count one). */
  depth: number;
  heads: number;
  /** MLP hidden width as a multiple of hiddenSize. */
  mlpRatio: number;
  patchSize: number;
  /** Frames per sample (1 for images). */
  frames: number;
  height: number;
  width: number;
  channels: number;
  /** Text encoder width, layers, heads and tokens per caption. */
  textWidth: number;
  textLayers: number;
  textHeads: number;
  textLength: number;
  /** Words the text encoder knows (index 0 is padding, 1 is unknown). */
  vocabulary: string[];
  prediction: Prediction;
  /**
   * Beta schedule of an ε- or v-prediction model (absent: `linear`, the DDPM one). Not allowed with
   * rectified flow (`velocity`), which has no beta schedule.
   */
  betaSchedule?: BetaSchedule;
  /** Rescale the schedule to zero signal at the last step (absent: false); v-prediction only. */
  zeroTerminalSnr?: boolean;
  /** Sinusoidal frequency width of the timestep embedding. */
  timestepFrequencies: number;
  // Options a published checkpoint needs; each absent keeps the built-in models' behaviour (docs/formats.md).
  /** Which axis the first half of the 2-D position embedding encodes: `row` (absent) or `column` (DiT, Latte). */
  positionFirstHalf?: 'row' | 'column';
  /** Class-conditional `dit`: classes 0..numClasses−1; the label table has one more row, the null class for guidance. */
  numClasses?: number;
  /** The network also predicts a variance: the final layer emits 2×channels and the first `channels` are the prediction. */
  learnSigma?: boolean;
  /** `builtin` (absent): the toolkit's own text encoder; `external`: precomputed encoder outputs [L = textLength, textWidth]. */
  textEncoder?: 'builtin' | 'external';
  /** Project text tokens to hiddenSize with a two-layer tanh-GELU MLP before cross-attention (Latte's caption projection). */
  captionProjection?: boolean;
  /** Classifier-free guidance applies to the first this-many channels only; the rest take the conditional branch (DiT uses 3). */
  guidedChannels?: number;
  /** Samples are latents of an autoencoder the toolkit does not run: quality metrics are computed on latents and labelled so. */
  latentSpace?: boolean;
}

/** Whether the config conditions on class labels rather than text. */
export function isClassConditional(cfg: ModelConfig): boolean {
  return cfg.numClasses !== undefined;
}

/** Whether the toolkit's own text encoder is part of the model (not for class labels or external encoder outputs). */
export function hasBuiltinTextEncoder(cfg: ModelConfig): boolean {
  return !isClassConditional(cfg) && (cfg.textEncoder ?? 'builtin') === 'builtin';
}

/** Channels the final layer emits: the prediction, plus the variance when learnSigma. */
export function outputChannels(cfg: ModelConfig): number {
  return cfg.learnSigma ? 2 * cfg.channels : cfg.channels;
}

const INT_FIELDS = ['hiddenSize', 'depth', 'heads', 'patchSize', 'frames', 'height', 'width', 'channels',
  'textWidth', 'textLayers', 'textHeads', 'textLength', 'timestepFrequencies'] as const;

/** Validate a parsed config.json; every failure names the file and the field. */
export function validateConfig(value: unknown, file = '<config>'): ModelConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FormatError({ file }, 'a JSON object', value);
  const c = value as Record<string, unknown>;
  if (!(FAMILIES as readonly unknown[]).includes(c.family)) throw new FormatError({ file, field: 'family' }, `one of ${FAMILIES.join(', ')}`, c.family);
  for (const f of INT_FIELDS) {
    const v = c[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new FormatError({ file, field: f }, 'a whole number >= 1', v);
  }
  if (typeof c.mlpRatio !== 'number' || !(c.mlpRatio > 0)) throw new FormatError({ file, field: 'mlpRatio' }, 'a number > 0', c.mlpRatio);
  if (!(PREDICTIONS as readonly unknown[]).includes(c.prediction)) throw new FormatError({ file, field: 'prediction' }, '"epsilon", "v" or "velocity"', c.prediction);
  if (c.betaSchedule !== undefined) {
    if (c.prediction === 'velocity') throw new FormatError({ file, field: 'betaSchedule' }, 'no beta schedule for a rectified-flow ("velocity") model', c.betaSchedule);
    if (!(BETA_SCHEDULES as readonly unknown[]).includes(c.betaSchedule)) throw new FormatError({ file, field: 'betaSchedule' }, '"linear" or "scaled-linear"', c.betaSchedule);
  }
  if (c.zeroTerminalSnr !== undefined) {
    if (typeof c.zeroTerminalSnr !== 'boolean') throw new FormatError({ file, field: 'zeroTerminalSnr' }, 'true or false', c.zeroTerminalSnr);
    if (c.zeroTerminalSnr && c.prediction !== 'v') {
      throw new FormatError({ file, field: 'zeroTerminalSnr' }, 'false unless prediction is "v" (ε and the rectified-flow velocity cannot be trained at zero signal)', c.zeroTerminalSnr);
    }
  }
  const builtinText = c.numClasses === undefined && (c.textEncoder ?? 'builtin') === 'builtin';
  if (builtinText && (!Array.isArray(c.vocabulary) || c.vocabulary.length < 2 || !c.vocabulary.every((w) => typeof w === 'string'))) {
    throw new FormatError({ file, field: 'vocabulary' }, 'an array of at least 2 words (padding, unknown, ...)', c.vocabulary);
  }
  validateUpstreamOptions(c, file);
  const cfg = c as unknown as ModelConfig;
  if (cfg.hiddenSize % cfg.heads !== 0) throw new FormatError({ file, field: 'heads' }, `a divisor of hiddenSize ${cfg.hiddenSize}`, cfg.heads);
  if (cfg.textWidth % cfg.textHeads !== 0) throw new FormatError({ file, field: 'textHeads' }, `a divisor of textWidth ${cfg.textWidth}`, cfg.textHeads);
  if (cfg.height % cfg.patchSize !== 0 || cfg.width % cfg.patchSize !== 0) {
    throw new FormatError({ file, field: 'patchSize' }, `a divisor of height ${cfg.height} and width ${cfg.width}`, cfg.patchSize);
  }
  if (cfg.family === 'dit' && cfg.frames !== 1) throw new FormatError({ file, field: 'frames' }, '1 for the image family dit', cfg.frames);
  if ((cfg.family === 'stdit' || cfg.family === 'latte') && cfg.depth % 2 !== 0) {
    throw new FormatError({ file, field: 'depth' }, 'an even number (spatial and temporal blocks alternate)', cfg.depth);
  }
  validateVideoUpstreamOptions(c, file);
  return cfg;
}

function validateUpstreamOptions(c: Record<string, unknown>, file: string): void {
  if (c.positionFirstHalf !== undefined && c.positionFirstHalf !== 'row' && c.positionFirstHalf !== 'column') {
    throw new FormatError({ file, field: 'positionFirstHalf' }, '"row" or "column"', c.positionFirstHalf);
  }
  if (c.numClasses !== undefined) {
    if (typeof c.numClasses !== 'number' || !Number.isInteger(c.numClasses) || c.numClasses < 1) {
      throw new FormatError({ file, field: 'numClasses' }, 'a whole number >= 1', c.numClasses);
    }
    if (c.family !== 'dit') throw new FormatError({ file, field: 'numClasses' }, 'class labels only for family dit', c.family);
  }
  for (const f of ['learnSigma', 'captionProjection', 'latentSpace'] as const) {
    if (c[f] !== undefined && typeof c[f] !== 'boolean') throw new FormatError({ file, field: f }, 'true or false', c[f]);
  }
  if (c.textEncoder !== undefined && c.textEncoder !== 'builtin' && c.textEncoder !== 'external') {
    throw new FormatError({ file, field: 'textEncoder' }, '"builtin" or "external"', c.textEncoder);
  }
  if (c.guidedChannels !== undefined) {
    const n = c.guidedChannels;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || (typeof c.channels === 'number' && n > c.channels)) {
      throw new FormatError({ file, field: 'guidedChannels' }, `a whole number from 1 to channels (${String(c.channels)})`, n);
    }
  }
}

/** Tokens per frame and in all. */
export function tokenCounts(cfg: ModelConfig): { perFrame: number; total: number } {
  const perFrame = (cfg.height / cfg.patchSize) * (cfg.width / cfg.patchSize);
  return { perFrame, total: perFrame * cfg.frames };
}
