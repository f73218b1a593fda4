import {
  coefficientsFromHighestFirst, listTraceFiles, Progress, readTraceDir, TOOLKIT_VERSION, writeCoefficientsFile, type CoefficientsFile,
} from '@teacache/core';
import { FitRefusedError } from './errors.js';
import { EXPORT_KINDS, pythonCoefficientsLine, writeExports, type ExportKind } from './exporters.js';
import { fitPairRows, resolveFitOptions, type FitOptions } from './fit-pairs.js';
import { checkPairValues, collectPairRows } from './pairs.js';
import { correlationTable, degreeTable, promptTable, summarisePrompts } from './tables.js';

/** Everything `teacache fit` (and `calibrate`) needs to fit one model's traces. */
export interface FitFromTraceDirOptions extends FitOptions {
  /** Directory of `*.csv` traces with `*.json` sidecars, all of one model. */
  traces: string;
  /** Coefficients file to write (`.json`); exports go beside it. */
  out: string;
  /** Extra formats beside the JSON file. */
  exports?: readonly ExportKind[];
  /** Where progress goes (default: stderr); tests pass a sink. */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Settings carried into the `.py` export: the chosen threshold, retention and cut-off steps (defaults 1 and 1). */
  threshold?: number;
  retentionSteps?: number;
  cutoffSteps?: number;
  /** Clock for createdAt (tests pin it). */
  now?: () => Date;
}

/** The written file, the paths, and the printable tables. */
export interface FitFromTraceDirResult {
  file: CoefficientsFile;
  /** Paths written: the JSON file first, then the exports. */
  paths: string[];
  pythonLine: string;
  tables: { correlation: string; degrees: string; prompts: string };
  warnings: string[];
}

/**
 * Read a directory of traces, fit the rescaling polynomial (degree chosen by grouped cross-validation
 * unless given), and write the coefficients file plus the requested exports.
 */
export async function fitFromTraceDir(options: FitFromTraceDirOptions): Promise<FitFromTraceDirResult> {
  const fitOptions = resolveFitOptions(options);
  if (options.threshold !== undefined && !Number.isFinite(options.threshold)) throw new FitRefusedError(`the threshold must be a finite number, got ${options.threshold}`);
  for (const [name, v] of [['retention steps', options.retentionSteps], ['cut-off steps', options.cutoffSteps]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw new FitRefusedError(`the ${name} must be a whole number >= 0, got ${v}`);
  }
  if (!options.out.endsWith('.json')) throw new FitRefusedError(`the output file must end in .json (exports are written beside it), got ${options.out}`);
  const exports = [...new Set(options.exports ?? [])];
  for (const kind of exports) {
    if (!EXPORT_KINDS.includes(kind)) throw new FitRefusedError(`unknown export "${kind}" (one of ${EXPORT_KINDS.join(', ')})`);
  }
  const files = listTraceFiles(options.traces);
  const stream = options.progressStream ?? process.stderr;
  const progress = new Progress({ label: 'reading traces', total: files.length, unit: 'files', stream });
  const traces = readTraceDir(options.traces, () => progress.tick());
  // The last tick already printed the full bar; on a terminal it still needs its newline.
  if (stream.isTTY) progress.finish();

  const pairRows = collectPairRows(traces);
  checkPairValues(traces, pairRows.rows, fitOptions.indicator, fitOptions.target);
  const outcome = fitPairRows(pairRows, fitOptions);
  const first = traces[0].metadata;
  const file: CoefficientsFile = {
    format: 'teacache-coefficients',
    version: 1,
    origin: 'fit',
    model: first.model,
    weightsHash: first.weightsHash,
    indicator: outcome.indicator,
    target: outcome.target,
    degree: outcome.fit.degree,
    coefficients: coefficientsFromHighestFirst(outcome.fit.highestFirst),
    xRange: outcome.xRange,
    sampleCount: outcome.sampleCount,
    statistics: outcome.evidence,
    sources: traces.map((t) => ({ path: t.csvPath, sha256: t.sha256 })),
    toolkitVersion: TOOLKIT_VERSION,
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
  };
  writeCoefficientsFile(options.out, file);
  const stepCounts = new Set(traces.map((t) => t.metadata.steps));
  const settings = {
    threshold: options.threshold, retentionSteps: options.retentionSteps ?? 1, cutoffSteps: options.cutoffSteps ?? 1,
    numSteps: stepCounts.size === 1 ? traces[0].metadata.steps : undefined,
  };
  const paths = [options.out, ...writeExports(options.out, file, exports, settings)];
  return {
    file,
    paths,
    pythonLine: pythonCoefficientsLine(file.coefficients.highestFirst),
    tables: {
      correlation: correlationTable(outcome.evidence.indicatorCorrelations, outcome.indicator),
      degrees: degreeTable(outcome.evidence.degreeSelection.scores, outcome.fit.degree),
      prompts: promptTable(summarisePrompts(pairRows.rows)),
    },
    warnings: outcome.evidence.warnings,
  };
}
