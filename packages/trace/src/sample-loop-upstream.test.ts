import { createPolicy } from '@teacache/cache';
import { DiffusionTransformer, selectBackend, validateConfig, type ModelConfig } from '@teacache/models';
import { sampleRun } from './sample-loop.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Small models with the published checkpoints' options, on the toolkit's own text encoder. */
function model(family: 'stdit' | 'osp'): DiffusionTransformer {
  const base = {
    family, hiddenSize: 24, depth: 4, heads: 2, mlpRatio: 2, patchSize: 2, frames: 2, height: 4, width: 6, channels: 3,
    textWidth: 16, textLayers: 1, textHeads: 2, textLength: 4, vocabulary: ['<pad>', '<unk>', 'cat', 'moving', 'left'],
    timestepFrequencies: 32, captionProjection: true,
  };
  const cfg: Partial<ModelConfig> = family === 'stdit'
    ? { prediction: 'velocity', velocityTarget: 'data-minus-noise', timeShift: 2.5, qkNorm: true, temporalRope: true, temporalPositionEmbedding: false, positionFirstHalf: 'column', fps: 24, nullCaption: true, learnSigma: true }
    : { prediction: 'v', zeroTerminalSnr: true, sampler: 'euler-ancestral', rope3d: true, skiparse: 2, skiparseBlocks: [1, 4], spatialPositionEmbedding: 'none', temporalPositionEmbedding: false };
  return new DiffusionTransformer(validateConfig({ ...base, ...cfg }), { seed: 2, zeroInit: false });
}

describe.each(['stdit', 'osp'] as const)('sampling a %s with the published checkpoint options', (family) => {
  test('runs guided, repeats exactly for a seed, and TeaCache skips steps in it', () => {
    const m = model(family);
    const run = (policy?: ReturnType<typeof createPolicy>) => sampleRun({ model: m, caption: 'cat moving left', seed: 5, steps: 8, guidance: 4, record: true, policy });
    const a = run();
    const b = run();
    expect(Array.from(a.video)).toEqual(Array.from(b.video));
    expect(a.video.every(Number.isFinite)).toBe(true);
    expect(a.timesteps[0]).toBe(family === 'stdit' ? 1000 : 999);
    if (family === 'stdit') expect(a.timesteps[1]).toBeCloseTo(1000 * (2.5 * 0.875) / (1 + 1.5 * 0.875), 6);
    const cached = run(createPolicy({ policy: 'teacache', threshold: 3, indicator: 'modulated' }));
    expect(cached.computedSteps).toBeLessThan(8);
    m.dispose();
  });
});
