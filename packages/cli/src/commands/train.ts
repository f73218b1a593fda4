import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { builtinModel, train, writeTrainedModel, clearCheckpoint } from '@teacache/models';
import { printWritten, startBackend } from './common.js';

interface TrainArgs { model: string; out: string; steps?: number; backend?: string; keepCheckpoint: boolean }

/** `teacache train`: train a built-in model from scratch (or resume its checkpoint). */
export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Train a built-in model on the shipped emoji clips (resumes from its checkpoint)',
  builder: (y) => y
    .option('model', { type: 'string', demandOption: true, describe: 'built-in model name, e.g. stdit-tiny' })
    .option('out', { type: 'string', default: 'datasets/models', describe: 'parent directory of the model directory' })
    .option('steps', { type: 'number', describe: 'override the number of training steps' })
    .option('keep-checkpoint', { type: 'boolean', default: false, describe: 'keep checkpoint files after finishing' }) as never,
  handler: async (argv) => {
    const backend = await startBackend(argv);
    const builtin = builtinModel(argv.model);
    const dir = resolve(argv.out, builtin.name);
    const steps = argv.steps ?? builtin.training.steps;
    const result = train({ ...builtin.training, steps, config: builtin.config, checkpointDir: join(dir, 'checkpoint') });
    process.stderr.write(`final train loss ${result.trainLoss.toFixed(4)}, validation loss ${result.validationLoss.toFixed(4)} ` +
      `(untrained ${result.untrainedValidationLoss.toFixed(4)}), ${Math.round(result.wallSeconds)} s\n`);
    const command = `teacache train --model ${builtin.name}${argv.steps ? ` --steps ${steps}` : ''}`;
    const written = writeTrainedModel(dir, { ...builtin, training: { ...builtin.training, steps } }, result, backend.name, command);
    if (!argv.keepCheckpoint) clearCheckpoint(join(dir, 'checkpoint'));
    printWritten(written);
  },
};
