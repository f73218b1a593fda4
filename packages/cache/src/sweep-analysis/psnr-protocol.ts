import { FormatError, type SweepRow } from '@teacache/core';

/**
 * Which PSNR a quality target reads: `paper`, the TeaCache paper's per-frame PSNR of 8-bit frames averaged over
 * frames (row field psnrFrames8bit), or `pooled`, one PSNR from the MSE pooled over every float value of every
 * frame (row field psnr). The paper's is the default everywhere (calibrate, refine, report, summary, notebooks).
 */
export type PsnrProtocol = 'paper' | 'pooled';

/** Every protocol, the default first. */
export const PSNR_PROTOCOLS: readonly PsnrProtocol[] = ['paper', 'pooled'];

/** The protocol a target uses unless told otherwise. */
export const DEFAULT_PSNR_PROTOCOL: PsnrProtocol = 'paper';

/** The protocol in words, for table headers, chart axes and printed lines. */
export function psnrProtocolLabel(protocol: PsnrProtocol): string {
  return protocol === 'paper' ? 'PSNR per 8-bit frame, averaged (the TeaCache paper\'s protocol)' : 'PSNR pooled over float frames';
}

/** Short name for axis titles and table headers. */
export function psnrShortLabel(protocol: PsnrProtocol): string {
  return protocol === 'paper' ? 'PSNR, 8-bit frames' : 'PSNR, pooled float';
}

/** Check a protocol name from the command line or an option. */
export function parsePsnrProtocol(value: unknown, field = 'psnr-protocol'): PsnrProtocol {
  if (typeof value === 'string' && (PSNR_PROTOCOLS as readonly string[]).includes(value)) return value as PsnrProtocol;
  throw new FormatError({ field }, `one of ${PSNR_PROTOCOLS.join(', ')}`, value);
}

/**
 * A row's PSNR (dB, Infinity for identical outputs) under a protocol. Rows written before the 8-bit protocol was
 * recorded have no paper PSNR: they are refused, never silently read under the other protocol.
 */
export function rowPsnr(row: SweepRow, protocol: PsnrProtocol, file = 'sweep rows', rowNumber?: number): number {
  if (protocol === 'pooled') return row.psnr;
  if (row.psnrFrames8bit === undefined) {
    throw new FormatError({ file, row: rowNumber, field: 'psnrFrames8bit' },
      `the paper protocol's PSNR (rows of \`teacache sweep\` since it recorded both protocols); re-run the sweep, or read it with --psnr-protocol pooled`,
      'no such field');
  }
  return row.psnrFrames8bit;
}

/** A row's SSIM under the same protocol (8-bit frames for the paper's, float frames for pooled). */
export function rowSsim(row: SweepRow, protocol: PsnrProtocol, file = 'sweep rows', rowNumber?: number): number {
  if (protocol === 'pooled') return row.ssim;
  if (row.ssimFrames8bit === undefined) {
    throw new FormatError({ file, row: rowNumber, field: 'ssimFrames8bit' },
      'the paper protocol\'s SSIM; re-run the sweep, or read it with --psnr-protocol pooled', 'no such field');
  }
  return row.ssimFrames8bit;
}
