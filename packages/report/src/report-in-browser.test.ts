import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { buildReport } from './build-report.js';
import { syntheticCoefficients, syntheticReference, syntheticSweep, syntheticTraces } from './synthetic-inputs.js';

// Debian's Chromium; this test never downloads a browser.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('the report page in a headless Chromium, offline', () => {
  let context: BrowserContext | undefined;
  let indexUrl = '';
  let wideUrl = '';

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: install it with \`apt-get install -y chromium\` ` +
        '(Debian\'s package; this test does not download a browser)');
    }
    const outDir = mkdtempSync(join(tmpdir(), 'report-browser-'));
    await buildReport({
      traces: syntheticTraces({ steps: 10 }), coefficients: [syntheticCoefficients('dit-s')],
      references: [syntheticReference('pub-A', [500, -280, 55, -3.8, 0.26])], sweeps: syntheticSweep({ steps: 10 }), outDir,
    });
    indexUrl = pathToFileURL(join(outDir, 'index.html')).href;
    // As wide as real sweeps get: four models of 50 steps, policy variants with long names.
    const wideDir = mkdtempSync(join(tmpdir(), 'report-browser-wide-'));
    const models = ['dit-tiny', 'stdit-tiny', 'latte-tiny', 'osp-tiny'];
    const sweeps = syntheticSweep({ models, steps: 50, prompts: 1, seeds: 1 }).map((r) => (r.policy === 'teacache'
      ? { ...r, params: { ...r.params, coefficients: `datasets/coefficients/${r.model}.json`, retentionSteps: r.threshold! > 0.1 ? 5 : 1, cutoffSteps: r.threshold! > 0.1 ? 0 : 1 } }
      : r));
    await buildReport({ traces: syntheticTraces({ steps: 10 }), sweeps, outDir: wideDir, name: 'a report with a long name to wrap '.repeat(3) });
    wideUrl = pathToFileURL(join(wideDir, 'index.html')).href;
    // a fresh profile per run: nothing cached, nothing remembered
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'report-chromium-profile-')), {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS,
    });
  });

  afterAll(async () => {
    await context?.close();
  });

  test('draws every chart with data marks, with no console errors and no network request', async () => {
    const page = await context!.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.route(/^(https?|wss?|ftp):/, (route) => route.abort());

    await page.goto(indexUrl);
    // a string, evaluated in the page (this package type-checks without the DOM library)
    await page.waitForFunction("[...document.querySelectorAll('[data-chart]')].every((el) => el.getAttribute('data-rendered') !== null)",
      null, { timeout: 60000 });
    const charts = await page.$$eval('[data-chart]', (els) => els.map((el) => ({
      id: el.getAttribute('data-chart'),
      rendered: el.getAttribute('data-rendered'),
      marks: el.querySelectorAll('svg .role-mark > *').length,
    })));

    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    expect(charts.map((c) => c.id)).toEqual(['per-step', 'correlation', 'speed-psnr', 'speed-ssim', 'wall-speedup', 'skip-schedule', 'coefficient-curves']);
    for (const c of charts) {
      expect(c).toMatchObject({ rendered: 'true' });
      expect(c.marks).toBeGreaterThan(0);
    }
    expect(await page.$$eval('table.summary tbody tr', (rows) => rows.length)).toBeGreaterThan(0);
    await page.close();
  });

  test.each([['synthetic', () => indexUrl], ['four models of 50 steps', () => wideUrl]] as const)(
    'fits a 1400 px window with no horizontal overflow of the page, its navigation or any chart (%s)', async (_name, url) => {
      const page = await context!.newPage();
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.goto(url());
      await page.waitForFunction("[...document.querySelectorAll('[data-chart]')].every((el) => el.getAttribute('data-rendered') === 'true')",
        null, { timeout: 60000 });
      const layout = await page.evaluate(`(() => {
        const doc = document.documentElement;
        const nav = document.querySelector('nav');
        return {
          page: { scroll: doc.scrollWidth, client: doc.clientWidth },
          nav: { scroll: nav.scrollWidth, client: nav.clientWidth },
          charts: [...document.querySelectorAll('[data-chart]')].map((el) => ({
            id: el.getAttribute('data-chart'), svg: Math.ceil(el.querySelector('svg').getBoundingClientRect().width), box: el.clientWidth,
          })),
        };
      })()`) as { page: { scroll: number; client: number }; nav: { scroll: number; client: number }; charts: { id: string; svg: number; box: number }[] };
      expect(layout.page.client).toBeLessThanOrEqual(1400);
      expect(layout.page.scroll).toBeLessThanOrEqual(layout.page.client);
      expect(layout.nav.scroll).toBeLessThanOrEqual(layout.nav.client);
      for (const c of layout.charts) expect({ id: c.id, fits: c.svg <= c.box, svg: c.svg }).toEqual({ id: c.id, fits: true, svg: c.svg });
      await page.close();
    });
});
