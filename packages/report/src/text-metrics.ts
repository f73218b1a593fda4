// Kept: vega-scenegraph measures text with node-canvas when installed (a native build) or else guesses 0.8 em per
// character; replacing its exported textMetrics.width is the one hook it offers.
import * as vega from 'vega';
import { readFontMetrics, textWidth, type FontMetrics } from './font-metrics.js';
import { reportFontFiles } from './render-png.js';

let installed: { regular: FontMetrics; bold: FontMetrics } | undefined;

/**
 * Make vega lay out text with the advance widths of the font the PNGs are drawn with (DejaVu Sans).
 * Without a canvas, vega guesses 0.8 em per character, which leaves wide gaps and misplaced labels.
 * This changes vega's text measurement for the whole process; calling it again does nothing.
 */
export function useReportFontMetrics(fontFiles?: readonly string[]): void {
  if (installed) return;
  const [regularFile, boldFile] = reportFontFiles(fontFiles);
  const fonts = installed = { regular: readFontMetrics(regularFile), bold: readFontMetrics(boldFile ?? regularFile) };
  type TextItem = { fontSize?: number; fontWeight?: string | number };
  // Measure the untruncated line: vega's own truncation calls this while searching for the cut.
  // vega exports textMetrics (from vega-scenegraph) but its typings do not declare it.
  (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics.width = (item, text) => {
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    const line = text == null ? '' : String(text).trim();
    const weight = item.fontWeight;
    const bold = weight === 'bold' || weight === 'bolder' || (typeof weight === 'number' && weight >= 600) || Number(weight) >= 600;
    return textWidth(bold ? fonts.bold : fonts.regular, line, size);
  };
}
