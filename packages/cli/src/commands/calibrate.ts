import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { readConditioning, type Family } from '@teacache/models';
import { CACHED_POLICY_NAMES, readReferenceDir, readSweepRows, readTraceDir } from '@teacache/core';
import { fitFromTraceDir } from '@teacache/fit';
import { buildReport, builtinCaveat, coefficientsInput, referenceInputs, reportModels, traceInputOf } from '@teacache/report';
import { builtinModelFacts } from './builtin-facts.js';
import {
  bestAtTarget, bestSettingRule, buildSpecs, DEFAULT_PSNR_PROTOCOL, defaultRetention, parseCutoff, parsePsnrProtocol, parseRetention, PSNR_PROTOCOLS,
  psnrShortLabel, sweepPoints,
} from '@teacache/cache';
import {
  DEFAULT_REPEATS, defaultPromptSource, defaultSteps, parseSeeds, readPrompts, refuseFailedRuns, sweepAndRefine, traceRuns,
} from '@teacache/trace';
import { openModel } from './model-source.js';
import { REPO_ROOT } from './repo-root.js';
import { computeLabel, samplingModelFor } from '@teacache/models';
import { printWritten, startCompute } from './common.js';
import { checkFinite, checkGuidance, checkOutputPath, checkSteps, checkWhole } from './args.js';
import { COMMAND_SUMMARIES } from './summaries.js';

interface CalibrateArgs {
  model: string; out?: string; report?: string; 'target-psnr': number; seeds: string; 'eval-seeds': string;
  steps?: number; guidance: number; workers?: number; backend?: string; engine?: string; conditioning?: string; thresholds?: string[]; retention?: string;
  repeats: number; 'psnr-protocol': string; cutoff?: string;
}

/**
 * `teacache calibrate`: the main job. Trace calibration prompts, fit the rescaling polynomial, sweep TeaCache
 * (with it) and the baselines on held-out evaluation prompts, write the report, and name the threshold that
 * reaches the quality target with the largest speedup.
 */
export const calibrateCommand: CommandModule<object, CalibrateArgs> = {
  ...COMMAND_SUMMARIES.calibrate,
  builder: (y) => y
    .option('model', { type: 'string', default: 'stdit-tiny', describe: 'built-in model name or a model directory' })
    .option('out', { type: 'string', describe: 'working directory for traces, coefficients and sweep (default runs/calibrate/<model>)' })
    .option('report', { type: 'string', describe: 'report directory (default reports/calibrate-<model>)' })
    .option('target-psnr', { type: 'number', default: 30, describe: 'quality target against uncached sampling, dB' })
    .option('psnr-protocol', { type: 'string', default: DEFAULT_PSNR_PROTOCOL, choices: PSNR_PROTOCOLS as string[], describe: 'PSNR the target reads: paper (per 8-bit frame, averaged, as the TeaCache paper) or pooled (float frames)' })
    .option('repeats', { type: 'number', default: DEFAULT_REPEATS, describe: 'timed pairs (cached and uncached run, back to back) per sweep setting, for the wall-speedup interval' })
    .option('seeds', { type: 'string', default: '0-1', describe: 'seeds of the calibration traces' })
    .option('eval-seeds', { type: 'string', default: '0', describe: 'seeds of the evaluation sweep' })
    .option('steps', { type: 'number' })
    .option('guidance', { type: 'number', default: 4 })
    .option('thresholds', { type: 'string', array: true, describe: 'sweep settings, as for teacache sweep' })
    .option('retention', { type: 'string', describe: 'teacache/oracle retention steps to sweep, as for teacache sweep (default: 1, 10% and 20% of the steps)' })
    .option('cutoff', { type: 'string', describe: 'teacache/oracle steps always computed at the end (default: the last with retention 1, none with more, as the published Wan2.1 rule)' })
    .option('workers', { type: 'number', describe: 'sweep worker processes (default one per core)' })
    .option('conditioning', { type: 'string', describe: 'text-encoder outputs for a model on external text (docs/formats.md): its even-numbered captions calibrate, the odd-numbered evaluate' }),
  handler: async (argv) => {
    const started = performance.now();
    if (argv.steps !== undefined) checkSteps(argv.steps);
    checkGuidance(argv.guidance);
    checkWhole(argv.workers, 'workers', 0, 1024);
    checkFinite(argv['target-psnr'], 'target-psnr', 'a PSNR target in dB', true);
    parseSeeds(argv.seeds);
    parseSeeds(argv['eval-seeds'], 'eval-seeds');
    const protocol = parsePsnrProtocol(argv['psnr-protocol']);
    const compute = await startCompute(argv);
    const { loaded, name } = openModel(argv.model, argv.conditioning, compute.engine);
    const model = samplingModelFor(loaded.model, compute.engine);
    const cfg = loaded.config;
    // Outputs go under the caller's working directory, as every other command's; only shipped data comes from REPO_ROOT.
    const work = resolve(argv.out ?? join('runs', 'calibrate', name));
    const reportDir = resolve(argv.report ?? join('reports', `calibrate-${name}`));
    checkOutputPath(work, 'directory');
    checkOutputPath(reportDir, 'directory', 'report');
    const steps = argv.steps ?? defaultSteps(cfg.prediction);
    const [calibration, evaluation] = calibrationPrompts(loaded.conditioning, cfg.family);
    const say = (s: string) => process.stderr.write(`\n== ${s}\n`);

    say(`1/4 trace ${name}: ${calibration.length} calibration prompts x seeds ${argv.seeds}, ${steps} steps`);
    const traceDir = join(work, 'traces');
    traceRuns({ loaded, modelName: name, prompts: calibration, seeds: parseSeeds(argv.seeds), steps, guidance: argv.guidance, outDir: traceDir, backend: computeLabel(compute), model });
    if (model !== loaded.model) model.dispose();
    loaded.model.dispose();

    say('2/4 fit the rescaling polynomial (modulated input -> output)');
    const coefficientsPath = join(work, 'coefficients.json');
    const fit = await fitFromTraceDir({ traces: traceDir, out: coefficientsPath, exports: ['py', 'csv'] });
    const fitted = fit.file;
    const ev = fitted.statistics!;
    process.stderr.write(`degree ${fitted.degree}, train R² ${ev.train.r2?.toFixed(4)}, cross-validated R² ${ev.crossValidation?.r2?.toFixed(4) ?? 'n/a'}\n`);
    for (const w of fit.warnings) process.stderr.write(`warning: ${w}\n`);

    say(`3/4 sweep TeaCache and the baselines on ${evaluation.length} held-out evaluation prompts`);
    const sweepPath = join(work, 'sweep.jsonl');
    const variants = buildSpecs({
      policies: [...CACHED_POLICY_NAMES], thresholds: argv.thresholds,
      coefficients: coefficientsPath, indicator: 'modulated', traces: traceDir,
      retention: argv.retention ? parseRetention(argv.retention) : defaultRetention(steps),
      cutoff: argv.cutoff !== undefined ? parseCutoff(argv.cutoff) : undefined,
    });
    // Then narrow the threshold down where each variant crosses the quality target.
    const swept = await sweepAndRefine({
      modelDir: loaded.dir, modelName: name, prompts: evaluation, seeds: parseSeeds(argv['eval-seeds']), steps,
      guidance: argv.guidance, out: sweepPath, workers: argv.workers, conditioning: loaded.conditioning, compute,
      repeats: argv.repeats,
    }, variants, argv['target-psnr'], protocol);

    say('4/4 report');
    const refDir = join(REPO_ROOT, 'datasets', 'reference-coefficients');
    const sweeps = readSweepRows(sweepPath);
    const builtinModels = builtinModelFacts();
    const reportFiles = await buildReport({
      traces: traceInputOf(readTraceDir(traceDir)), coefficients: [coefficientsInput(fitted, coefficientsPath)],
      references: existsSync(refDir) ? referenceInputs(readReferenceDir(refDir)) : [], sweeps, builtinModels, outDir: reportDir,
      name: `calibrate-${name}`, targetPsnr: argv['target-psnr'], psnrProtocol: protocol,
      onProgress: (e) => process.stderr.write(`  chart ${e.index}/${e.total} ${e.chart}: ${e.status}${e.reason ? ` (${e.reason})` : ''}\n`),
    });

    const target = argv['target-psnr'];
    // Identical outputs count at the report's cap: one such run must not make a setting's mean infinite.
    const points = sweepPoints(sweeps, { psnrProtocol: protocol });
    const best = bestAtTarget(points.filter((p) => p.policy === 'teacache'), target);
    const oracle = bestAtTarget(points.filter((p) => p.policy === 'oracle'), target);
    const out = (s: string) => process.stdout.write(s + '\n');
    out('');
    out(`model: ${name} (${cfg.family}), ${steps} steps, guidance ${argv.guidance}, engine ${computeLabel(compute)}`);
    const caveat = builtinCaveat(reportModels(undefined, sweeps, builtinModels));
    if (caveat) out(caveat);
    out(`coefficients: ${coefficientsPath}`);
    out(`  ${fit.pythonLine}`);
    out(`  degree ${fitted.degree}; R² ${ev.train.r2?.toFixed(4)} (train), ${ev.crossValidation?.r2?.toFixed(4) ?? 'n/a'} (cross-validated by prompt); ` +
      `fitted on relative L1 in [${fitted.xRange![0].toPrecision(3)}, ${fitted.xRange![1].toPrecision(3)}]`);
    out(bestSettingRule(target, protocol));
    const psnrName = psnrShortLabel(protocol);
    if (best) {
      const wall = best.wallSpeedup === null ? 'no wall time (every run flagged impossible)'
        : `${best.wallSpeedup.toFixed(2)}x wall` + (best.wallSpeedupLow !== null ? ` (95% interval ${best.wallSpeedupLow.toFixed(2)}-${best.wallSpeedupHigh!.toFixed(2)})` : '');
      const flops = best.flopSpeedup === null ? '' : `${best.flopSpeedup.toFixed(2)}x fewer FLOPs, `;
      out(`for ${psnrName} >= ${target} dB: ${best.variant} threshold ${best.threshold} gives ${flops}${best.stepSpeedup.toFixed(2)}x fewer stack evaluations, ` +
        `${wall}, at ${best.psnr.toFixed(1)} dB mean ${psnrName} (${best.psnrPooled.toFixed(1)} dB pooled float) over ${best.runs} run(s)`);
    } else {
      out(`for ${psnrName} >= ${target} dB: no teacache threshold in the sweep reaches the target; lower the thresholds (--thresholds teacache=...)`);
    }
    // The oracle computes every step alongside to know the true output change: only its step count is meaningful.
    if (oracle) {
      const share = best ? ` (teacache reaches ${(100 * best.stepSpeedup / oracle.stepSpeedup).toFixed(0)}% of it)` : '';
      out(`  oracle (the rule fed the true output change) at the same target: ${oracle.stepSpeedup.toFixed(2)}x fewer stack evaluations, ${oracle.variant} threshold ${oracle.threshold}${share}`);
    }
    out(`took ${((performance.now() - started) / 1000).toFixed(0)} s`);
    printWritten([coefficientsPath, ...fit.paths.filter((p) => p !== coefficientsPath), sweepPath, ...reportFiles]);
    refuseFailedRuns(swept);
  },
};

/** Calibration and evaluation prompts: the family's sets, or a conditioning file's captions split even/odd (held out either way). */
function calibrationPrompts(conditioning: string | undefined, family: Family): [string[], string[]] {
  if (!conditioning) return [readPrompts(defaultPromptSource(family, 'calibration')), readPrompts(defaultPromptSource(family, 'evaluation'))];
  const prompts = readConditioning(conditioning).prompts;
  if (prompts.length < 2) throw new Error(`${conditioning}: calibrate needs at least 2 captions (even ones calibrate, odd ones evaluate), found ${prompts.length}`);
  return [prompts.filter((_, i) => i % 2 === 0), prompts.filter((_, i) => i % 2 === 1)];
}
