import { TOOLKIT_VERSION } from '@teacache/core';
import type { PageChart } from './html-page.js';
import { escapeMarkdown, summaryMarkdownTable, type SummaryRow } from './summary-table.js';

/** What summary.md is made of. */
export interface SummaryContent {
  name: string;
  generatedAt: string;
  targetPsnr: number;
  /** Null without sweep input. */
  summary: readonly SummaryRow[] | null;
  charts: readonly PageChart[];
  skipped: readonly string[];
}

/** summary.md: the best-setting table, then each chart's PNG (linked, with its SVG), then what was not drawn. */
export function summaryMarkdown(content: SummaryContent): string {
  const lines = [
    `# TeaCache report: ${escapeMarkdown(content.name)}`,
    '',
    `Made ${content.generatedAt} by teacache-toolkit ${TOOLKIT_VERSION}. The interactive page is [index.html](index.html).`,
    '',
  ];
  if (content.summary !== null) {
    lines.push(`## Best setting per model at PSNR ≥ ${content.targetPsnr} dB`, '',
      `For each model and policy: the threshold with the largest mean step-count speedup (fewest block-stack runs; ties go to the higher PSNR, then the smaller threshold) among those whose mean PSNR against ` +
      `the uncached output reaches ${content.targetPsnr} dB (means over prompts and seeds), and the oracle's speedup at the same target.`,
      '', summaryMarkdownTable(content.summary, content.targetPsnr));
  }
  if (content.charts.length > 0) {
    lines.push('## Charts', '');
    for (const { chart, svgFile, pngFile } of content.charts) {
      lines.push(`### ${chart.title}`, '', chart.description, '', `[![${chart.title}](${pngFile})](${pngFile}) ([SVG](${svgFile}))`, '');
    }
  }
  if (content.skipped.length > 0) {
    lines.push('## Not drawn', '', ...content.skipped.map((s) => `- ${s}`), '');
  }
  return lines.join('\n');
}
