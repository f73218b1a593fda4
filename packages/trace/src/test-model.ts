import { DiffusionTransformer, type Family, type ModelConfig } from '@teacache/models';

/** A very small model of a family for tests (random, not zero-initialised, so outputs change step to step). */
export function tinyTestModel(family: Family, seed = 1): DiffusionTransformer {
  const cfg: ModelConfig = {
    family, hiddenSize: 32, depth: 2, heads: 2, mlpRatio: 2, patchSize: 4, frames: family === 'dit' ? 1 : 2,
    height: 8, width: 8, channels: 3, textWidth: 16, textLayers: 1, textHeads: 2, textLength: 4,
    vocabulary: ['<pad>', '<unk>', 'cat', 'moving', 'left'], prediction: family === 'stdit' ? 'velocity' : 'epsilon',
    timestepFrequencies: 32,
  };
  return new DiffusionTransformer(cfg, { seed, zeroInit: false });
}
