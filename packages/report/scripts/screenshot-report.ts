// Screenshots of a built report page in Debian's headless Chromium at a given window width, one PNG per section,
// to look at what a reader sees. Usage:
//   npx tsx packages/report/scripts/screenshot-report.ts reports/example/index.html /tmp/shots [1400]
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [page = 'reports/example/index.html', out = join(tmpdir(), 'report-shots'), widthText = '1400'] = process.argv.slice(2);
const width = Number(widthText);
mkdirSync(out, { recursive: true });
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'shot-profile-')), {
  executablePath: '/usr/bin/chromium', headless: true, viewport: { width, height: 1000 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const tab = await context.newPage();
  await tab.goto(pathToFileURL(resolve(page)).href);
  await tab.waitForFunction("[...document.querySelectorAll('[data-chart]')].every((el) => el.getAttribute('data-rendered') !== null)", null, { timeout: 120000 });
  const overflow = await tab.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  await tab.screenshot({ path: join(out, 'top.png') });
  for (const id of await tab.$$eval('section[id]', (els) => els.map((e) => e.id))) {
    await tab.locator(`section#${id}`).screenshot({ path: join(out, `${id}.png`) });
  }
  process.stdout.write(`horizontal overflow at ${width} px: ${overflow} px\nwrote screenshots to ${out}\n`);
} finally {
  await context.close();
}
