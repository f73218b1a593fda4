import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, writeJsonAtomic, TOOLKIT_VERSION } from '@teacache/core';
import { readModelManifest } from '../manifest.js';
import type { BuiltinModel, TrainingStage } from '../builtin.js';
import type { StageStart, TrainResult } from './train.js';
import { loadModel, saveModel, WEIGHTS_FILE } from '../weights/model-io.js';
import { sha256OfFile } from '../weights/safetensors.js';

/** A finished training stage as the manifest records it. */
export interface StageRecord extends Required<TrainingStage> {
  /** Wall time of this stage, seconds. */
  wallSeconds: number;
  finishedAt: string;
}

/** What a shipped model's manifest.json records about how it was made. */
export interface ModelManifest {
  name: string;
  family: string;
  parameters: number;
  dataSeed: number;
  seed: number;
  /** Training steps over all stages. */
  steps: number;
  batchSize: number;
  stages: StageRecord[];
  /** Wall time over all stages, seconds. */
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

/** A stage with its defaults filled in. */
export function resolvedStage(stage: TrainingStage): Required<TrainingStage> {
  return {
    steps: stage.steps, learningRate: stage.learningRate, schedule: stage.schedule ?? 'constant',
    warmupSteps: stage.warmupSteps ?? 100, lossWeighting: stage.lossWeighting ?? 'uniform',
    timestepSampling: stage.timestepSampling ?? 'uniform',
  };
}

/** Write a trained model's directory: config.json, EMA weights as float16 safetensors, manifest.json; returns the paths and the manifest. */
export function writeTrainedModel(dir: string, builtin: BuiltinModel, result: TrainResult, backend: string, command: string, stages: StageRecord[]): { written: string[]; manifest: ModelManifest } {
  const weights = saveModel(dir, result.model, { dtype: 'F16', values: result.ema, metadata: { name: builtin.name, steps: String(result.step) } });
  const manifest: ModelManifest = {
    name: builtin.name, family: builtin.family, parameters: result.model.params.count(),
    dataSeed: builtin.training.dataSeed, seed: builtin.training.seed, steps: result.step,
    batchSize: builtin.training.batchSize, stages,
    wallSeconds: Math.round(result.wallSeconds), backend,
    finalTrainLoss: result.trainLoss, finalValidationLoss: result.validationLoss,
    untrainedValidationLoss: result.untrainedValidationLoss, weightsSha256: sha256OfFile(join(dir, WEIGHTS_FILE)),
    command, data: 'Twemoji graphics (CC-BY 4.0) from the npm package @twemoji/svg, rendered with resvg',
    toolkitVersion: TOOLKIT_VERSION, createdAt: new Date().toISOString(), lossHistory: result.lossHistory,
  };
  const manifestPath = join(dir, 'manifest.json');
  writeJsonAtomic(manifestPath, manifest);
  return { written: [join(dir, 'config.json'), weights, manifestPath], manifest };
}

type StoredManifest = Omit<ModelManifest, 'stages'> & { stages?: StageRecord[]; learningRate?: number; lossWeighting?: TrainingStage['lossWeighting'] };

/** The stages a stored manifest records (manifests from before stages existed describe one constant-rate stage). */
function storedStages(m: StoredManifest): StageRecord[] {
  if (m.stages) return m.stages;
  return [{ ...resolvedStage({ steps: m.steps, learningRate: m.learningRate ?? NaN, lossWeighting: m.lossWeighting }), wallSeconds: m.wallSeconds, finishedAt: m.createdAt }];
}

/** The first setting in which two stages differ, or null when they are the same. */
function stageDifference(a: Required<TrainingStage>, b: Required<TrainingStage>): keyof TrainingStage | null {
  const keys: (keyof TrainingStage)[] = ['steps', 'learningRate', 'schedule', 'warmupSteps', 'lossWeighting', 'timestepSampling'];
  return keys.find((k) => a[k] !== b[k]) ?? null;
}

/**
 * The stages of a built-in model's recipe that its directory already holds (none when there is no model there).
 * Throws when the stored model was made by another recipe or its weights are not the ones the manifest names.
 */
export function finishedStages(dir: string, builtin: BuiltinModel): { stages: StageRecord[]; manifest?: ModelManifest } {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file) || !existsSync(join(dir, WEIGHTS_FILE))) return { stages: [] };
  const m = readModelManifest(file) as unknown as StoredManifest;
  const stages = storedStages(m);
  const recipe = builtin.training;
  const again = 'retrain with --from-scratch';
  if (m.batchSize !== recipe.batchSize || m.seed !== recipe.seed || m.dataSeed !== recipe.dataSeed) {
    throw new FormatError({ file, field: 'batchSize/seed/dataSeed' }, `${recipe.batchSize}/${recipe.seed}/${recipe.dataSeed} as the ${builtin.name} recipe says (${again})`, `${m.batchSize}/${m.seed}/${m.dataSeed}`);
  }
  if (stages.length > recipe.stages.length) {
    throw new FormatError({ file, field: 'stages' }, `at most ${recipe.stages.length} stage(s) as the ${builtin.name} recipe says (${again})`, `${stages.length}`);
  }
  stages.forEach((s, i) => {
    const [have, want] = [resolvedStage(s), resolvedStage(recipe.stages[i])];
    const key = stageDifference(have, want);
    if (key) throw new FormatError({ file, field: `stages[${i}].${key}` }, `${want[key]} as the ${builtin.name} recipe says (${again})`, have[key]);
  });
  const sha = sha256OfFile(join(dir, WEIGHTS_FILE));
  if (sha !== m.weightsSha256) throw new FormatError({ file, field: 'weightsSha256' }, `the SHA-256 of ${WEIGHTS_FILE} (${sha}; ${again})`, m.weightsSha256);
  return { stages, manifest: { ...m, stages } };
}

/** Where the next stage starts: the stored model's weights and what its manifest recorded. */
export function stageStartFrom(dir: string, manifest: ModelManifest): StageStart {
  const loaded = loadModel(dir);
  const values = loaded.model.params.snapshot();
  loaded.model.dispose();
  return {
    values, step: manifest.steps, lossHistory: manifest.lossHistory,
    untrainedValidationLoss: manifest.untrainedValidationLoss, wallSeconds: manifest.wallSeconds,
  };
}
