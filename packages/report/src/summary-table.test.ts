import type { SweepRow } from '@teacache/core';
import { summaryRows } from '@teacache/cache';
import { escapeHtml, summaryHtmlTable, summaryMarkdownTable } from './summary-table.js';
import { HAND_SWEEP as sweep } from '@teacache/cache/test-support/sweep-row';
import { handSweepRow } from './synthetic-inputs.js';

const reference = handSweepRow({ policy: 'none' });
const run = (over: Partial<SweepRow> & Pick<SweepRow, 'policy'>) => handSweepRow(over);

describe('summary tables', () => {
  test('the Markdown table has units in its header and one line per model and policy', () => {
    const md = summaryMarkdownTable(summaryRows(sweep), 30);
    const lines = md.trim().split('\n');
    expect(lines[0]).toBe('| model | policy | best threshold | FLOP speedup (×) | step speedup (×) | wall speedup (×) [95% interval] | PSNR, 8-bit frames (dB) | SSIM | oracle step speedup at ≥ 30 dB (×) |');
    expect(lines[2]).toBe('| m | teacache | 0.2 | not recorded | 2.00 | 2.00 [one pair: no interval] | 31.00 | 0.9000 | 2.20 |');
    expect(lines[3]).toBe('| m | interval | none of 1 reaches 30 dB | – | – | – | – | – | 2.20 |');
    expect(summaryMarkdownTable(summaryRows(sweep, { psnrProtocol: 'pooled' }), 30, 'pooled').split('\n')[0]).toContain('| PSNR, pooled float (dB) |');
  });

  test('escapes pipes and markup in Markdown and markup in HTML', () => {
    const rows = summaryRows([handSweepRow({ policy: 'none', model: 'a|<b>' }), handSweepRow({ policy: 'teacache', model: 'a|<b>' })]);
    expect(summaryMarkdownTable(rows, 30)).toContain('| a\\|&lt;b&gt; |');
    expect(summaryHtmlTable(rows, 30)).toContain('<td>a|&lt;b&gt;</td>');
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
  });

  test('shows the wall interval and the runs flagged impossible beside the best setting', () => {
    const timed = [reference,
      run({ policy: 'teacache', threshold: 0.2, stepSpeedup: 2, psnr: 31, repeats: 2, referenceWallSecondsRepeats: [2, 2], wallSecondsRepeats: [1, 1.25] }),
      run({ policy: 'teacache', threshold: 0.2, prompt: 'q', stepSpeedup: 2, psnr: 31, repeats: 1, referenceWallSecondsRepeats: [5], wallSecondsRepeats: [1], wallSpeedupImpossible: true })];
    const md = summaryMarkdownTable(summaryRows(timed), 30);
    expect(md).toMatch(/\| 1\.79 \[0\.\d\d, \d+\.\d\d\]; 1 run\(s\) flagged impossible, left out \|/);
  });
});
