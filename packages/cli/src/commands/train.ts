import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { builtinModel, trainStages } from '@teacache/models';
import { printWritten, startBackend } from './common.js';
import { checkOutputPath, checkWhole } from './args.js';
import { COMMAND_SUMMARIES } from './summaries.js';
import { builtinModelDir } from './model-source.js';

interface TrainArgs { model: string; out?: string; steps?: number; backend?: string; 'keep-checkpoint': boolean; 'from-scratch': boolean }

/** `teacache train`: train a built-in model through the stages of its recipe (trainStages) and say what it wrote. */
export const trainCommand: CommandModule<object, TrainArgs> = {
  ...COMMAND_SUMMARIES.train,
  builder: (y) => y
    .option('model', { type: 'string', demandOption: true, describe: 'built-in model name, e.g. stdit-tiny' })
    .option('out', { type: 'string', describe: 'parent directory of the model directory (default: the toolkit\'s datasets/models, where built-in models are read)' })
    .option('steps', { type: 'number', describe: 'override the steps of each stage this call runs (trials; recorded in the manifest)' })
    .option('from-scratch', { type: 'boolean', default: false, describe: 'ignore the stored model and train every stage anew' })
    .option('keep-checkpoint', { type: 'boolean', default: false, describe: 'keep checkpoint files after finishing' }),
  handler: async (argv) => {
    // --steps 0 would fall back to the recipe (0 is falsy) and 2.5 or -5 would misstate what ran: refused here.
    checkWhole(argv.steps, 'steps', 1, 10_000_000);
    if (argv.out !== undefined) checkOutputPath(argv.out, 'directory');
    const backend = await startBackend(argv);
    const builtin = builtinModel(argv.model);
    // Given, --out is relative to the caller's directory; by default the model goes where `teacache` reads built-ins.
    const dir = argv.out === undefined ? builtinModelDir(builtin.name) : resolve(argv.out, builtin.name);
    const command = `teacache train --model ${builtin.name}${argv.steps !== undefined ? ` --steps ${argv.steps}` : ''}`;
    const { written } = trainStages({
      dir, builtin, steps: argv.steps, fromScratch: argv['from-scratch'], keepCheckpoint: argv['keep-checkpoint'], backend: backend.name, command,
    });
    printWritten(written);
  },
};
