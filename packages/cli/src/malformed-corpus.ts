// The malformed-input corpus: inputs and arguments a user gets wrong, one case each, for every reader and
// command. `makeMalformedCorpus(dir)` writes the input files into dir and returns the cases; the suite in
// malformed-inputs.test.ts runs each. Run as a script to write a corpus and list it:
//   tsx packages/cli/src/malformed-corpus.ts <dir>
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  coefficientsFromHighestFirst, sweepRowToJson, traceToCsv, SIGNALS, type CoefficientsFile, type RunRecord, type SweepRow, type TraceMetadata, type TraceRow,
} from '@teacache/core';
import type { ModelConfig } from '@teacache/models';

/** One malformed case: the command line, and what its error must name (file or argument, and field). */
export interface MalformedCase {
  name: string;
  args: string[];
  /** Substrings the one-line error must contain: the file path or `argument --x`, and the field when there is one. */
  names: string[];
}

/** A tiny model's config (the corpus writes weights for it only where a case needs a loadable model). */
export const CORPUS_MODEL: ModelConfig = {
  family: 'osp', hiddenSize: 16, depth: 2, heads: 2, mlpRatio: 2, patchSize: 4, frames: 2, height: 12, width: 12,
  channels: 3, textWidth: 8, textLayers: 1, textHeads: 2, textLength: 4, vocabulary: ['<pad>', '<unk>', 'cat'],
  prediction: 'epsilon', timestepFrequencies: 16,
};

function coefficients(over: Partial<CoefficientsFile> = {}): CoefficientsFile {
  return {
    format: 'teacache-coefficients', version: 1, origin: 'published', model: 'm', weightsHash: '', indicator: 'modulated',
    target: 'output', degree: 2, coefficients: coefficientsFromHighestFirst([2, -1, 0.5]), xRange: [0, 0.5], sampleCount: null,
    statistics: null, sources: [], provenance: 'corpus',
    reference: { integration: 'corpus', repository: 'corpus/none', path: 'none.py', commit: null, publishedText: '[2, -1, 0.5]', indicatorDetail: 'modulated input' },
    toolkitVersion: '0.0.0', createdAt: '2026-01-01T00:00:00Z', ...over,
  };
}

function sweepRow(over: Partial<SweepRow> = {}): SweepRow {
  return {
    format: 'teacache-sweep-row', version: 1, model: 'm', policy: 'interval', params: { interval: 2 }, threshold: 2, prompt: 'cat',
    seed: 0, steps: 4, computedSteps: 3, skippedSteps: 1, schedule: 'CRCC', wallSeconds: 1, referenceWallSeconds: 1.2,
    wallSpeedup: 1.2, stepSpeedup: 4 / 3, psnr: 30, ssim: 0.9, mse: 0.001, backend: 'wasm', createdAt: '2026-01-01T00:00:00Z',
    weightsHash: 'a'.repeat(64), guidance: 3, ...over,
  };
}

function runRecord(over: Partial<RunRecord> = {}): RunRecord {
  return {
    format: 'teacache-run', version: 1, model: 'm', policy: 'none', params: {}, threshold: null, prompt: 'cat', seed: 0, steps: 4,
    schedule: { cond: 'CCCC' }, wallSeconds: 1, output: 'cat.npy', ...over,
  };
}

function traceRun(dir: string, meta: Partial<TraceMetadata> = {}): void {
  mkdirSync(dir, { recursive: true });
  const rows: TraceRow[] = Array.from({ length: 4 }, (_, step) => ({
    runId: 'cat__seed0', step, timestep: 999 - 250 * step, branch: 'cond', computed: 1,
    relL1: Object.fromEntries(SIGNALS.map((s) => [s, step === 0 ? null : 0.1 * step])) as TraceRow['relL1'],
    meanAbs: Object.fromEntries(SIGNALS.map((s) => [s, 1])) as TraceRow['meanAbs'],
  }));
  writeFileSync(join(dir, 'cat__seed0.csv'), traceToCsv(rows));
  const sidecar: TraceMetadata = {
    format: 'teacache-trace', version: 1, runId: 'cat__seed0', model: 'm', family: 'osp', weightsHash: 'a'.repeat(64), prompt: 'cat',
    seed: 0, sampler: 'ddim', steps: 4, guidance: 1, backend: 'wasm', policy: 'none', toolkitVersion: '0.0.0',
    createdAt: '2026-01-01T00:00:00Z', wallSeconds: 1, ...meta,
  };
  writeFileSync(join(dir, 'cat__seed0.json'), JSON.stringify(sidecar));
}

/**
 * Write the corpus's input files into `dir` and return its cases. `modelDir` is a loadable tiny model (config.json
 * and weights) the caller made, for the commands that open a model before reading their other inputs.
 */
export function makeMalformedCorpus(dir: string, modelDir: string): MalformedCase[] {
  const f = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
  const d = (name: string) => { const p = join(dir, name); mkdirSync(p, { recursive: true }); return p; };
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'out');
  const prompts = f('prompts.txt', 'cat\n');
  const existingFile = f('existing.txt', 'keep me\n');
  const aDirectory = d('a-directory');
  const model = (name: string, config: unknown) => { const p = d(name); writeFileSync(join(p, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config)); writeFileSync(join(p, 'weights.safetensors'), ''); return p; };
  const coef = (name: string, value: unknown) => f(name, JSON.stringify(value));
  const good = coefficients();
  const cases: MalformedCase[] = [];
  const add = (name: string, args: string[], ...names: string[]) => cases.push({ name, args, names });
  // A command line of defaults with some options replaced or added (each option given once).
  const line = (command: string, defaults: Record<string, string>) => (...extra: string[]) => {
    const options = { ...defaults };
    for (let i = 0; i < extra.length; i += 2) options[extra[i].replace(/^--/, '')] = extra[i + 1];
    return [command, ...Object.entries(options).flatMap(([k, v]) => [`--${k}`, v])];
  };
  const trace = line('trace', { model: modelDir, prompts, steps: '4', out: join(out, 'trace') });
  const sweep = line('sweep', { model: modelDir, prompts, steps: '4', policies: 'teacache', thresholds: '0.1', out: join(out, 'sweep.jsonl') });

  // Arguments, refused before any work.
  add('--seeds given twice', [...trace(), '--seeds', '1', '--seeds', '2'], 'argument --seeds');
  add('--steps 0', trace('--steps', '0'), 'argument --steps');
  add('--steps 2.5', trace('--steps', '2.5'), 'argument --steps', '2.5');
  add('--steps 1e9', trace('--steps', '1e9'), 'argument --steps', '1000');
  add('--steps not a number', trace('--steps', 'many'), 'argument --steps', 'many');
  add('--guidance NaN', trace('--guidance', 'NaN'), 'argument --guidance');
  add('--guidance -1', trace('--guidance', '-1'), 'argument --guidance', '-1');
  add('--seeds 0-1e11 as digits', trace('--seeds', '0-100000000000'), 'argument --seeds', '100000');
  add('a 20-digit seed', trace('--seeds', '12345678901234567890'), 'argument --seeds', '4294967295');
  add('--seeds not numbers', trace('--seeds', 'a-b'), 'argument --seeds', 'a-b');
  add('--out under /proc', trace('--out', '/proc/teacache-out'), 'argument --out', '/proc/teacache-out');
  add('trace --out an existing file', trace('--out', existingFile), 'argument --out', existingFile);
  add('sweep --out a directory (EISDIR)', sweep('--out', aDirectory), 'argument --out', aDirectory);
  add('sweep --refine-psnr NaN', sweep('--refine-psnr', 'NaN'), 'argument --refine-psnr');
  add('sweep --workers -1', sweep('--workers', '-1'), 'argument --workers', '-1');
  add('sweep --guidance NaN', sweep('--guidance', 'NaN'), 'argument --guidance');
  add('report --psnr-cap NaN', ['report', '--sweep', f('ok.jsonl', sweepRowToJson(sweepRow()) + '\n'), '--psnr-cap', 'NaN', '--out', join(out, 'r1')], 'argument --psnr-cap');
  add('report --psnr-cap -5', ['report', '--sweep', join(dir, 'ok.jsonl'), '--psnr-cap', '-5', '--out', join(out, 'r2')], 'argument --psnr-cap', '-5');
  add('train --steps 0', ['train', '--model', 'dit-tiny', '--steps', '0', '--out', join(out, 'models')], 'argument --steps', '0');
  add('train --steps -5', ['train', '--model', 'dit-tiny', '--steps', '-5', '--out', join(out, 'models')], 'argument --steps', '-5');
  add('train --steps 2.5', ['train', '--model', 'dit-tiny', '--steps', '2.5', '--out', join(out, 'models')], 'argument --steps', '2.5');
  add('fit --out under /proc', ['fit', '--traces', d('empty-traces'), '--out', '/proc/teacache.json'], 'argument --out');
  add('fit --out a directory', ['fit', '--traces', join(dir, 'empty-traces'), '--out', aDirectory], 'argument --out', aDirectory);
  add('samples --repeats 0', ['samples', '--model', modelDir, '--repeats', '0', '--out', join(out, 'samples')], 'argument --repeats');
  add('calibrate --eval-seeds x', ['calibrate', '--model', modelDir, '--eval-seeds', 'x', '--out', join(out, 'cal'), '--report', join(out, 'cal-report')], 'argument --eval-seeds', 'x');

  // Files, each refused naming the file (and field).
  add('--prompts a directory', trace('--prompts', aDirectory), aDirectory, 'not a directory');
  add('--prompts an empty file', trace('--prompts', f('empty-prompts.txt', '# nothing\n')), join(dir, 'empty-prompts.txt'), 'at least one prompt');
  add('--prompts missing', trace('--prompts', join(dir, 'missing.txt')), join(dir, 'missing.txt'));
  add('config.json not JSON', trace('--model', model('model-corrupt', '{"family": "osp",')), join(dir, 'model-corrupt', 'config.json'), 'valid JSON');
  add('config depth 1e6', trace('--model', model('model-deep', { ...CORPUS_MODEL, depth: 1_000_000 })), join(dir, 'model-deep', 'config.json'), 'field "depth"', 'fits in memory');
  add('config hidden size 1e9', trace('--model', model('model-wide', { ...CORPUS_MODEL, hiddenSize: 1_000_000_000 })), join(dir, 'model-wide', 'config.json'), 'field "hiddenSize"');
  add('config family unknown', trace('--model', model('model-family', { ...CORPUS_MODEL, family: 'unet' })), join(dir, 'model-family', 'config.json'), 'field "family"');
  add('coefficients version 2', sweep('--coefficients', coef('coef-v2.json', { ...good, version: 2 })), join(dir, 'coef-v2.json'), 'field "version"');
  add('coefficients lowestFirst not reversed', sweep('--coefficients', coef('coef-order.json', { ...good, coefficients: { highestFirst: [2, -1, 0.5], lowestFirst: [2, -1, 0.5] } })), join(dir, 'coef-order.json'), 'field "coefficients.lowestFirst[0]"');
  add('coefficients wrong degree', sweep('--coefficients', coef('coef-degree.json', { ...good, degree: 1 })), join(dir, 'coef-degree.json'), 'field "coefficients.highestFirst"');
  add('coefficients degree 50', sweep('--coefficients', coef('coef-50.json', coefficients({ degree: 50, coefficients: coefficientsFromHighestFirst(Array(51).fill(0)) }))), join(dir, 'coef-50.json'), 'field "degree"');
  add('coefficients reversed x range', ['replay', '--traces', traceDir(dir, 'traces-ok'), '--coefficients', coef('coef-range.json', { ...good, xRange: [0.5, 0] })], join(dir, 'coef-range.json'), 'field "xRange"');
  add('coefficients bad format tag', ['replay', '--traces', join(dir, 'traces-ok'), '--coefficients', coef('coef-tag.json', { ...good, format: 'teacache-coefficientz' })], join(dir, 'coef-tag.json'), 'field "format"');
  add('coefficients 1e308 overflow', ['report', '--coefficients', coef('coef-huge.json', coefficients({ coefficients: coefficientsFromHighestFirst([1e308, 1e308, 1e308]), xRange: [0, 1] })), '--out', join(out, 'r3')], join(dir, 'coef-huge.json'), 'field "coefficients.highestFirst"', 'finite');
  add('coefficients a directory', ['report', '--coefficients', aDirectory, '--out', join(out, 'r4')], aDirectory, 'not a directory');
  add('sweep rows: a bad row', ['report', '--sweep', f('bad-row.jsonl', sweepRowToJson(sweepRow()) + '\n' + JSON.stringify({ ...sweepRow(), seed: -1 }) + '\n'), '--out', join(out, 'r5')], join(dir, 'bad-row.jsonl'), 'row 2', 'field "seed"');
  add('sweep rows: one model, two weights', ['report', '--sweep', f('two-weights.jsonl', [sweepRow(), sweepRow({ seed: 1, weightsHash: 'b'.repeat(64) })].map(sweepRowToJson).join('\n') + '\n'), '--out', join(out, 'r6')], join(dir, 'two-weights.jsonl'), 'row 2', 'field "weightsHash"');
  add('sweep rows: a directory', ['report', '--sweep', aDirectory, '--out', join(out, 'r7')], aDirectory, 'not a directory');
  add('replay --sweep not JSON Lines', ['replay', '--traces', join(dir, 'traces-ok'), '--policies', 'interval', '--sweep', f('not-rows.jsonl', 'hello\n')], join(dir, 'not-rows.jsonl'));
  add('trace sidecar guidance -1', ['report', '--traces', traceDir(dir, 'traces-guidance', { guidance: -1 }), '--out', join(out, 'r8')], join(dir, 'traces-guidance', 'cat__seed0.json'), 'field "guidance"');
  add('trace sidecar steps 1', ['fit', '--traces', traceDir(dir, 'traces-steps', { steps: 1 }), '--out', join(out, 'c.json')], join(dir, 'traces-steps', 'cat__seed0.json'), 'field "steps"');
  // 2^32 would draw seed 0's noise: every reader refuses a seed past 2^32 - 1.
  add('trace sidecar seed 2^32', ['fit', '--traces', traceDir(dir, 'traces-seed', { seed: 2 ** 32 }), '--out', join(out, 'c2.json')], join(dir, 'traces-seed', 'cat__seed0.json'), 'field "seed"', '4294967295', 'found 4294967296');
  add('sweep rows: seed 2^32', ['report', '--sweep', f('seed-row.jsonl', JSON.stringify({ ...sweepRow(), seed: 2 ** 32 }) + '\n'), '--out', join(out, 'r10')], join(dir, 'seed-row.jsonl'), 'row 1', 'field "seed"', '4294967295');
  add('run record seed 2^32', ['score', '--runs', f('seed.run.json', JSON.stringify(runRecord({ seed: 2 ** 32 }))), '--out', join(out, 'scored.jsonl')], join(dir, 'seed.run.json'), 'field "seed"', '4294967295', 'found 4294967296');
  add('references: an empty directory', ['report', '--references', d('no-references'), '--out', join(out, 'r9')], join(dir, 'no-references'));
  add('report --out a directory of other files', ['report', '--sweep', join(dir, 'ok.jsonl'), '--out', d('someone-elses')], join(dir, 'someone-elses'), 'report-only directory');
  add('sweep: magcache without traces', sweep('--policies', 'magcache', '--traces', d('no-traces')), join(dir, 'no-traces'));
  writeFileSync(join(dir, 'someone-elses', 'notes.txt'), 'keep me\n');
  return cases;
}

function traceDir(root: string, name: string, meta: Partial<TraceMetadata> = {}): string {
  const dir = join(root, name);
  traceRun(dir, meta);
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: tsx packages/cli/src/malformed-corpus.ts <dir>\n');
    process.exit(1);
  }
  const cases = makeMalformedCorpus(dir, join(dir, 'model'));
  for (const c of cases) process.stdout.write(`${c.name}: teacache ${c.args.join(' ')}\n`);
  process.stdout.write(`${cases.length} cases written to ${dir} (write a tiny model into ${join(dir, 'model')} to run them)\n`);
}
