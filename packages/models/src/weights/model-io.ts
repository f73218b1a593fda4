import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, readJsonFile, writeJsonAtomic } from '@teacache/core';
import { validateConfig, type ModelConfig } from '../config.js';
import { DiffusionTransformer } from '../model.js';
import { checkModelFits } from '../memory-limit.js';
import { readSafetensors, sha256OfFile, writeSafetensors } from './safetensors.js';

/** A model directory: config.json and weights.safetensors (plus manifest.json for built-in models). */
export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'weights.safetensors';

/** Read and validate a model directory's config.json. */
export function readModelConfig(dir: string): ModelConfig {
  const file = join(dir, CONFIG_FILE);
  const value = readJsonFile(file, 'model config.json');
  const config = validateConfig(value, file);
  checkModelFits(config, file);
  return config;
}

/** A loaded model with where it came from and the SHA-256 of its weights. */
export interface LoadedModel {
  model: DiffusionTransformer;
  config: ModelConfig;
  dir: string;
  weightsHash: string;
}

/** Load a model directory: the config, then weights checked against every parameter the config implies. */
export function loadModel(dir: string): LoadedModel {
  const config = readModelConfig(dir);
  const file = join(dir, WEIGHTS_FILE);
  if (!existsSync(file)) throw new FormatError({ file }, 'a weights.safetensors file beside config.json', 'no such file');
  const model = new DiffusionTransformer(config, { seed: 0 });
  try {
    const { tensors } = readSafetensors(file, { expected: model.params.expectedShapes() });
    model.params.assign(new Map([...tensors].map(([name, t]) => [name, t.data])));
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, config, dir, weightsHash: sha256OfFile(file) };
}

/** Write a model directory: config.json and its parameters (or the given values) as safetensors. */
export function saveModel(dir: string, model: DiffusionTransformer, options: { dtype?: 'F32' | 'F16'; values?: Map<string, Float32Array>; metadata?: Record<string, string> } = {}): string {
  const values = options.values ?? model.params.snapshot();
  const tensors = [...model.params.specs].map(([name, spec]) => ({ name, shape: spec.shape, data: values.get(name)! }));
  const file = join(dir, WEIGHTS_FILE);
  writeSafetensors(file, tensors, { dtype: options.dtype ?? 'F16', metadata: { family: model.config.family, ...options.metadata } });
  writeJsonAtomic(join(dir, CONFIG_FILE), model.config);
  return file;
}
