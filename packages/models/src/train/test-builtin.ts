import type { BuiltinModel } from '../builtin.js';
import { buildVocabulary } from '../text-encoder.js';
import { clipSpecs } from '../data/clips.js';

/** A built-in model small enough to train in tests (a second): two stages of a few steps each. */
export const TEST_BUILTIN: BuiltinModel = {
  name: 'test-tiny', family: 'stdit', description: 'test',
  config: {
    family: 'stdit', hiddenSize: 16, depth: 2, heads: 2, mlpRatio: 2, patchSize: 4, frames: 2, height: 8, width: 8,
    channels: 3, textWidth: 8, textLayers: 1, textHeads: 2, textLength: 4,
    vocabulary: buildVocabulary(clipSpecs('video').map((c) => c.caption)), prediction: 'velocity', timestepFrequencies: 16,
  },
  training: { batchSize: 4, seed: 1, dataSeed: 2, stages: [{ steps: 3, learningRate: 3e-3 }, { steps: 2, learningRate: 1e-3, schedule: 'cosine' }] },
};
