import type { CommandModule } from 'yargs';
import { CACHED_POLICY_NAMES, CHEAP_INDICATORS } from '@teacache/core';
import type { SweepOptions } from '@teacache/trace';
import { checkSweepableSize, DEFAULT_REPEATS, defaultSteps, failuresPathOf, parseSeeds, readPrompts, refuseFailedRuns, sweepAndRefine } from '@teacache/trace';
import { buildSpecs, defaultRetention, DEFAULT_PSNR_PROTOCOL, gridSpecs, parseCutoff, parsePsnrProtocol, parseRetention, PSNR_PROTOCOLS } from '@teacache/cache';
import { openModel, promptsFor } from './model-source.js';
import { printWritten, startCompute } from './common.js';
import { checkFinite, checkGuidance, checkOutputPath, checkSteps, checkWhole } from './args.js';
import { queuedRunner, queueOptions, type QueueArgs } from './sweep-queue.js';
import { COMMAND_SUMMARIES } from './summaries.js';

interface SweepArgs extends QueueArgs {
  model: string; policies: string[]; thresholds?: string[]; intervals?: string; coefficients?: string; indicator: string;
  traces?: string; conditioning?: string; retention?: string; 'refine-psnr'?: number; prompts?: string; seeds: string; steps?: number; guidance: number; out: string; workers?: number; backend?: string; engine?: string;
  repeats: number; 'psnr-protocol': string; cutoff?: string;
}

/** `teacache sweep`: cached sampling with each policy setting against the uncached run, in worker processes. */
export const sweepCommand: CommandModule<object, SweepArgs> = {
  ...COMMAND_SUMMARIES.sweep,
  builder: (y) => y
    .option('model', { type: 'string', demandOption: true, describe: 'built-in model name or a model directory' })
    .option('policies', { type: 'string', array: true, default: [...CACHED_POLICY_NAMES], describe: 'policies to sweep (comma or space separated)' })
    .option('thresholds', { type: 'string', array: true, describe: 'settings: "0.1,0.2" for every threshold policy, or "teacache=0.1,0.2"' })
    .option('intervals', { type: 'string', describe: 'interval k values, e.g. 2,3,4' })
    .option('coefficients', { type: 'string', describe: 'teacache rescaling coefficients file (teacache fit); required when --policies includes teacache' })
    .option('indicator', { type: 'string', default: 'modulated', choices: CHEAP_INDICATORS })
    .option('traces', { type: 'string', describe: 'trace directory to calibrate magcache from' })
    .option('retention', { type: 'string', describe: 'teacache/oracle steps always computed at the start, one variant each, e.g. 1,5,10 (default: 1, 10% and 20% of the steps)' })
    .option('cutoff', { type: 'string', describe: 'teacache/oracle steps always computed at the end, every variant (default: the last with retention 1, none with more, as the published Wan2.1 rule)' })
    .option('refine-psnr', { type: 'number', describe: 'then sweep 3 more thresholds per variant between the last that reaches this PSNR (dB) and the next' })
    .option('psnr-protocol', { type: 'string', default: DEFAULT_PSNR_PROTOCOL, choices: PSNR_PROTOCOLS as string[], describe: 'PSNR --refine-psnr reads: paper (per 8-bit frame, averaged) or pooled (float frames)' })
    .option('repeats', { type: 'number', default: DEFAULT_REPEATS, describe: 'timed pairs (cached and uncached run, back to back) per setting, for the wall-speedup interval' })
    .option('prompts', { type: 'string', describe: 'prompts file or builtin:… (default: held-out captions)' })
    .option('seeds', { type: 'string', default: '0' })
    .option('steps', { type: 'number' })
    .option('guidance', { type: 'number', default: 4 })
    .option('workers', { type: 'number', describe: 'worker processes (default: one per core)' })
    .option('conditioning', { type: 'string', describe: 'text-encoder outputs for a model on external text (docs/formats.md); its captions are the default prompts' })
    .option('out', { type: 'string', demandOption: true, describe: 'results file (JSON Lines), appended and resumable' })
    .options(queueOptions),
  handler: async (argv) => {
    // Arguments and the results file are checked before any model loads or sampling starts.
    const out = checkOutputPath(argv.out, 'file');
    checkOutputPath(failuresPathOf(out), 'file');
    if (argv.steps !== undefined) checkSteps(argv.steps);
    checkGuidance(argv.guidance);
    checkWhole(argv.workers, 'workers', 0, 1024);
    checkFinite(argv['refine-psnr'], 'refine-psnr', 'a PSNR target in dB', true);
    const seeds = parseSeeds(argv.seeds);
    const givenPrompts = argv.prompts ? readPrompts(argv.prompts) : undefined;
    const compute = await startCompute(argv);
    const { loaded, name } = openModel(argv.model, argv.conditioning, compute.engine);
    const modelDir = loaded.dir;
    // Also here: a queued sweep (--queue) runs on workers, not through runSweep.
    checkSweepableSize(loaded.config, modelDir);
    const prompts = givenPrompts ?? promptsFor(loaded, undefined);
    const steps = argv.steps ?? defaultSteps(loaded.config.prediction);
    loaded.model.dispose();
    const policies = argv.policies.flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
    const retention = argv.retention ? parseRetention(argv.retention) : defaultRetention(steps);
    const variants = buildSpecs({ ...argv, policies, retention, cutoff: argv.cutoff !== undefined ? parseCutoff(argv.cutoff) : undefined });
    process.stderr.write(`sweeping ${name}: ${gridSpecs(variants).length} setting(s) x ${prompts.length} prompt(s) x ${seeds.length} seed(s), ${steps} steps\n`);
    const queued = queuedRunner(argv);
    // A queued sweep reports runs that failed or were never queued itself (queued.done).
    const runner = queued ? async (o: SweepOptions) => ({ ...(await queued.run(o)), failedRuns: 0 }) : undefined;
    const result = await sweepAndRefine({
      modelDir, modelName: name, prompts, seeds, steps, guidance: argv.guidance, out,
      workers: argv.workers, conditioning: loaded.conditioning, compute,
      repeats: argv.repeats,
    }, variants, argv['refine-psnr'], parsePsnrProtocol(argv['psnr-protocol']), runner);
    queued?.done();
    process.stdout.write(`${result.newRows} new row(s), ${result.skippedRows} already there\n`);
    printWritten(result.failedRuns > 0 && result.failuresFile ? [out, result.failuresFile] : [out]);
    refuseFailedRuns(result);
  },
};
