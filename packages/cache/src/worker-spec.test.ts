import { validatePolicySpec, type TeaCacheSpec } from './policy-spec.js';
import { describePolicy } from './describe-policy.js';
import { teacachePolicy } from './policies/teacache.js';
import { workerSpec } from './worker-spec.js';
import { coefficientsFileOf } from './test-support/coefficients-file.js';
import { runSeries } from './test-support/run-series.js';

const MODULATED = [null, 0.10, 0.15, 0.10, 0.05, 0.20, 0.40, 0.05];
const file = coefficientsFileOf([2, 0.5, 0.01], {
  xRange: [0.08, 0.25], sampleCount: 40, sources: [{ path: 'traces/a.csv', sha256: 'f'.repeat(64) }],
});
const full = validatePolicySpec({ policy: 'teacache', threshold: 0.3, coefficients: file, coefficientsFile: 'runs/coefficients.json' }) as TeaCacheSpec;

describe('workerSpec', () => {
  test('cuts a coefficients file to the polynomial, model, indicator and fitted range', () => {
    const sent = workerSpec(full);
    expect(sent.policy === 'teacache' && sent.coefficients).toEqual({ highestFirst: [2, 0.5, 0.01], model: 'test-model', indicator: 'modulated', xRange: [0.08, 0.25] });
    expect(JSON.stringify(sent)).not.toContain('traces/a.csv');
    expect(JSON.stringify(sent).length).toBeLessThan(JSON.stringify(full).length / 2);
  });

  test('describes the policy as the full spec does, so sweep row keys and queued job ids do not change', () => {
    expect(describePolicy(workerSpec(full))).toEqual(describePolicy(full));
  });

  test('decides the same steps and warns of the same range exits as the full spec', () => {
    const warnings = (spec: TeaCacheSpec) => {
      const messages: string[] = [];
      const { schedule } = runSeries(teacachePolicy(spec, (m) => messages.push(m)), 8, { modulated: MODULATED });
      return { schedule, messages };
    };
    const sent = warnings(workerSpec(full) as TeaCacheSpec);
    expect(sent).toEqual(warnings(full));
    expect(sent.messages).toHaveLength(2);
  });

  test('is still a valid spec after travelling as JSON (a queued job is validated on arrival)', () => {
    const arrived = validatePolicySpec(JSON.parse(JSON.stringify(workerSpec(full))), 'job');
    expect(describePolicy(arrived)).toEqual(describePolicy(full));
  });

  test('leaves specs without a coefficients file as they are', () => {
    const bare = validatePolicySpec({ policy: 'teacache', threshold: 0.1, coefficients: { highestFirst: [1, 0] } });
    const interval = validatePolicySpec({ policy: 'interval', interval: 3 });
    expect(workerSpec(bare)).toEqual(bare);
    expect(workerSpec(interval)).toBe(interval);
  });
});
