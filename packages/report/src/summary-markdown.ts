import { TOOLKIT_VERSION } from '@teacache/core';
import type { PageChart } from './html-page.js';
import { bestSettingRule, DEFAULT_PSNR_PROTOCOL, psnrShortLabel, type PsnrProtocol, type SummaryRow } from '@teacache/cache';
import { escapeMarkdown, summaryMarkdownTable } from './summary-table.js';
import { modelsMarkdown, type ReportModel } from './models-table.js';

/** What summary.md is made of. */
export interface SummaryContent {
  name: string;
  generatedAt: string;
  targetPsnr: number;
  /** The PSNR protocol of the target (default the paper's). */
  psnrProtocol?: PsnrProtocol;
  /** The models the report shows; none without trace or sweep input. */
  models?: readonly ReportModel[];
  /** Null without sweep input. */
  summary: readonly SummaryRow[] | null;
  charts: readonly PageChart[];
  skipped: readonly string[];
}

/** summary.md: the models (saying which are built-in toys), the best-setting table, then each chart's PNG (linked, with its SVG), then what was not drawn. */
export function summaryMarkdown(content: SummaryContent): string {
  const lines = [
    `# TeaCache report: ${escapeMarkdown(content.name)}`,
    '',
    `Made ${content.generatedAt} by teacache-toolkit ${TOOLKIT_VERSION}. The interactive page is [index.html](index.html).`,
    '',
  ];
  if (content.models && content.models.length > 0) lines.push('## Models', '', modelsMarkdown(content.models), '');
  if (content.summary !== null) {
    const protocol = content.psnrProtocol ?? DEFAULT_PSNR_PROTOCOL;
    lines.push(`## Best setting per model at ${psnrShortLabel(protocol)} ≥ ${content.targetPsnr} dB`, '',
      `${bestSettingRule(content.targetPsnr, protocol)} The headline speedup is in FLOPs and steps; the oracle's step speedup at the same target is given for scale.`,
      '', summaryMarkdownTable(content.summary, content.targetPsnr, protocol));
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
