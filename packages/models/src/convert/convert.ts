import { existsSync, mkdirSync, openSync, readSync, closeSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { FormatError, writeJsonAtomic } from '@teacache/core';
import { outputChannels, validateConfig, type ModelConfig } from '../config.js';
import { parameterShapes } from '../model.js';
import { openSafetensors, writeSafetensorsStreaming, type SafetensorsFile } from '../weights/safetensors.js';
import { ProblemsError } from '../weights/problems.js';
import { CONFIG_FILE, WEIGHTS_FILE } from '../weights/model-io.js';
import type { CheckpointShapes, ConvertOptions } from './converter.js';
import { arrange, sourceShapes } from './layouts.js';
import { sincos2d } from '../layers.js';
import { CONVERTERS, CONVERT_SOURCES } from './sources.js';
import { expandRows, type ConcreteRow, type NamingTable } from './table.js';

/** A conversion to run: which source, the upstream safetensors file, the model directory to write. */
export interface ConvertRequest {
  from: string;
  checkpoint: string;
  out: string;
  options?: ConvertOptions;
  /** Element type of the written weights (default F32: the values as published, widened from f16/bf16). */
  dtype?: 'F32' | 'F16';
  /** Called after each toolkit parameter is written (done of total). */
  onProgress?: (done: number, total: number, name: string) => void;
}

/** What a conversion wrote. */
export interface ConvertResult {
  dir: string;
  config: ModelConfig;
  naming: NamingTable['naming'];
  /** Toolkit parameters written and their scalar count. */
  tensors: number;
  parameters: number;
  /** Upstream tensors deliberately left out, with why. */
  ignored: { name: string; why: string }[];
}

const PICKLE_HINT = 'a safetensors file. PyTorch .pt/.pth/.bin/.ckpt files are Python pickles, which the toolkit does not run; '
  + 'make one with:\n'
  + '  import torch; from safetensors.torch import save_file\n'
  + '  sd = torch.load("CHECKPOINT.pt", map_location="cpu"); sd = sd.get("ema", sd.get("model", sd))\n'
  + '  save_file({k: v.contiguous() for k, v in sd.items()}, "CHECKPOINT.safetensors")';

/**
 * Convert a published checkpoint to a toolkit model directory (config.json + weights.safetensors). Every
 * problem (unknown tensors, missing tensors, wrong shapes) is collected and thrown as one error before
 * anything is written; the directory appears whole or not at all.
 */
export function convertCheckpoint(req: ConvertRequest): ConvertResult {
  if (!Object.hasOwn(CONVERTERS, req.from)) {
    throw new FormatError({ field: '--from' }, `one of ${CONVERT_SOURCES.join(', ')}`, req.from);
  }
  const converter = CONVERTERS[req.from];
  if (!converter) throw new Error(`--from ${req.from}: this converter is not built in this version (built: ${builtSources().join(', ')})`);
  refusePickle(req.checkpoint);
  refuseExisting(req.out);
  const file = openSafetensors(req.checkpoint);
  try {
    const ck = shapesOf(file);
    const table = converter.tables.find((t) => ck.shape(t.marker) !== undefined);
    if (!table) {
      const markers = converter.tables.map((t) => `"${t.marker}" (${t.naming} naming)`).join(' or ');
      throw new FormatError({ file: req.checkpoint, field: 'tensors' }, `a ${converter.title} checkpoint with ${markers}`, `${ck.names.length} tensors without either`);
    }
    const config = validateConfig(converter.configFor(ck, table, req.options ?? {}), `${req.checkpoint} (config read off its shapes)`);
    const expected = parameterShapes(config);
    const rows = expandRows(table.rows, converter.repeats(config), (when) => {
      if (when === 'classes') return config.numClasses !== undefined;
      if (when === 'no-classes') return config.numClasses === undefined;
      if (when === 'qk-norm') return config.qkNorm === true;
      return config.learnSigma === true;
    });
    const ignored = checkPlan(req.checkpoint, converter.title, table, rows, ck, expected, config);
    checkRecomputed(file, table, config);
    const byTarget = new Map(rows.map((r) => [r.to, r]));
    const slots = Object.entries(expected).map(([name, shape]) => ({ name, shape }));
    const tmp = join(dirname(req.out), `.${basename(req.out)}.${process.pid}.partial`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    try {
      let done = 0;
      writeSafetensorsStreaming(join(tmp, WEIGHTS_FILE), slots, {
        dtype: req.dtype ?? 'F32',
        metadata: { family: config.family, convertedFrom: req.from, naming: table.naming, checkpoint: basename(req.checkpoint) },
      }, (name) => {
        const row = byTarget.get(name)!;
        const values = arrange(row.layout, expected[name], row.from.map((f) => file.read(f).data), config.patchSize, config.channels);
        req.onProgress?.(++done, slots.length, name);
        return values;
      });
      writeJsonAtomic(join(tmp, CONFIG_FILE), config);
      if (existsSync(req.out)) rmSync(req.out, { recursive: true });
      renameSync(tmp, req.out);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    const parameters = slots.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
    return { dir: req.out, config, naming: table.naming, tensors: slots.length, parameters, ignored };
  } finally {
    file.close();
  }
}

/** The sources whose converters are built. */
export function builtSources(): string[] {
  return CONVERT_SOURCES.filter((s) => CONVERTERS[s] !== null);
}

function shapesOf(file: SafetensorsFile): CheckpointShapes {
  return { names: file.header.tensors.map((t) => t.name), shape: (name) => file.entry(name)?.shape };
}

/**
 * Every problem between the table and the checkpoint, thrown as one error: upstream tensors no row places,
 * tensors a row needs and the checkpoint lacks, and shapes that differ. Returns the deliberately ignored ones.
 */
function checkPlan(file: string, title: string, table: NamingTable, rows: ConcreteRow[], ck: CheckpointShapes,
  expected: Record<string, number[]>, config: ModelConfig): { name: string; why: string }[] {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const row of rows) {
    const target = expected[row.to];
    if (!target) { problems.push(`the table maps to "${row.to}", which this config has no parameter for`); continue; }
    const want = sourceShapes(row.layout, target, row.from.length, config.patchSize, config.channels);
    row.from.forEach((name, i) => {
      used.add(name);
      const found = ck.shape(name);
      if (!found) problems.push(`missing tensor "${name}" (shape [${want[i].join(', ')}], for ${row.to})`);
      else if (!sameShape(found, want[i])) problems.push(`tensor "${name}" has shape [${found.join(', ')}], expected [${want[i].join(', ')}] (for ${row.to})`);
    });
  }
  const mapped = new Set(rows.map((r) => r.to));
  for (const name of Object.keys(expected)) if (!mapped.has(name)) problems.push(`no upstream tensor for the toolkit parameter "${name}"`);
  const patterns = table.ignored.map((i) => ({ re: new RegExp(`^(?:${i.pattern})$`), why: i.why }));
  const ignored: { name: string; why: string }[] = [];
  for (const name of ck.names) {
    if (used.has(name)) continue;
    const hit = patterns.find((p) => p.re.test(name));
    if (hit) ignored.push({ name, why: hit.why });
    else problems.push(`unknown tensor "${name}" (shape [${ck.shape(name)!.join(', ')}]): no place for it in a ${config.family} model`);
  }
  if (problems.length > 0) {
    throw new ProblemsError(file, 'tensors', `every tensor of a ${title} checkpoint (${table.naming} naming) placed with the right shape `
      + `(config read off the shapes: hiddenSize ${config.hiddenSize}, depth ${config.depth}, outputs ${outputChannels(config)} channels)`, problems);
  }
  return ignored;
}

/** Stored copies of fixed tensors must equal the toolkit's own (within the stored dtype's rounding). */
function checkRecomputed(file: SafetensorsFile, table: NamingTable, config: ModelConfig): void {
  for (const spec of table.ignored) {
    if (spec.recomputed !== 'position-2d') continue;
    const re = new RegExp(`^(?:${spec.pattern})$`);
    for (const entry of file.header.tensors.filter((t) => re.test(t.name))) {
      const stored = file.read(entry.name).data;
      const gh = config.height / config.patchSize;
      const gw = config.width / config.patchSize;
      const ours = sincos2d(gh, gw, config.hiddenSize, config.positionFirstHalf);
      const tolerance = entry.dtype === 'F32' ? 1e-5 : entry.dtype === 'F16' ? 1e-3 : 1e-2;
      let worst = stored.length === ours.length ? 0 : Infinity;
      for (let i = 0; i < stored.length && worst <= tolerance; i++) worst = Math.max(worst, Math.abs(stored[i] - ours[i]));
      if (worst > tolerance) {
        throw new FormatError({ file: file.path, field: entry.name },
          `the ${gh}x${gw} sin-cos position embedding the toolkit computes (first half: ${config.positionFirstHalf ?? 'row'}), within ${tolerance}`,
          Number.isFinite(worst) ? `values differing by up to ${worst.toPrecision(3)}` : `${stored.length} values for ${ours.length}`);
      }
    }
  }
}

function refusePickle(path: string): void {
  if (!existsSync(path)) throw new FormatError({ file: path }, 'an existing safetensors file', 'no such file');
  const ext = extname(path).toLowerCase();
  const head = Buffer.alloc(9);
  const fd = openSync(path, 'r');
  try { readSync(fd, head, 0, 9, 0); } finally { closeSync(fd); }
  // A safetensors header (after its 8-byte length) is JSON: '{'. A torch.save file is a zip archive
  // ("PK\x03\x04") or, in the legacy format, a pickle starting with the protocol byte 0x80.
  const json = head[8] === 0x7b;
  const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  const pickle = zip || (head[0] === 0x80 && !json);
  if (pickle || (!json && ['.pt', '.pth', '.bin', '.ckpt', '.pkl'].includes(ext))) {
    throw new FormatError({ file: path }, PICKLE_HINT, pickle ? 'a PyTorch pickle' : `a ${ext} file`);
  }
}

function refuseExisting(out: string): void {
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new FormatError({ file: out }, 'a new or empty output directory (the converter does not overwrite a model)', 'a directory with files in it');
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
