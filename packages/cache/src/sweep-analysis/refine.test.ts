import type { SweepRow } from '@teacache/core';
import { describePolicy } from '../describe-policy.js';
import { validatePolicySpec, type PolicySpec } from '../policy-spec.js';
import { gridSpecs, type SweepVariant, type ThresholdSpec } from './spec-grid.js';
import { refineSpecs as refineVariants } from './refine.js';
import type { PsnrProtocol } from './psnr-protocol.js';

function row(spec: PolicySpec, psnr: number, model = 'm', prompt = 'a', psnrFrames8bit = psnr): SweepRow {
  const d = describePolicy(spec);
  return {
    format: 'teacache-sweep-row', version: 1, model, policy: d.policy, params: d.params, threshold: d.threshold, prompt, seed: 0,
    steps: 4, computedSteps: 4, skippedSteps: 0, schedule: 'CCCC', wallSeconds: 1, referenceWallSeconds: 1, wallSpeedup: 1,
    stepSpeedup: 1, psnr, ssim: 0.9, mse: 0.01, backend: 'wasm', createdAt: 'now', psnrFrames8bit, ssimFrames8bit: 0.9,
  };
}
const tea = (threshold: number, retentionSteps = 1) => validatePolicySpec({ policy: 'teacache', threshold, retentionSteps });

/** The grid these specs make (consecutive specs of one policy and params form one variant), refined; its specs. */
function refineSpecs(specs: PolicySpec[], rows: SweepRow[], model: string, target: number, count?: number, protocol?: PsnrProtocol): PolicySpec[] {
  const variants: SweepVariant[] = [];
  const sameVariant = (a: PolicySpec, b: PolicySpec) =>
    JSON.stringify({ ...describePolicy(a).params, threshold: 0 }) === JSON.stringify({ ...describePolicy(b).params, threshold: 0 }) && a.policy === b.policy;
  for (const spec of specs) {
    const last = variants[variants.length - 1];
    if (spec.policy === 'none') variants.push({ kind: 'reference', specs: [spec] });
    else if (spec.policy === 'interval') variants.push({ kind: 'interval', specs: [spec] });
    else if (last?.kind === 'threshold' && sameVariant(last.specs[0], spec)) last.specs.push(spec);
    else variants.push({ kind: 'threshold', specs: [spec as ThresholdSpec] });
  }
  return gridSpecs(refineVariants(variants, rows, model, target, count, protocol));
}

test('thresholds are added geometrically between the last one that reaches the target and the next, which does not', () => {
  const specs = [tea(0.01), tea(0.03), tea(0.05)];
  // Two prompts: the threshold's mean PSNR decides (0.03 passes on average though one prompt is under 30).
  const rows = [row(specs[0], 40), row(specs[0], 38, 'm', 'b'), row(specs[1], 34), row(specs[1], 28, 'm', 'b'), row(specs[2], 25), row(specs[2], 27, 'm', 'b')];
  const added = refineSpecs(specs, rows, 'm', 30) as { policy: string; threshold: number; retentionSteps: number }[];
  // 0.03 · (0.05 / 0.03)^(k/4) for k = 1, 2, 3, to 3 significant digits.
  expect(added.map((s) => s.threshold)).toEqual([0.0341, 0.0387, 0.044]);
  expect(added.every((s) => s.policy === 'teacache' && s.retentionSteps === 1)).toBe(true);
});

test('each variant is refined on its own rows; one that passes everywhere gets nothing', () => {
  const specs = [tea(0.1), tea(0.2), tea(0.1, 5), tea(0.2, 5), validatePolicySpec({ policy: 'first-block', threshold: 0.1 }), validatePolicySpec({ policy: 'interval', interval: 2 })];
  const rows = [row(specs[0], 35), row(specs[1], 20), row(specs[2], 35), row(specs[3], 33), row(specs[4], 10), row(specs[5], 31)];
  const added = refineSpecs(specs, rows, 'm', 30, 1) as { policy: string; threshold: number; retentionSteps?: number }[];
  // teacache retaining 1 step crosses 30 dB between 0.1 and 0.2; retaining 5 passes at both; first-block passes at none.
  expect(added.map((s) => [s.policy, s.retentionSteps ?? null, s.threshold])).toEqual([['teacache', 1, 0.141], ['first-block', null, 0.05]]);
});

test('a variant that reaches the target at no threshold gets halvings below its smallest', () => {
  const specs = [tea(0.01), tea(0.02)];
  const added = refineSpecs(specs, [row(specs[0], 25), row(specs[1], 20)], 'm', 30) as { threshold: number }[];
  expect(added.map((s) => s.threshold)).toEqual([0.005, 0.0025, 0.00125]);
});

test('rows of another model are not read', () => {
  const specs = [tea(0.1), tea(0.2)];
  expect(refineSpecs(specs, [row(specs[0], 35, 'other'), row(specs[1], 20, 'other')], 'm', 30)).toEqual([]);
});

test('a run identical to the uncached one counts at the report\'s cap, so one cannot lift a failing threshold over the target', () => {
  const specs = [tea(0.01), tea(0.02)];
  // (60 + 20 + 20 + 20) / 4 = 30 passes at the cap of 60 dB; (60 + 10 + 10 + 10) / 4 = 22.5 does not.
  const rows = [row(specs[0], Infinity), row(specs[0], 20, 'm', 'b'), row(specs[0], 20, 'm', 'c'), row(specs[0], 20, 'm', 'd'),
    row(specs[1], Infinity), row(specs[1], 10, 'm', 'b'), row(specs[1], 10, 'm', 'c'), row(specs[1], 10, 'm', 'd')];
  expect((refineSpecs(specs, rows, 'm', 30, 1) as { threshold: number }[]).map((s) => s.threshold)).toEqual([0.0141]);
  expect((refineSpecs(specs, rows, 'm', 31, 1) as { threshold: number }[]).map((s) => s.threshold)).toEqual([0.005]);
});

test('the target reads the paper protocol by default and the pooled PSNR when asked', () => {
  const specs = [tea(0.1), tea(0.2)];
  // pooled: both pass 30 dB; per 8-bit frame: only 0.1 does
  const rows = [row(specs[0], 35, 'm', 'a', 34), row(specs[1], 31, 'm', 'a', 29)];
  expect(refineSpecs(specs, rows, 'm', 30, 1).map((s) => (s as { threshold: number }).threshold)).toEqual([0.141]);
  expect(refineSpecs(specs, rows, 'm', 30, 1, 'pooled')).toEqual([]);
});
