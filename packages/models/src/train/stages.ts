import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BuiltinModel } from '../builtin.js';
import { clearCheckpoint, train } from './train.js';
import { finishedStages, resolvedStage, stageStartFrom, writeTrainedModel, type StageRecord } from './finish.js';

/** Options of trainStages. */
export interface TrainStagesOptions {
  /** The model directory: stages it already holds are kept; the next starts from its stored weights. */
  dir: string;
  builtin: BuiltinModel;
  /** Steps of each stage this call runs, overriding the recipe (trials; recorded in the manifest). */
  steps?: number;
  /** Ignore the stored model and its checkpoints and train every stage anew. */
  fromScratch?: boolean;
  /** Keep each stage's checkpoint files after it finishes. */
  keepCheckpoint?: boolean;
  /** The tfjs backend that trains, as the manifest records it. */
  backend: string;
  /** The command the manifest records as how the model was made. */
  command: string;
  /** Progress lines (default: stderr); training's own progress goes here too. */
  log?: (line: string) => void;
  /** Passed to train (tests). */
  checkpointEverySteps?: number;
  quiet?: boolean;
}

/** What trainStages did: the files of the model directory it wrote (none when every stage was already there). */
export interface TrainStagesResult {
  written: string[];
  /** Stages trained by this call, and those found already finished. */
  trained: number;
  kept: number;
}

/**
 * Train a built-in model through the stages of its recipe into `dir`: stages the directory already holds are kept,
 * a later stage starts from the stored weights, an interrupted stage resumes from its checkpoint; after each stage
 * the model directory (weights, config, manifest) is written whole.
 */
export function trainStages(o: TrainStagesOptions): TrainStagesResult {
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const { dir, builtin } = o;
  const recipe = builtin.training.stages;
  if (o.fromScratch && existsSync(join(dir, 'checkpoint'))) {
    // A checkpoint of an earlier run must not be resumed into a training asked to start anew.
    rmSync(join(dir, 'checkpoint'), { recursive: true, force: true });
    log(`--from-scratch: removed the checkpoints in ${join(dir, 'checkpoint')}`);
  }
  const stored = o.fromScratch ? { stages: [] as StageRecord[] } : finishedStages(dir, builtin);
  if (stored.stages.length >= recipe.length) {
    log(`${builtin.name} already holds all ${recipe.length} training stage(s) in ${dir}; --from-scratch retrains`);
    return { written: [], trained: 0, kept: stored.stages.length };
  }
  let done = stored.stages;
  let manifest = stored.manifest;
  let written: string[] = [];
  for (let k = done.length; k < recipe.length; k++) {
    const stage = resolvedStage({ ...recipe[k], ...(o.steps !== undefined ? { steps: o.steps } : {}) });
    log(`stage ${k + 1} of ${recipe.length}: ${stage.steps} steps, learning rate ${stage.learningRate} (${stage.schedule}), ` +
      `${stage.lossWeighting} loss weighting, ${stage.timestepSampling} timesteps${k > 0 ? ', from the stored stage-' + k + ' weights' : ''}`);
    const checkpointDir = join(dir, 'checkpoint', `stage-${k + 1}`);
    const result = train({
      ...builtin.training, ...stage, config: builtin.config, checkpointDir,
      start: k > 0 && manifest ? stageStartFrom(dir, manifest) : undefined,
      ...(o.log ? { log: o.log } : {}), ...(o.quiet !== undefined ? { quiet: o.quiet } : {}),
      ...(o.checkpointEverySteps !== undefined ? { checkpointEverySteps: o.checkpointEverySteps } : {}),
    });
    const before = done.reduce((s, d) => s + d.wallSeconds, 0);
    log(`stage ${k + 1}: final train loss ${result.trainLoss.toFixed(4)}, validation loss ${result.validationLoss.toFixed(4)} ` +
      `(untrained ${result.untrainedValidationLoss.toFixed(4)}), ${Math.round(result.wallSeconds - before)} s`);
    done = [...done, { ...stage, wallSeconds: Math.round(result.wallSeconds - before), finishedAt: new Date().toISOString() }];
    ({ written, manifest } = writeTrainedModel(dir, builtin, result, o.backend, o.command, done));
    result.model.dispose();
    if (!o.keepCheckpoint) clearCheckpoint(checkpointDir);
  }
  return { written, trained: recipe.length - stored.stages.length, kept: stored.stages.length };
}
