/**
 * Classifier-free guidance on channel-last predictions: out = uncond + scale·(cond − uncond) on the first
 * `guidedChannels` channels; the others take the conditional branch (DiT guides only 3 of its 4 latent
 * channels, facebookresearch/DiT models.py forward_with_cfg). `cond` and `uncond` hold [..., channels] values.
 */
export function guide(cond: Float32Array, uncond: Float32Array, scale: number, channels: number, guidedChannels = channels): Float32Array {
  const out = new Float32Array(cond.length);
  for (let k = 0; k < cond.length; k++) {
    out[k] = k % channels < guidedChannels ? uncond[k] + scale * (cond[k] - uncond[k]) : cond[k];
  }
  return out;
}
