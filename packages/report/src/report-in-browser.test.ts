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
    expect(charts.map((c) => c.id)).toEqual(['per-step', 'correlation', 'speed-psnr', 'speed-ssim', 'skip-schedule', 'coefficient-curves']);
    for (const c of charts) {
      expect(c).toMatchObject({ rendered: 'true' });
      expect(c.marks).toBeGreaterThan(0);
    }
    expect(await page.$$eval('table.summary tbody tr', (rows) => rows.length)).toBeGreaterThan(0);
    await page.close();
  });
});
