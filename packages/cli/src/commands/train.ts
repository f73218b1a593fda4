import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import {
  builtinModel, train, writeTrainedModel, clearCheckpoint, finishedStages, stageStartFrom, resolvedStage, type StageRecord,
} from '@teacache/models';
import { printWritten, startBackend } from './common.js';
import { checkOutputPath, checkWhole } from './args.js';
import { COMMAND_SUMMARIES } from './summaries.js';
import { builtinModelDir } from './model-source.js';

interface TrainArgs { model: string; out?: string; steps?: number; backend?: string; keepCheckpoint: boolean; fromScratch: boolean }

/**
 * `teacache train`: train a built-in model through the stages of its recipe. Stages the model directory already
 * holds are kept; a later stage starts from the stored weights; an interrupted stage resumes from its checkpoint.
 */
export const trainCommand: CommandModule<object, TrainArgs> = {
  ...COMMAND_SUMMARIES.train,
  builder: (y) => y
    .option('model', { type: 'string', demandOption: true, describe: 'built-in model name, e.g. stdit-tiny' })
    .option('out', { type: 'string', describe: 'parent directory of the model directory (default: the toolkit\'s datasets/models, where built-in models are read)' })
    .option('steps', { type: 'number', describe: 'override the steps of each stage this call runs (trials; recorded in the manifest)' })
    .option('from-scratch', { type: 'boolean', default: false, describe: 'ignore the stored model and train every stage anew' })
    .option('keep-checkpoint', { type: 'boolean', default: false, describe: 'keep checkpoint files after finishing' }) as never,
  handler: async (argv) => {
    // --steps 0 would fall back to the recipe (0 is falsy) and 2.5 or -5 would misstate what ran: refused here.
    checkWhole(argv.steps, 'steps', 1, 10_000_000);
    if (argv.out !== undefined) checkOutputPath(argv.out, 'directory');
    const backend = await startBackend(argv);
    const builtin = builtinModel(argv.model);
    // Given, --out is relative to the caller's directory; by default the model goes where `teacache` reads built-ins.
    const dir = argv.out === undefined ? builtinModelDir(builtin.name) : resolve(argv.out, builtin.name);
    const recipe = builtin.training.stages;
    if (argv.fromScratch && existsSync(join(dir, 'checkpoint'))) {
      // A checkpoint of an earlier run must not be resumed into a training asked to start anew.
      rmSync(join(dir, 'checkpoint'), { recursive: true, force: true });
      process.stderr.write(`--from-scratch: removed the checkpoints in ${join(dir, 'checkpoint')}\n`);
    }
    const stored = argv.fromScratch ? { stages: [] as StageRecord[] } : finishedStages(dir, builtin);
    const command = `teacache train --model ${builtin.name}${argv.steps !== undefined ? ` --steps ${argv.steps}` : ''}`;
    if (stored.stages.length >= recipe.length) {
      process.stderr.write(`${builtin.name} already holds all ${recipe.length} training stage(s) in ${dir}; --from-scratch retrains\n`);
      printWritten([]);
      return;
    }
    let done = stored.stages;
    let manifest = stored.manifest;
    let written: string[] = [];
    for (let k = done.length; k < recipe.length; k++) {
      const stage = resolvedStage({ ...recipe[k], ...(argv.steps !== undefined ? { steps: argv.steps } : {}) });
      process.stderr.write(`stage ${k + 1} of ${recipe.length}: ${stage.steps} steps, learning rate ${stage.learningRate} (${stage.schedule}), ` +
        `${stage.lossWeighting} loss weighting, ${stage.timestepSampling} timesteps${k > 0 ? ', from the stored stage-' + k + ' weights' : ''}\n`);
      const checkpointDir = join(dir, 'checkpoint', `stage-${k + 1}`);
      const result = train({
        ...builtin.training, ...stage, config: builtin.config, checkpointDir,
        start: k > 0 && manifest ? stageStartFrom(dir, manifest) : undefined,
      });
      const before = done.reduce((s, d) => s + d.wallSeconds, 0);
      process.stderr.write(`stage ${k + 1}: final train loss ${result.trainLoss.toFixed(4)}, validation loss ${result.validationLoss.toFixed(4)} ` +
        `(untrained ${result.untrainedValidationLoss.toFixed(4)}), ${Math.round(result.wallSeconds - before)} s\n`);
      done = [...done, { ...stage, wallSeconds: Math.round(result.wallSeconds - before), finishedAt: new Date().toISOString() }];
      ({ written, manifest } = writeTrainedModel(dir, builtin, result, backend.name, command, done));
      result.model.dispose();
      if (!argv.keepCheckpoint) clearCheckpoint(checkpointDir);
    }
    printWritten(written);
  },
};
