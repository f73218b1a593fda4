import { createPolicy } from '@teacache/cache';
import { DiffusionTransformer, FAMILIES, OnnxTransformer, selectBackend, validateConfig, type ModelConfig } from '@teacache/models';
import { sampleRun } from './sample-loop.js';
import { tinyTestModel } from './test-model.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Small models with the published checkpoints' options (on the toolkit's own text encoder, or class labels). */
function withOptions(family: ModelConfig['family'], options: Partial<ModelConfig>): () => DiffusionTransformer {
  const base = {
    family, hiddenSize: 24, depth: 4, heads: 2, mlpRatio: 2, patchSize: 2, frames: family === 'dit' ? 1 : 2, height: 4, width: 6, channels: 3,
    textWidth: 16, textLayers: 1, textHeads: 2, textLength: 4, vocabulary: ['<pad>', '<unk>', 'cat', 'moving', 'left'],
    timestepFrequencies: 32, prediction: 'epsilon',
  };
  return () => new DiffusionTransformer(validateConfig({ ...base, ...options }), { seed: 2, zeroInit: false });
}

const models: [string, () => DiffusionTransformer, string][] = [
  ...FAMILIES.map((f) => [f, () => tinyTestModel(f, 4), 'cat moving left'] as [string, () => DiffusionTransformer, string]),
  ['dit with class labels and learned sigma', withOptions('dit', { numClasses: 5, learnSigma: true, positionFirstHalf: 'column' }), '3'],
  ['latte with caption projection, column-first positions, learned sigma', withOptions('latte', { captionProjection: true, positionFirstHalf: 'column', learnSigma: true }), 'cat moving left'],
  ['stdit as Open-Sora 1.2 (qk-norm, temporal RoPE, fps, null caption, time shift)', withOptions('stdit', {
    prediction: 'velocity', velocityTarget: 'data-minus-noise', timeShift: 2.5, qkNorm: true, temporalRope: true, temporalPositionEmbedding: false,
    positionFirstHalf: 'column', fps: 24, nullCaption: true, learnSigma: true, captionProjection: true,
  }), 'cat moving left'],
  ['osp as Open-Sora-Plan v1.3 (RoPE-3D, Skiparse, v, Euler-ancestral)', withOptions('osp', {
    prediction: 'v', zeroTerminalSnr: true, sampler: 'euler-ancestral', rope3d: true, skiparse: 2, skiparseBlocks: [1, 4],
    spatialPositionEmbedding: 'none', temporalPositionEmbedding: false, captionProjection: true,
  }), 'cat moving left'],
];

describe.each(models)('sampling %s on the onnx engine', (_, make, caption) => {
  let tfModel: DiffusionTransformer;
  let onnx: OnnxTransformer;
  beforeAll(() => {
    tfModel = make();
    onnx = new OnnxTransformer(tfModel, { providers: ['cpu'], threads: 1 });
  });
  afterAll(() => {
    onnx.dispose();
    tfModel.dispose();
  });

  test('a fixed seed traces the same signals and sample as tfjs, within 1e-4', () => {
    const o = { caption, seed: 3, steps: 8, guidance: 3, record: true, runId: 'r' };
    const a = sampleRun({ ...o, model: tfModel });
    const b = sampleRun({ ...o, model: onnx });
    expect(b.rows.length).toBe(a.rows.length);
    let worst = 0;
    a.rows.forEach((ra, i) => {
      const rb = b.rows[i];
      expect([rb.step, rb.branch, rb.computed]).toEqual([ra.step, ra.branch, ra.computed]);
      const pairs = (Object.keys(ra.relL1) as (keyof typeof ra.relL1)[])
        .flatMap((k) => [[ra.relL1[k], rb.relL1[k]], [ra.meanAbs[k], rb.meanAbs[k]]]);
      for (const [x, y] of pairs) {
        if (x === null || x === undefined) expect(y ?? null).toBeNull();
        else worst = Math.max(worst, Math.abs(x - (y as number)));
      }
    });
    expect(worst).toBeLessThan(1e-4);
    expect(maxAbsDiff(a.video, b.video)).toBeLessThan(1e-4);
  });

  test('cache policies choose the same skip schedules on both engines', () => {
    const specs = [{ policy: 'teacache', threshold: 0.3 }, { policy: 'teacache', threshold: 3 }, { policy: 'first-block', threshold: 0.2 }, { policy: 'oracle', threshold: 0.3 }];
    const o = { caption, seed: 1, steps: 10, guidance: 2 };
    const schedules = (model: DiffusionTransformer | OnnxTransformer) =>
      specs.map((spec) => sampleRun({ ...o, model, policy: createPolicy(spec) }).schedule);
    const a = schedules(tfModel);
    expect(schedules(onnx)).toEqual(a);
    // Something is skipped, so agreeing is not trivial.
    expect(JSON.stringify(a)).toContain('R');
  });
});

