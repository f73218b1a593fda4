import type { CommandModule } from 'yargs';
import { defaultSteps, parseSeeds, readPrompts, traceRuns } from '@teacache/trace';
import { computeLabel, samplingModelFor } from '@teacache/models';
import { openModel, promptsFor } from './model-source.js';
import { printWritten, startCompute } from './common.js';
import { checkGuidance, checkOutputPath, checkSteps } from './args.js';
import { COMMAND_SUMMARIES } from './summaries.js';

interface TraceArgs { model: string; prompts?: string; conditioning?: string; seeds: string; steps?: number; guidance: number; out: string; backend?: string; engine?: string }

/** `teacache trace`: sample a model with every step computed and record each step's signals. */
export const traceCommand: CommandModule<object, TraceArgs> = {
  ...COMMAND_SUMMARIES.trace,
  builder: (y) => y
    .option('model', { type: 'string', demandOption: true, describe: 'built-in model name or a model directory' })
    .option('prompts', { type: 'string', describe: 'prompts file (one per line) or builtin:heldout-video|train-video|heldout-image|train-image' })
    .option('seeds', { type: 'string', default: '0', describe: 'seeds, e.g. 0-3 or 0,2,5' })
    .option('steps', { type: 'number', describe: 'sampling steps (default 30 for rectified flow, 50 otherwise)' })
    .option('guidance', { type: 'number', default: 4, describe: 'classifier-free guidance scale (<= 1: no guidance)' })
    .option('conditioning', { type: 'string', describe: 'text-encoder outputs for a model on external text (docs/formats.md); its captions are the default prompts' })
    .option('out', { type: 'string', demandOption: true, describe: 'directory for <run>.csv, <run>.json, <run>.png' }),
  handler: async (argv) => {
    // Everything the sidecar readers would refuse is refused here, before a model is loaded.
    const outDir = checkOutputPath(argv.out, 'directory');
    if (argv.steps !== undefined) checkSteps(argv.steps);
    checkGuidance(argv.guidance);
    const seeds = parseSeeds(argv.seeds);
    const givenPrompts = argv.prompts ? readPrompts(argv.prompts) : undefined;
    const compute = await startCompute(argv);
    const { loaded, name } = openModel(argv.model, argv.conditioning, compute.engine);
    const model = samplingModelFor(loaded.model, compute.engine);
    try {
      const prompts = givenPrompts ?? promptsFor(loaded, undefined);
      const steps = argv.steps ?? defaultSteps(loaded.config.prediction);
      process.stderr.write(`tracing ${name}: ${prompts.length} prompt(s) x ${seeds.length} seed(s), ${steps} steps, guidance ${argv.guidance}\n`);
      const { written, skipped } = traceRuns({
        loaded, modelName: name, prompts, seeds, steps, guidance: argv.guidance, outDir, backend: computeLabel(compute), model,
      });
      if (skipped.length) process.stdout.write(`${skipped.length} run(s) were already finished and kept\n`);
      printWritten(written);
    } finally {
      if (model !== loaded.model) model.dispose();
      loaded.model.dispose();
    }
  },
};
