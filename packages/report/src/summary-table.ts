import { DEFAULT_PSNR_PROTOCOL, psnrShortLabel, type PsnrProtocol, type SummaryRow, type SweepPoint } from '@teacache/cache';

/** The table's header cells, with units. */
export function summaryHeader(targetPsnr: number, protocol: PsnrProtocol = DEFAULT_PSNR_PROTOCOL): string[] {
  return ['model', 'policy', 'best threshold', 'FLOP speedup (×)', 'step speedup (×)', 'wall speedup (×) [95% interval]',
    `${psnrShortLabel(protocol)} (dB)`, 'SSIM', `oracle step speedup at ≥ ${targetPsnr} dB (×)`];
}

/** Wall speedup with its interval, and how many runs were left out as impossible. */
function wallCell(p: SweepPoint): string {
  const flagged = p.flaggedRuns > 0 ? `; ${p.flaggedRuns} run(s) flagged impossible, left out` : '';
  if (p.wallSpeedup === null) return p.flaggedRuns > 0 ? `– (every run flagged impossible)` : '–';
  const interval = p.wallSpeedupLow !== null ? ` [${p.wallSpeedupLow.toFixed(2)}, ${p.wallSpeedupHigh!.toFixed(2)}]` : ' [one pair: no interval]';
  return `${p.wallSpeedup.toFixed(2)}${interval}${flagged}`;
}

/** The table's cells for one summary row, as display text. */
export function summaryCells(row: SummaryRow, targetPsnr: number): string[] {
  const oracle = row.oracleStepSpeedup === undefined ? 'no oracle runs'
    : row.oracleStepSpeedup === null ? `none reaches ${targetPsnr} dB` : row.oracleStepSpeedup.toFixed(2);
  const b = row.best;
  if (b === null) {
    return [row.model, row.variant, `none of ${row.thresholdsTried} reaches ${targetPsnr} dB`, '–', '–', '–', '–', '–', oracle];
  }
  return [row.model, row.variant, b.thresholdLabel, b.flopSpeedup === null ? 'not recorded' : b.flopSpeedup.toFixed(2), b.stepSpeedup.toFixed(2),
    wallCell(b), b.psnr.toFixed(2), b.ssim.toFixed(4), oracle];
}

/** The summary as a Markdown table (pipes in cells escaped). */
export function summaryMarkdownTable(rows: readonly SummaryRow[], targetPsnr: number, protocol: PsnrProtocol = DEFAULT_PSNR_PROTOCOL): string {
  const pipes = (c: string) => c.replace(/\|/g, '\\|');
  // The model and variant names come from users' files: escaped; the toolkit's own figures keep their brackets.
  const line = (cells: string[], named = 0) => `| ${cells.map((c, i) => (i < named ? escapeMarkdown(c) : pipes(c))).join(' | ')} |`;
  const header = summaryHeader(targetPsnr, protocol);
  return [line(header), `|${header.map((_, i) => (i < 3 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => line(summaryCells(r, targetPsnr), 2))].join('\n') + '\n';
}

/**
 * Escape text from users or data (a report name, model names) for Markdown: HTML as entities, so a viewer
 * renders no tag; Markdown punctuation with a backslash; line breaks as spaces, so no heading or row can start.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~#!]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The summary as an HTML table. */
export function summaryHtmlTable(rows: readonly SummaryRow[], targetPsnr: number, protocol: PsnrProtocol = DEFAULT_PSNR_PROTOCOL): string {
  const head = summaryHeader(targetPsnr, protocol).map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${summaryCells(r, targetPsnr).map((c, i) => `<td${i >= 3 ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`);
  return `<table class="summary">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}
