import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildReport, type ReportProgress } from './build-report.js';
import { syntheticCoefficients, syntheticReference, syntheticSweep, syntheticTraces } from './synthetic-inputs.js';

const root = mkdtempSync(join(tmpdir(), 'report-build-'));
const CHARTS = ['per-step', 'correlation', 'speed-psnr', 'speed-ssim', 'wall-speedup', 'skip-schedule', 'coefficient-curves'];

describe('buildReport', () => {
  const outDir = join(root, 'full');
  let written: string[] = [];
  const events: ReportProgress[] = [];

  beforeAll(async () => {
    written = await buildReport({
      traces: syntheticTraces({ steps: 10 }),
      coefficients: [syntheticCoefficients('dit-s'), syntheticCoefficients('latte-s')],
      references: [syntheticReference('pub-A', [500, -280, 55, -3.8, 0.26])],
      sweeps: syntheticSweep({ steps: 10 }),
      outDir, name: 'sample', now: new Date('2025-06-01T12:00:00Z'),
      onProgress: (e) => events.push(e),
    });
  });

  test('writes each chart as vega-lite spec, SVG and PNG, then summary.md and index.html last', () => {
    const expected = [...CHARTS.flatMap((c) => [`${c}.vl.json`, `${c}.svg`, `${c}.png`]), 'summary.md', 'index.html'];
    expect(written.map((p) => basename(p))).toEqual(expected);
    for (const path of written) expect(existsSync(path)).toBe(true);
    // atomic writes leave no temporary files behind
    expect(readdirSync(outDir).sort()).toEqual([...expected].sort());
  });

  test('reports progress once per chart', () => {
    expect(events.map((e) => `${e.index}/${e.total} ${e.chart} ${e.status}`)).toEqual(CHARTS.map((c, i) => `${i + 1}/7 ${c} drawn`));
  });

  test('embeds in index.html exactly the specs written beside it, and loads nothing from elsewhere', () => {
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    for (const id of CHARTS) {
      const embedded = html.match(new RegExp(`<script type="application/json" id="spec-${id}">([^<]*)</script>`))![1];
      expect(JSON.parse(embedded)).toEqual(JSON.parse(readFileSync(join(outDir, `${id}.vl.json`), 'utf8')));
    }
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain("connect-src 'none'");
    expect(html).toContain('<table class="summary">');
  });

  test('summary.md holds the table and links every PNG that exists', () => {
    const md = readFileSync(join(outDir, 'summary.md'), 'utf8');
    expect(md).toContain('# TeaCache report: sample');
    expect(md).toContain('| model | policy | best threshold |');
    const links = [...md.matchAll(/\]\(([a-z-]+\.png)\)/g)].map((m) => m[1]);
    expect(new Set(links)).toEqual(new Set(CHARTS.map((c) => `${c}.png`)));
    for (const link of links) expect(existsSync(join(outDir, link))).toBe(true);
  });

  test('skips the charts whose input is missing and says why', async () => {
    const events: ReportProgress[] = [];
    const paths = await buildReport({ sweeps: syntheticSweep({ models: ['dit-s'], steps: 6 }), outDir: join(root, 'sweep-only'), onProgress: (e) => events.push(e) });
    expect(events.filter((e) => e.status === 'skipped').map((e) => `${e.chart}: ${e.reason}`)).toEqual([
      'per-step: needs traces (--traces)',
      'correlation: needs traces (--traces)',
      'coefficient-curves: needs coefficient files (--coefficients) or reference sets (--references)',
    ]);
    expect(paths.map((p) => basename(p))).toContain('speed-psnr.png');
    expect(readFileSync(join(root, 'sweep-only', 'summary.md'), 'utf8')).toContain('- per-step: skipped, needs traces (--traces)');
  });

  test('no input at all is an error', async () => {
    await expect(buildReport({ outDir: join(root, 'nothing') })).rejects.toThrow(/at least one of traces, coefficients, references or sweeps/);
  });

  test('mismatched inputs stop the report with the reason', async () => {
    await expect(buildReport({ traces: syntheticTraces({ models: ['dit-s'], steps: 5 }), coefficients: [syntheticCoefficients('latte-s')], outDir: join(root, 'mismatch') }))
      .rejects.toThrow(/expected a model with traces \(dit-s\), found "latte-s"/);
  });
});
