import type { CommandModule } from 'yargs';
import { FIT_TARGETS, INDICATORS, type FitStatistics, type FitTarget, type Indicator } from '@teacache/core';
import { EXPORT_KINDS, fitFromTraceDir, type ExportKind } from '@teacache/fit';
import { printWritten } from './common.js';
import { checkOutputPath, checkWhole } from './args.js';
import { COMMAND_SUMMARIES } from './summaries.js';

interface FitArgs {
  traces: string;
  out: string;
  indicator: Indicator;
  target: FitTarget;
  degree?: number;
  'max-degree': number;
  folds: number;
  export?: string[];
  threshold?: number;
  retention: number;
  cutoff: number;
}

/** "py,csv" or repeated --export flags, as a list of export kinds. */
function parseExports(values: readonly string[] | undefined): ExportKind[] {
  const kinds = (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const k of kinds) {
    if (!(EXPORT_KINDS as readonly string[]).includes(k)) throw new Error(`--export: unknown format "${k}" (one of ${EXPORT_KINDS.join(', ')})`);
  }
  return kinds as ExportKind[];
}

function stats(s: FitStatistics): string {
  return `R² ${s.r2 === null ? 'n/a' : s.r2.toFixed(4)}, RMSE ${s.rmse.toPrecision(4)}, MAE ${s.mae.toPrecision(4)}`;
}

/** `teacache fit`: fit the rescaling polynomial of one model from its traces and write a coefficients file. */
export const fitCommand: CommandModule<object, FitArgs> = {
  ...COMMAND_SUMMARIES.fit,
  builder: (y) => y
    .option('traces', { type: 'string', demandOption: true, describe: 'directory of *.csv traces with *.json sidecars, one model' })
    .option('out', { type: 'string', demandOption: true, describe: 'coefficients file to write (.json); exports go beside it' })
    .option('indicator', { choices: INDICATORS, default: 'modulated' as Indicator, describe: 'signal whose change predicts the output change' })
    .option('target', { choices: FIT_TARGETS, default: 'output' as FitTarget, describe: 'signal whose change is estimated' })
    .option('degree', { type: 'number', describe: 'fit this degree instead of choosing one by cross-validation' })
    .option('max-degree', { type: 'number', default: 6, describe: 'highest degree tried when choosing' })
    .option('folds', { type: 'number', default: 5, describe: 'folds of the cross-validation grouped by prompt (capped by the prompts)' })
    .option('export', { type: 'string', array: true, describe: 'also write these formats beside the JSON: py, csv (comma-separated)' })
    .option('threshold', { type: 'number', describe: 'the chosen threshold, written into the .py export as rel_l1_thresh / teacache_thresh' })
    .option('retention', { type: 'number', default: 1, describe: 'steps always computed at the start, written as ret_steps' })
    .option('cutoff', { type: 'number', default: 1, describe: 'steps always computed at the end, written as cutoff_steps = num_steps - cutoff' }),
  handler: async (argv) => {
    checkOutputPath(argv.out, 'file');
    checkWhole(argv.degree, 'degree', 0, 12);
    checkWhole(argv['max-degree'], 'max-degree', 0, 12);
    checkWhole(argv.folds, 'folds', 2);
    const result = await fitFromTraceDir({
      traces: argv.traces, out: argv.out, indicator: argv.indicator, target: argv.target, degree: argv.degree,
      maxDegree: argv['max-degree'], folds: argv.folds, exports: parseExports(argv.export),
      threshold: argv.threshold, retentionSteps: argv.retention, cutoffSteps: argv.cutoff,
    });
    const { file } = result;
    const ev = file.statistics!;
    const out = (s: string) => process.stdout.write(s + '\n');
    out(`${file.model}: ${file.sampleCount} pairs from ${ev.runCount} runs, ${ev.promptCount} prompts\n`);
    out(result.tables.prompts);
    out(`indicators vs ${file.target} relative L1 (* = fitted):`);
    out(result.tables.correlation);
    out('degrees (* = chosen):');
    out(result.tables.degrees);
    const rule = { 'one-standard-error': 'lowest degree within one standard error of the best CV RMSE', given: 'given with --degree',
      'default-without-cv': 'default, no cross-validation possible' }[ev.degreeSelection.rule];
    out(`chosen degree: ${file.degree} (${rule})`);
    out(`train: ${stats(ev.train)}`);
    out(ev.crossValidation
      ? `cross-validation (${ev.crossValidation.folds} folds by prompt, held-out pooled): ${stats(ev.crossValidation)}; ` +
        `fold RMSE ${ev.crossValidation.rmseMean.toPrecision(4)} ± ${ev.crossValidation.rmseStandardError.toPrecision(2)}`
      : 'cross-validation: none');
    out(`fitted ${file.indicator} relative L1 range: [${file.xRange![0]}, ${file.xRange![1]}] (the polynomial extrapolates outside it)`);
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    out(`\n${result.pythonLine}\n`);
    printWritten(result.paths);
  },
};
