import { FormatError } from '@teacache/core';

/**
 * Optional config.json fields that let the `stdit` and `osp` families be a published model exactly
 * (Open-Sora 1.2's STDiT3, Open-Sora-Plan v1.3), beside the shared ones in config.ts (positionFirstHalf,
 * captionProjection, learnSigma, textEncoder). Every field absent gives the built-in behaviour.
 */
export interface UpstreamOptions {
  /** Per-head RMSNorm (learned weight, eps 1e-6) on q and k of every self-attention, before any RoPE. */
  qkNorm?: boolean;
  /** 1-D rotary position embedding (interleaved pairs, θ = 10000) on q and k of temporal self-attention. */
  temporalRope?: boolean;
  /** Add the sine-cosine frame embedding to every token (absent: true for stdit and osp, as built in). */
  temporalPositionEmbedding?: boolean;
  /** Additive spatial position embedding: `sincos` (built in) or `none` (RoPE-only models). */
  spatialPositionEmbedding?: 'sincos' | 'none';
  /** Grid positions are i / positionScale (absent 1). Open-Sora 1.2: √(pixel height·width) / 512. */
  positionScale?: number;
  /** Grid positions are further multiplied by positionBaseSize / (grid rows or columns) (Open-Sora 1.2: round(√(rows·columns))). */
  positionBaseSize?: number;
  /** Frame rate the model is conditioned on: an fps embedder (like the timestep's) adds its embedding to t. */
  fps?: number;
  /** A learned null caption [textLength, textWidth] used in place of the empty caption (guidance's unconditional branch). */
  nullCaption?: boolean;
  /**
   * What a `velocity` model outputs: `noise-minus-data` (ε − x0, built in) or `data-minus-noise` (x0 − ε,
   * Open-Sora 1.2). Samplers read it; the network's output is left as it is.
   */
  velocityTarget?: 'noise-minus-data' | 'data-minus-noise';
  /**
   * Rectified-flow timestep transform ratio r: sampling times t become r·t / (1 + (r − 1)·t) (Open-Sora 1.2:
   * r = √(pixel height·width / 512²) · √(max(1, ⌊frames/17⌋·5)) for videos). Absent: 1 (no transform).
   */
  timeShift?: number;
  /**
   * RoPE-3D on every self-attention (Open-Sora-Plan v1.3): the head width is split in thirds for the frame, row and
   * column position, each third rotated with half pairing (features j and j + third/2), θ = 10000.
   */
  rope3d?: boolean;
  /** RoPE-3D positions are divided by these (frame, row, column) interpolation scales; absent [1, 1, 1]. */
  ropeInterpolation?: [number, number, number];
  /**
   * Skiparse sparse self-attention (Open-Sora-Plan v1.3) with sparse ratio k: the token sequence (frame-major,
   * padded to a multiple of k²) is split into k sub-sequences that attend only within themselves. "Single"
   * Skiparse takes every k-th token; "group" Skiparse takes every k-th run of k consecutive tokens.
   */
  skiparse?: number;
  /**
   * The sampler this model samples with unless one is asked for (absent: ddim for ε and v, euler-rf for velocity);
   * `euler-ancestral` is Open-Sora-Plan v1.3's (trailing spacing).
   */
  sampler?: 'ddim' | 'euler-rf' | 'euler-ancestral';
  /** Blocks [from, to) that use Skiparse, group Skiparse in odd blocks, single in even (absent: [2, 30], v1.3's rule). */
  skiparseBlocks?: [number, number];
}

const BOOLEAN_FIELDS = ['qkNorm', 'temporalRope', 'temporalPositionEmbedding', 'nullCaption', 'rope3d'] as const;
const POSITIVE_FIELDS = ['positionScale', 'positionBaseSize', 'fps', 'timeShift'] as const;

/** Check the optional Open-Sora / Open-Sora-Plan fields of a parsed config.json; failures name the file and field. */
export function validateVideoUpstreamOptions(c: Record<string, unknown>, file: string): void {
  for (const f of BOOLEAN_FIELDS) {
    if (c[f] !== undefined && typeof c[f] !== 'boolean') throw new FormatError({ file, field: f }, 'true or false', c[f]);
  }
  for (const f of POSITIVE_FIELDS) {
    const v = c[f];
    if (v !== undefined && (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))) throw new FormatError({ file, field: f }, 'a number > 0', v);
  }
  const oneOf = (f: string, values: readonly string[]) => {
    if (c[f] !== undefined && !values.includes(c[f] as string)) throw new FormatError({ file, field: f }, values.map((v) => `"${v}"`).join(' or '), c[f]);
  };
  oneOf('spatialPositionEmbedding', ['sincos', 'none']);
  oneOf('velocityTarget', ['noise-minus-data', 'data-minus-noise']);
  oneOf('sampler', ['ddim', 'euler-rf', 'euler-ancestral']);
  if (c.sampler !== undefined && (c.sampler === 'euler-rf') !== (c.prediction === 'velocity')) {
    throw new FormatError({ file, field: 'sampler' }, c.prediction === 'velocity' ? '"euler-rf" for a velocity model' : '"ddim" or "euler-ancestral" for an ε- or v-prediction model', c.sampler);
  }
  const family = c.family;
  const headDim = (c.hiddenSize as number) / (c.heads as number);
  if (c.temporalRope) {
    if (family !== 'stdit' && family !== 'latte') throw new FormatError({ file, field: 'temporalRope' }, 'a family with temporal blocks (stdit, latte)', family);
    if (headDim % 2 !== 0) throw new FormatError({ file, field: 'temporalRope' }, `an even head width for rotary pairs (hiddenSize / heads = ${headDim})`, c.temporalRope);
  }
  if (c.rope3d && (family !== 'osp' || headDim % 6 !== 0)) {
    throw new FormatError({ file, field: 'rope3d' }, `family osp with a head width divisible by 6 (hiddenSize / heads = ${headDim})`, c.rope3d);
  }
  if (c.skiparse !== undefined) {
    const k = c.skiparse;
    if (family !== 'osp' || typeof k !== 'number' || !Number.isInteger(k) || k < 2) {
      throw new FormatError({ file, field: 'skiparse' }, 'a whole number >= 2 (the sparse ratio) on family osp', k);
    }
  }
  const pair = (f: string, ok: (v: number) => boolean, n: number, what: string) => {
    const v = c[f];
    if (v !== undefined && !(Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && ok(x)))) {
      throw new FormatError({ file, field: f }, what, v);
    }
  };
  pair('skiparseBlocks', (x) => Number.isInteger(x) && x >= 0, 2, '[from, to]: two whole block indices >= 0');
  pair('ropeInterpolation', (x) => x > 0 && Number.isFinite(x), 3, '[frame, row, column]: three numbers > 0');
  if (c.velocityTarget !== undefined && c.prediction !== 'velocity') {
    throw new FormatError({ file, field: 'velocityTarget' }, 'only with prediction "velocity"', c.velocityTarget);
  }
  if (c.timeShift !== undefined && c.prediction !== 'velocity') {
    throw new FormatError({ file, field: 'timeShift' }, 'only with prediction "velocity" (a rectified-flow timestep transform)', c.timeShift);
  }
  if (c.fps !== undefined && family === 'dit') throw new FormatError({ file, field: 'fps' }, 'a video family (stdit, latte, osp)', family);
}
