import { createPolicy } from '@teacache/cache';
import { FAMILIES, OnnxTransformer, selectBackend, type DiffusionTransformer } from '@teacache/models';
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

describe.each(['dit', 'stdit', 'latte', 'osp'] as const)('sampling %s on the onnx engine', (family) => {
  let tfModel: DiffusionTransformer;
  let onnx: OnnxTransformer;
  beforeAll(() => {
    tfModel = tinyTestModel(family, 4);
    onnx = new OnnxTransformer(tfModel, { providers: ['cpu'], threads: 1 });
  });
  afterAll(() => {
    onnx.dispose();
    tfModel.dispose();
  });

  test('a fixed seed traces the same signals and sample as tfjs, within 1e-4', () => {
    const o = { caption: 'cat moving left', seed: 3, steps: 8, guidance: 3, record: true, runId: 'r' };
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
    const specs = [{ policy: 'teacache', threshold: 0.3 }, { policy: 'first-block', threshold: 0.2 }, { policy: 'oracle', threshold: 0.3 }];
    const o = { caption: 'cat', seed: 1, steps: 10, guidance: 2 };
    const schedules = (model: DiffusionTransformer | OnnxTransformer) =>
      specs.map((spec) => sampleRun({ ...o, model, policy: createPolicy(spec) }).schedule);
    const a = schedules(tfModel);
    expect(schedules(onnx)).toEqual(a);
    // Something is skipped, so agreeing is not trivial.
    expect(JSON.stringify(a)).toContain('R');
  });
});

test('the families listed here are all the families', () => {
  expect([...FAMILIES].sort()).toEqual(['dit', 'latte', 'osp', 'stdit']);
});
