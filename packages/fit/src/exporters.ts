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

/** A small Python module: provenance comments, then the coefficients line. */
export function pythonExport(file: CoefficientsFile): string {
  const range = file.xRange ? `fitted on ${file.indicator} relative L1 in [${file.xRange[0]}, ${file.xRange[1]}]; outside it the polynomial extrapolates`
    : 'fitted range unknown';
  return [
    `# TeaCache rescaling polynomial for ${file.model}: ${file.indicator} relative L1 -> estimated ${file.target} relative L1.`,
    `# numpy.poly1d order (highest degree first), degree ${file.degree}; ${range}.`,
    `# teacache-toolkit ${file.toolkitVersion}, ${file.createdAt}. Use: rescale_func = np.poly1d(coefficients)`,
    pythonCoefficientsLine(file.coefficients.highestFirst),
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
export function writeExports(jsonPath: string, file: CoefficientsFile, kinds: readonly ExportKind[]): string[] {
  return kinds.map((kind) => {
    const path = exportPath(jsonPath, kind);
    writeFileAtomic(path, kind === 'py' ? pythonExport(file) : coefficientsCsv(file));
    return path;
  });
}
