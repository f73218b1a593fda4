// The runs a calibration is made of, on both engines in one process, alternating (tfjs, onnx, tfjs, onnx, ...) so
// the machine's load falls on both alike: CPU time (user + system of this process) per sampling run of stdit-tiny,
// uncached and with TeaCache, and the onnx/tfjs ratio of each. A quick stand-in for calibrate.bench.ts (packages/cli),
// which times calibrate end to end but takes many minutes per engine. BENCH_RUNS (default 5) runs per engine and kind.
import { createPolicy, type PolicySpec } from '@teacache/cache';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, OnnxTransformer, selectBackend, selectEngine, type SamplingModel } from '@teacache/models';
import { defaultSteps, sampleRun } from '../src/index.js';

await selectBackend();
const engine = selectEngine('onnx', 1);
// The trained built-in model, so TeaCache skips as it does in calibrate (coefficients as calibrate fitted them).
const loaded = loadModel(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'datasets', 'models', 'stdit-tiny'));
const { config, model: tfjs } = loaded;
const models: Record<'tfjs' | 'onnx', SamplingModel> = { tfjs, onnx: new OnnxTransformer(tfjs, { providers: engine.providers, threads: 1 }) };
const steps = defaultSteps(config.prediction);
const teacache = (threshold: number): PolicySpec => ({
  policy: 'teacache', threshold, coefficients: { highestFirst: [1.208, -0.0377] }, indicator: 'modulated', retentionSteps: 1, cutoffSteps: 1,
});
const base = { caption: 'cat moving left', seed: 0, steps, guidance: 4 };
const runs = Number(process.env.BENCH_RUNS ?? 5);
for (const m of Object.values(models)) sampleRun({ ...base, model: m, steps: 3 });

console.log(`stdit-tiny, ${steps} steps, guidance 4, one thread; ${runs} runs per engine and kind, alternating`);
console.log('kind       schedule (cond)                  tfjs ms CPU   onnx ms CPU   onnx/tfjs');
const kinds: [string, PolicySpec | null][] = [['uncached', null], ['tc 0.1', teacache(0.1)], ['tc 0.271', teacache(0.271)]];
for (const [kind, spec] of kinds) {
  const cpu = { tfjs: 0, onnx: 0 };
  const schedules = new Set<string>();
  for (let r = 0; r < runs; r++) {
    for (const name of ['tfjs', 'onnx'] as const) {
      const c0 = process.cpuUsage();
      const out = sampleRun({ ...base, model: models[name], ...(spec ? { policy: createPolicy(spec) } : {}) });
      const c = process.cpuUsage(c0);
      cpu[name] += (c.user + c.system) / 1e3 / runs;
      schedules.add(out.schedule.cond!);
    }
  }
  // Both engines must skip the same steps, or the comparison is of different work.
  if (schedules.size !== 1) throw new Error(`the engines chose different schedules: ${[...schedules].join(' vs ')}`);
  console.log(`${kind.padEnd(9)}  ${[...schedules][0]}  ${cpu.tfjs.toFixed(1).padStart(11)}   ${cpu.onnx.toFixed(1).padStart(11)}   ${(cpu.tfjs / cpu.onnx).toFixed(2)}x`);
}
models.onnx.dispose();
tfjs.dispose();
