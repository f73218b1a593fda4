import { basename, dirname, extname, join } from 'node:path';
import { writeFileAtomic, type CoefficientsFile } from '@teacache/core';

/** Export formats beside the JSON coefficients file. */
export const EXPORT_KINDS = ['py', 'csv'] as const;
/** One export format: `py` (the coefficients line) or `csv`. */
export type ExportKind = (typeof EXPORT_KINDS)[number];

/**
 * A float as Python reads it back to the same double: JavaScript's shortest round-trip digits, with
 * ".0" on whole numbers so the list stays floats, and the sign of -0 kept.
 */
export function pythonFloat(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`pythonFloat: ${x} has no Python float literal`);
  if (Object.is(x, -0)) return '-0.0';
  const text = String(x);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** `coefficients = [a, b, c, d, e]` in numpy.poly1d order at full precision, ready to paste into a TeaCache integration. */
export function pythonCoefficientsLine(highestFirst: readonly number[]): string {
  return `coefficients = [${highestFirst.map(pythonFloat).join(', ')}]`;
}

/** What an integration needs beside the coefficients: the threshold and the steps always computed at both ends. */
export interface IntegrationSettings {
  /** The chosen threshold of the accumulated estimate; omitted when none was chosen yet. */
  threshold?: number;
  /** Steps at the start always computed (1: the first step). */
  retentionSteps: number;
  /** Steps at the end always computed (1: the last step; 0: none). */
  cutoffSteps: number;
  /** Sampling steps of the traces fitted on, when all share one count. */
  numSteps?: number;
}

/**
 * The settings lines in the names the published integrations use: `rel_l1_thresh` (TeaCache4FLUX,
 * HunyuanVideo, Mochi, LTX-Video, ...), `teacache_thresh`, `ret_steps` and `cutoff_steps` (TeaCache4Wan2.1,
 * where `cutoff_steps` is the index of the first step forced at the end, so num_steps - cut-off).
 */
export function pythonSettingsLines(s: IntegrationSettings): string[] {
  const lines = [
    s.threshold === undefined
      ? 'rel_l1_thresh = None  # not chosen at fit time: pick it from a sweep (teacache sweep / score, then report), or fit --threshold'
      : `rel_l1_thresh = ${pythonFloat(s.threshold)}  # accumulated-estimate threshold (rel_l1_thresh in most integrations)`,
    'teacache_thresh = rel_l1_thresh  # the same threshold under TeaCache4Wan2.1\'s name',
    `num_steps = ${s.numSteps ?? 'None'}  # sampling steps the traces were recorded with${s.numSteps === undefined ? ' (they differ, or are unknown)' : ''}`,
    `ret_steps = ${s.retentionSteps}  # first steps always computed (retention)`,
    `cutoff_steps = ${s.numSteps === undefined ? `None  # num_steps - ${s.cutoffSteps}` : `${s.numSteps - s.cutoffSteps}  # num_steps - ${s.cutoffSteps}`}: steps from this index on are always computed (cut-off)`,
    '# Wan2.1 counts model calls, two per step with guidance: use ret_steps * 2 and cutoff_steps * 2 there.',
  ];
  return lines;
}

/** A small Python module: provenance comments, the coefficients line, then the integration settings. */
export function pythonExport(file: CoefficientsFile, settings: IntegrationSettings = { retentionSteps: 1, cutoffSteps: 1 }): string {
  const range = file.xRange ? `fitted on ${file.indicator} relative L1 in [${file.xRange[0]}, ${file.xRange[1]}]; outside it the polynomial extrapolates`
    : 'fitted range unknown';
  return [
    `# TeaCache rescaling polynomial for ${file.model}: ${file.indicator} relative L1 -> estimated ${file.target} relative L1.`,
    `# numpy.poly1d order (highest degree first), degree ${file.degree}; ${range}.`,
    `# teacache-toolkit ${file.toolkitVersion}, ${file.createdAt}. Use: rescale_func = np.poly1d(coefficients)`,
    pythonCoefficientsLine(file.coefficients.highestFirst),
    ...pythonSettingsLines(settings),
    '',
  ].join('\n');
}

/** CSV with one row per coefficient: order (position in numpy.poly1d order), power of x, coefficient. */
export function coefficientsCsv(file: Pick<CoefficientsFile, 'degree' | 'coefficients'>): string {
  const lines = ['order,power,coefficient'];
  file.coefficients.highestFirst.forEach((c, i) => lines.push(`${i},${file.degree - i},${String(c)}`));
  return lines.join('\n') + '\n';
}

/** The path of an export beside the JSON file: same name, other extension. */
export function exportPath(jsonPath: string, kind: ExportKind): string {
  const ext = extname(jsonPath);
  const stem = ext ? basename(jsonPath, ext) : basename(jsonPath);
  return join(dirname(jsonPath), `${stem}.${kind}`);
}

/** Write the requested exports beside the JSON file (atomically); returns the paths written. */
export function writeExports(jsonPath: string, file: CoefficientsFile, kinds: readonly ExportKind[], settings?: IntegrationSettings): string[] {
  return kinds.map((kind) => {
    const path = exportPath(jsonPath, kind);
    writeFileAtomic(path, kind === 'py' ? pythonExport(file, settings) : coefficientsCsv(file));
    return path;
  });
}
