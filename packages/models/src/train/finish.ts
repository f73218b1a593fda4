import { join } from 'node:path';
import { writeJsonAtomic, TOOLKIT_VERSION } from '@teacache/core';
import type { BuiltinModel } from '../builtin.js';
import type { TrainResult } from './train.js';
import { saveModel, WEIGHTS_FILE } from '../weights/model-io.js';
import { sha256OfFile } from '../weights/safetensors.js';

/** What a shipped model's manifest.json records about how it was made. */
export interface ModelManifest {
  name: string;
  family: string;
  parameters: number;
  dataSeed: number;
  seed: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  lossWeighting: string;
  wallSeconds: number;
  backend: string;
  finalTrainLoss: number;
  finalValidationLoss: number;
  untrainedValidationLoss: number;
  weightsSha256: string;
  command: string;
  data: string;
  toolkitVersion: string;
  createdAt: string;
  lossHistory: TrainResult['lossHistory'];
}

/** Write a trained model's directory: config.json, EMA weights as float16 safetensors, manifest.json. */
export function writeTrainedModel(dir: string, builtin: BuiltinModel, result: TrainResult, backend: string, command: string): string[] {
  const weights = saveModel(dir, result.model, { dtype: 'F16', values: result.ema, metadata: { name: builtin.name, steps: String(result.step) } });
  const manifest: ModelManifest = {
    name: builtin.name, family: builtin.family, parameters: result.model.params.count(),
    dataSeed: builtin.training.dataSeed, seed: builtin.training.seed, steps: result.step,
    batchSize: builtin.training.batchSize, learningRate: builtin.training.learningRate,
    lossWeighting: builtin.training.lossWeighting ?? 'uniform',
    wallSeconds: Math.round(result.wallSeconds), backend,
    finalTrainLoss: result.trainLoss, finalValidationLoss: result.validationLoss,
    untrainedValidationLoss: result.untrainedValidationLoss, weightsSha256: sha256OfFile(join(dir, WEIGHTS_FILE)),
    command, data: 'Twemoji graphics (CC-BY 4.0) from the npm package @twemoji/svg, rendered with resvg',
    toolkitVersion: TOOLKIT_VERSION, createdAt: new Date().toISOString(), lossHistory: result.lossHistory,
  };
  const manifestPath = join(dir, 'manifest.json');
  writeJsonAtomic(manifestPath, manifest);
  return [join(dir, 'config.json'), weights, manifestPath];
}
