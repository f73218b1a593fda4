import { resolve } from 'node:path';
import { FormatError, POLICY_NAMES, readCoefficientsFile, readJsonFile } from '@teacache/core';
import { validatePolicySpec, type PolicySpec, type PolicySpecInput } from './policy-spec.js';

/** Where a spec comes from, for error messages, and the directory relative file paths start from. */
export interface ParsePolicyOptions {
  file?: string;
  baseDir?: string;
}

// Short names a user may type on the command line; each maps to a spec field, per policy when it differs.
const ALIASES: Record<string, string | Record<string, string>> = {
  k: 'interval',
  K: 'maxSkipSteps',
  maxSkip: 'maxSkipSteps',
  cutoff: 'cutoffSteps',
  retention: { teacache: 'retentionSteps', oracle: 'retentionSteps', magcache: 'retentionRatio' },
  ratios: 'magRatios',
  poly: 'coefficients',
};
const STRING_FIELDS = new Set(['indicator', 'coefficients', 'coefficientsFile', 'magRatios', 'magRatiosFile']);

function parseNumber(text: string, field: string, file: string): number {
  const x = text.trim() === '' ? NaN : Number(text);
  if (Number.isNaN(x)) throw new FormatError({ file, field }, 'a number', text);
  return x;
}

/** Split `teacache:threshold=0.1,indicator=modulated` into an input object (values still raw for paths). */
function parseText(text: string, file: string): PolicySpecInput {
  const colon = text.indexOf(':');
  const policy = (colon < 0 ? text : text.slice(0, colon)).trim();
  const out: PolicySpecInput = { policy };
  if (colon < 0 || text.slice(colon + 1).trim() === '') return out;
  for (const part of text.slice(colon + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new FormatError({ file }, 'key=value pairs separated by commas after "policy:"', part);
    const rawKey = part.slice(0, eq).trim();
    const alias = ALIASES[rawKey];
    const key = typeof alias === 'string' ? alias : alias?.[policy] ?? rawKey;
    const value = part.slice(eq + 1).trim();
    if (key in out) throw new FormatError({ file, field: key }, 'each field once', `${rawKey} given twice`);
    if (key === 'coefficients' && rawKey === 'poly') {
      out.coefficients = { highestFirst: value.split(/[;\s]+/).filter(Boolean).map((v, i) => parseNumber(v, `coefficients.highestFirst[${i}]`, file)) };
    } else if (key === 'coefficients') {
      out.coefficientsFile = value; // a path: read below
    } else if (key === 'magRatios') {
      out.magRatiosFile = value;
    } else {
      out[key] = STRING_FIELDS.has(key) ? value : parseNumber(value, key, file);
    }
  }
  return out;
}

function readRatiosFile(path: string): unknown {
  const value = readJsonFile(path, 'magnitude-ratios JSON file');
  // accept a bare array, { cond, uncond }, or an object holding one of those under "magRatios"
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'magRatios' in value) {
    return (value as { magRatios: unknown }).magRatios;
  }
  return value;
}

/** Read the files a spec names (coefficientsFile, magRatiosFile) unless their content is given inline. */
function loadFiles(input: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  const out = { ...input };
  if (typeof out.coefficientsFile === 'string' && out.coefficients === undefined) {
    out.coefficients = readCoefficientsFile(resolve(baseDir, out.coefficientsFile));
  }
  if (typeof out.magRatiosFile === 'string' && out.magRatios === undefined) {
    out.magRatios = readRatiosFile(resolve(baseDir, out.magRatiosFile));
  }
  return out;
}

/**
 * Parse a policy spec from command-line text (`none`, `teacache:threshold=0.1,indicator=modulated,
 * coefficients=fit.json,retention=1,cutoff=1`, `interval:k=3`, `first-block:threshold=0.05`,
 * `magcache:threshold=0.12,ratios=ratios.json,K=2,retention=0.2`, `oracle:threshold=0.1`), from JSON
 * text, or from an object; read the files it names; validate and fill in defaults.
 */
export function parsePolicySpec(input: string | object, options: ParsePolicyOptions = {}): PolicySpec {
  const file = options.file ?? '<policy spec>';
  const baseDir = options.baseDir ?? process.cwd();
  let obj: unknown = input;
  if (typeof input === 'string') {
    const text = input.trim();
    if (text === '') throw new FormatError({ file }, `a policy (${POLICY_NAMES.join(', ')})`, 'an empty spec');
    if (text.startsWith('{')) {
      try {
        obj = JSON.parse(text);
      } catch (err) {
        throw new FormatError({ file }, 'valid JSON', (err as Error).message);
      }
    } else {
      obj = parseText(text, file);
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return validatePolicySpec(obj, file);
  return validatePolicySpec(loadFiles(obj as Record<string, unknown>, baseDir), file);
}
