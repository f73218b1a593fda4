import type { CommandModule } from 'yargs';
import { readCoefficientsFile, readReferenceDir, readTraceDirs } from '@teacache/core';
import {
  buildReport, checkOneWeightsPerModel, coefficientsInput, DEFAULT_PSNR_CAP, DEFAULT_PSNR_PROTOCOL, parsePsnrProtocol, PSNR_PROTOCOLS, readSweepFile,
  referenceInputs, traceInputOf,
} from '@teacache/report';
import { printWritten } from './common.js';
import { builtinModelFacts } from './builtin-facts.js';
import { checkFinite, checkOutputPath } from './args.js';
import { COMMAND_SUMMARIES } from './summaries.js';

interface ReportArgs {
  traces?: string[];
  coefficients?: string[];
  references?: string;
  sweep?: string[];
  out: string;
  name?: string;
  'target-psnr': number;
  'psnr-cap': number;
  'psnr-protocol': string;
}

/** `teacache report`: charts, an offline HTML page and a Markdown summary from traces, fits and sweeps. */
export const reportCommand: CommandModule<object, ReportArgs> = {
  ...COMMAND_SUMMARIES.report,
  builder: (y) => y
    .option('traces', { type: 'string', array: true, describe: 'directories of *.csv traces with *.json sidecars' })
    .option('coefficients', { type: 'string', array: true, describe: 'coefficients files fitted by `teacache fit`' })
    .option('references', { type: 'string', describe: 'directory of published reference coefficient sets' })
    .option('sweep', { type: 'string', array: true, describe: 'sweep files (JSON Lines) written by `teacache sweep`' })
    .option('out', { type: 'string', demandOption: true, describe: 'directory to write, e.g. reports/<name>' })
    .option('name', { type: 'string', describe: 'report title (default: the out directory\'s name)' })
    .option('target-psnr', { type: 'number', default: 30, describe: 'quality target of the summary table, dB of PSNR' })
    .option('psnr-cap', { type: 'number', default: DEFAULT_PSNR_CAP, describe: 'dB at which outputs identical to the uncached one are drawn' })
    .option('psnr-protocol', {
      type: 'string', default: DEFAULT_PSNR_PROTOCOL, choices: PSNR_PROTOCOLS as string[],
      describe: 'PSNR the target and charts read: paper (per 8-bit frame, averaged, as the TeaCache paper) or pooled (over float frames)',
    })
    .check((argv) => {
      if (!argv.traces?.length && !argv.coefficients?.length && !argv.references && !argv.sweep?.length) {
        throw new Error('give at least one input: --traces, --coefficients, --references or --sweep');
      }
      return true;
    }),
  handler: async (argv) => {
    checkOutputPath(argv.out, 'directory');
    checkFinite(argv['psnr-cap'], 'psnr-cap', 'the dB drawn for identical outputs', true);
    checkFinite(argv['target-psnr'], 'target-psnr', 'a PSNR target in dB');
    const say = (line: string) => process.stderr.write(line + '\n');
    const traces = argv.traces?.length ? traceInputOf(readTraceDirs(argv.traces)) : undefined;
    if (traces) say(`read ${traces.metadata.length} traced runs from ${argv.traces!.join(', ')}`);
    const coefficients = (argv.coefficients ?? []).map((path) => coefficientsInput(readCoefficientsFile(path), path));
    const references = argv.references ? referenceInputs(readReferenceDir(argv.references)) : [];
    if (references.length > 0) say(`read ${references.length} reference sets from ${argv.references}`);
    const perFile = (argv.sweep ?? []).map((file) => ({ file, rows: readSweepFile(file) }));
    const sweeps = argv.sweep?.length ? perFile.flatMap((f) => f.rows) : undefined;
    // Checked with file and row named before anything is drawn (buildReport checks again without them).
    if (sweeps) checkOneWeightsPerModel(sweeps, (i) => locate(perFile, i));
    if (sweeps) say(`read ${sweeps.length} sweep rows from ${argv.sweep!.join(', ')}`);
    const started = performance.now();
    const written = await buildReport({
      traces, coefficients, references, sweeps, builtinModels: builtinModelFacts(), outDir: argv.out, name: argv.name,
      targetPsnr: argv['target-psnr'], psnrCap: argv['psnr-cap'], psnrProtocol: parsePsnrProtocol(argv['psnr-protocol']),
      onProgress: (e) => say(`[${e.index}/${e.total}] ${e.chart}: ${e.status === 'drawn'
        ? `drawn (${((performance.now() - started) / 1000).toFixed(1)} s elapsed)` : `skipped, ${e.reason}`}`),
    });
    printWritten(written);
  },
};

/** The file and 1-based row of the i-th row of several files' rows concatenated. */
function locate(files: readonly { file: string; rows: readonly unknown[] }[], index: number): { file: string; row: number } {
  let i = index;
  for (const f of files) {
    if (i < f.rows.length) return { file: f.file, row: i + 1 };
    i -= f.rows.length;
  }
  return { file: 'sweep rows', row: index + 1 };
}
