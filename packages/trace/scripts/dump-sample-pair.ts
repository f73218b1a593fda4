// Writes real samples for the 8-bit quality-protocol test: the uncached and a TeaCache-cached output of one
// built-in model, prompt and seed, as raw little-endian float32 (frames × height × width × channels) plus a
// JSON with their shape. Usage: npx tsx packages/trace/scripts/dump-sample-pair.ts <model> <threshold> <out-dir>
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCoefficientsFile } from '@teacache/core';
import { createPolicy, validatePolicySpec } from '@teacache/cache';
import { backendRequestFrom, loadModel, selectBackend } from '@teacache/models';
import { sampleRun } from '../src/sample-loop.js';

const [name = 'stdit-tiny', thresholdText = '0.2', out = 'packages/core/src/fixtures/frames8bit'] = process.argv.slice(2);
await selectBackend(backendRequestFrom());
const loaded = loadModel(join('datasets', 'models', name));
const coefficientsFile = join('datasets', 'coefficients', `${name}.json`);
const spec = validatePolicySpec({ policy: 'teacache', threshold: Number(thresholdText), indicator: 'modulated', coefficients: readCoefficientsFile(coefficientsFile), coefficientsFile });
const base = { model: loaded.model, caption: 'frog moving right', seed: 0, steps: 30, guidance: 4 };
const ref = sampleRun(base);
const run = sampleRun({ ...base, policy: createPolicy(spec) });
mkdirSync(out, { recursive: true });
const c = loaded.config;
writeFileSync(join(out, `${name}-uncached.f32`), Buffer.from(ref.video.buffer, ref.video.byteOffset, ref.video.byteLength));
writeFileSync(join(out, `${name}-cached.f32`), Buffer.from(run.video.buffer, run.video.byteOffset, run.video.byteLength));
writeFileSync(join(out, `${name}-pair.json`), JSON.stringify({
  model: name, prompt: base.caption, seed: base.seed, steps: base.steps, guidance: base.guidance, threshold: spec.policy === 'teacache' ? spec.threshold : null,
  schedule: run.schedule, frames: c.frames, height: c.height, width: c.width, channels: c.channels,
}, null, 1) + '\n');
process.stderr.write(`wrote ${out}/${name}-{uncached,cached}.f32 and ${name}-pair.json\n`);
