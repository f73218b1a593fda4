import { isClassConditional, outputChannels, tokenCounts, type ModelConfig } from './config.js';
import { blockModulation, modulatedInput, runBlock, type BlockPlan, type TokenLayout } from './blocks.js';
import { sincos1d } from './layers.js';
import { gelu, linear, layerNorm, modulate, patchify, silu, timestepFeatures, timestepFrequencies, unpatchify } from './ops/nn.js';
import { fpsEmbedding, positionTable, upstreamAttentionActive, upstreamSelfAttention } from './upstream.js';
import type { Ops } from './ops/ops.js';

/**
 * The four families' forward pass, written once against the op set and split where a cache needs it:
 * embed (everything before the stack, with the hook points), one block, and the head. The tfjs model runs these
 * eagerly; the onnx engine records each as a graph.
 */

/** What embed computes: the named hook points a cache reads and what the stack and head need. */
export interface EmbedValues<T> {
  /** Patchified noisy input [B, T, p·p·C] (before the patch projection). */
  noisyTokens: T;
  /** The stack's input: projected tokens plus position embedding [B, T, D]. */
  tokens: T;
  /** Timestep embedding [B, D]. */
  timestepEmbedding: T;
  /** The first block's modulated input: LN(tokens)·(1 + scale) + shift [B, T, D]. */
  modulated: T;
  /** The condition the blocks modulate from: c [B, D] (adaLN-Zero) or t0 [B, 6D] (adaLN-single). */
  condition: T;
  /** Text tokens as cross-attention reads them: [B, L, textWidth], or [B, L, D] after a caption projection. */
  text: T;
}

/** Latte's frame position for every token [frames·perFrame, D], added before its first temporal block. */
export function temporalTable(cfg: ModelConfig): Float32Array {
  const { perFrame, total } = tokenCounts(cfg);
  const d = cfg.hiddenSize;
  const temporal = sincos1d(cfg.frames, d);
  const out = new Float32Array(total * d);
  for (let f = 0; f < cfg.frames; f++) for (let n = 0; n < perFrame; n++) out.set(temporal.subarray(f * d, (f + 1) * d), (f * perFrame + n) * d);
  return out;
}

/**
 * The fixed tables a config's forward reads, made now (a tfjs model keeps them; a graph holds them as initializers).
 * Rotation and Skiparse tables are made on first use.
 */
export function makeTables<T>(o: Ops<T>, cfg: ModelConfig): void {
  const { total } = tokenCounts(cfg);
  o.constant('position', [total, cfg.hiddenSize], () => positionTable(cfg));
  if (cfg.family === 'latte') o.constant('temporal-position', [total, cfg.hiddenSize], () => temporalTable(cfg));
  const half = Math.floor(cfg.timestepFrequencies / 2);
  o.constant(`timestep-frequencies-${cfg.timestepFrequencies}`, [1, half], () => timestepFrequencies(cfg.timestepFrequencies));
}

/** Timestep embedding [B, D] of timesteps t [B] in model units (0..1000), plus the fps embedding when conditioned on fps. */
export function timestepEmbedding<T>(o: Ops<T>, cfg: ModelConfig, t: T): T {
  const h = linear(o, 'timestep.fc1', timestepFeatures(o, t, cfg.timestepFrequencies));
  const temb = linear(o, 'timestep.fc2', silu(o, h));
  // fps conditioning joins the timestep embedding, so everything modulated from t sees it.
  const fps = fpsEmbedding(o, cfg);
  return fps ? o.add(temb, fps) : temb;
}

/**
 * Everything before the block stack: x [B, F, H, W, C], t [B] (model units), text [B, L, textWidth] (label embeddings
 * [B, 1, D] for a class-conditional dit). The returned text is what cross-attention reads (after a caption projection).
 */
export function embedStep<T>(o: Ops<T>, cfg: ModelConfig, plan: readonly BlockPlan[], x: T, t: T, text: T): EmbedValues<T> {
  const { total } = tokenCounts(cfg);
  const noisyTokens = patchify(o, x, cfg.patchSize);
  const position = o.constant('position', [total, cfg.hiddenSize], () => positionTable(cfg));
  const tokens = o.add(linear(o, 'patch', noisyTokens), position);
  const temb = timestepEmbedding(o, cfg, t);
  const pooled = () => (isClassConditional(cfg) ? o.reshape(text, [-1, cfg.hiddenSize]) : linear(o, 'textPool', o.mean(text, 1, false)));
  const condition = cfg.family === 'dit' ? o.add(temb, pooled()) : linear(o, 'timestep.single', silu(o, temb));
  const modulated = modulatedInput(o, tokens, blockModulation(o, 'blocks.0', plan[0], condition));
  const projected = cfg.captionProjection ? linear(o, 'caption.fc2', gelu(o, linear(o, 'caption.fc1', text))) : text;
  return { noisyTokens, tokens, timestepEmbedding: temb, modulated, condition, text: projected };
}

/**
 * Block i on hidden tokens h [B, T, D] with the step's condition and text (textBias [B, L] masks padding text tokens).
 * `firstModulated` is embed's modulated input, reused by block 0 when h is embed's tokens (computed once per step).
 */
export function blockStep<T>(
  o: Ops<T>, cfg: ModelConfig, plan: readonly BlockPlan[], i: number, h: T, condition: T, text: T,
  textBias?: T, firstModulated?: T,
): T {
  const layout: TokenLayout = { frames: cfg.frames, perFrame: tokenCounts(cfg).perFrame, hidden: cfg.hiddenSize, heads: cfg.heads };
  const p = plan[i];
  // Latte adds the frame position before its first temporal block.
  const latteFrames = cfg.family === 'latte' && p.scope === 'temporal' && i === 1;
  const x = latteFrames ? o.add(h, o.constant('temporal-position', [tokenCounts(cfg).total, cfg.hiddenSize], () => temporalTable(cfg))) : h;
  const m = blockModulation(o, `blocks.${i}`, p, condition);
  const attend = upstreamAttentionActive(cfg) ? (xs: T) => upstreamSelfAttention(o, cfg, `blocks.${i}`, p, xs, i) : undefined;
  return runBlock(o, `blocks.${i}`, p, x, m, text, layout, i === 0 ? firstModulated : undefined, textBias, attend);
}

/**
 * Final adaLN, projection and unpatchify of the stack's output h [B, T, D]: [B, F, H, W, outputChannels] (the
 * prediction, then for a learned-sigma model the variance channels); `withVariance` false keeps the prediction only.
 */
export function headStep<T>(o: Ops<T>, cfg: ModelConfig, h: T, condition: T, timestepEmb: T, withVariance = false): T {
  const d = cfg.hiddenSize;
  const [shift, scale] = cfg.family === 'dit'
    ? o.split(o.reshape(linear(o, 'final.adaLN', silu(o, condition)), [-1, 2, d]), 2, 1)
    : o.split(o.add(o.param('final.scaleShiftTable'), o.reshape(timestepEmb, [-1, 1, d])), 2, 1);
  const out = linear(o, 'final.linear', modulate(o, layerNorm(o, h), shift, scale));
  const full = unpatchify(o, out, cfg.patchSize, cfg.frames, cfg.height, cfg.width, outputChannels(cfg));
  // A learned-sigma model's variance half is dropped: the samplers here use the prediction only.
  return cfg.learnSigma && !withVariance ? o.slice(full, [0, 0, 0, 0, 0], [-1, -1, -1, -1, cfg.channels]) : full;
}
