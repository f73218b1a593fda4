import { FormatError } from '@teacache/core';
import { BETA_SCHEDULES, type BetaSchedule } from './schedules.js';
import { validateUpstreamOptions, type UpstreamOptions } from './upstream-options.js';

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
  if (!Array.isArray(c.vocabulary) || c.vocabulary.length < 2 || !c.vocabulary.every((w) => typeof w === 'string')) {
    throw new FormatError({ file, field: 'vocabulary' }, 'an array of at least 2 words (padding, unknown, ...)', c.vocabulary);
  }
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
  validateUpstreamOptions(c, file);
  return cfg;
}

/** Tokens per frame and in all. */
export function tokenCounts(cfg: ModelConfig): { perFrame: number; total: number } {
  const perFrame = (cfg.height / cfg.patchSize) * (cfg.width / cfg.patchSize);
  return { perFrame, total: perFrame * cfg.frames };
}
