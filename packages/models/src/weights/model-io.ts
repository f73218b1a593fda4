import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, readJsonFile, writeJsonAtomic } from '@teacache/core';
import { validateConfig, type ModelConfig } from '../config.js';
import { DiffusionTransformer, isTextSideParam } from '../model.js';
import { checkMemory, type SamplingEngine } from '../memory.js';
import { readConditioning } from '../conditioning.js';
import { openSafetensors, sha256OfFile, writeSafetensors } from './safetensors.js';
import { checkModelFits } from '../memory-limit.js';

/** A model directory: config.json and weights.safetensors (plus manifest.json for built-in models). */
export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'weights.safetensors';

/** Read and validate a model directory's config.json, refusing a model too large for what `engine` would hold it in. */
export function readModelConfig(dir: string, engine: SamplingEngine = 'tfjs'): ModelConfig {
  const file = join(dir, CONFIG_FILE);
  const value = readJsonFile(file, 'model config.json');
  const config = validateConfig(value, file);
  checkModelFits(config, file, undefined, engine);
  return config;
}

/** A loaded model with where it came from and the SHA-256 of its weights. */
export interface LoadedModel {
  model: DiffusionTransformer;
  config: ModelConfig;
  dir: string;
  weightsHash: string;
  /** The conditioning file attached, if any. */
  conditioning?: string;
}

/** How to load: a check run on the config before any parameter is allocated (default: checkMemory for the engine on the active backend). */
export interface LoadOptions {
  beforeAllocate?: (config: ModelConfig) => void;
  /**
   * Text-encoder outputs for a model with external text (default: conditioning.safetensors in the model
   * directory, when there is one).
   */
  conditioning?: string;
  /**
   * The engine that will sample (default tfjs). With onnx only the parameters the text side runs on tfjs are
   * loaded (isTextSideParam); the others stay declared but unloaded, and the onnx engine reads them from the file
   * into its sessions, so each weight is held once. The memory check counts what each engine holds where.
   */
  engine?: SamplingEngine;
}

/** The conditioning file a model directory may carry beside its weights. */
export const CONDITIONING_FILE = 'conditioning.safetensors';

/** Load a model directory: the config, then weights checked against every parameter the config implies. */
export function loadModel(dir: string, options: LoadOptions = {}): LoadedModel {
  const engine = options.engine ?? 'tfjs';
  const config = readModelConfig(dir, engine);
  const file = join(dir, WEIGHTS_FILE);
  if (!existsSync(file)) throw new FormatError({ file }, 'a weights.safetensors file beside config.json', 'no such file');
  // By default a model that cannot fit what the engine holds it in is refused here, before any parameter exists.
  (options.beforeAllocate ?? ((c: ModelConfig) => checkMemory(c, tf.getBackend() ?? 'cpu', 2, engine)))(config);
  // Parameters are declared without values and created one by one from the file: each is held once, on the
  // backend, and only one tensor's values pass through JS memory at a time.
  const model = new DiffusionTransformer(config, { seed: 0, allocate: false });
  const weights = openSafetensors(file, { expected: model.params.expectedShapes() });
  try {
    for (const name of model.params.specs.keys()) {
      if (engine === 'tfjs' || isTextSideParam(name)) model.params.load(name, weights.read(name).data);
    }
    model.weightsFile = file;
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    weights.close();
  }
  const conditioning = options.conditioning ?? (existsSync(join(dir, CONDITIONING_FILE)) ? join(dir, CONDITIONING_FILE) : undefined);
  if (conditioning !== undefined) {
    try {
      model.useConditioning(readConditioning(conditioning, config), conditioning);
    } catch (err) {
      model.dispose();
      throw err;
    }
  }
  return { model, config, dir, weightsHash: sha256OfFile(file), ...(conditioning !== undefined ? { conditioning } : {}) };
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
