import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport } from './build-report.js';
import { recoverInterruptedReplace } from './replace-dir.js';
import { syntheticCoefficients, syntheticSweep } from './synthetic-inputs.js';

let root: string;
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'report-replace-')); });
afterEach(() => rmSync(root, { recursive: true, force: true }));

const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

test('a report that fails half way leaves the previous report exactly as it was, and nothing beside it', async () => {
  const out = join(root, 'r');
  await buildReport({ coefficients: [syntheticCoefficients('dit-s')], outDir: out, name: 'first', now: new Date('2025-01-01T00:00:00Z') });
  const before = snapshot(out);
  let drawn = 0;
  await expect(buildReport({
    coefficients: [syntheticCoefficients('dit-s')], sweeps: syntheticSweep({ steps: 10 }), outDir: out, name: 'second',
    // Fails after the first charts are drawn: the old code had replaced them one by one by then.
    onProgress: (e) => { if (e.status === 'drawn' && ++drawn === 2) throw new Error('disk full'); },
  })).rejects.toThrow('disk full');
  expect(snapshot(out)).toEqual(before);
  expect(readdirSync(root)).toEqual(['r']);
});

test('a finished report replaces the previous one as a whole: no chart of the old one is left behind', async () => {
  const out = join(root, 'r');
  await buildReport({ sweeps: syntheticSweep({ steps: 10 }), outDir: out, name: 'first' });
  expect(existsSync(join(out, 'speed-psnr.svg'))).toBe(true);
  await buildReport({ coefficients: [syntheticCoefficients('dit-s')], outDir: out, name: 'second' });
  expect(existsSync(join(out, 'speed-psnr.svg'))).toBe(false);
  expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('# TeaCache report: second');
  expect(readdirSync(root)).toEqual(['r']);
});

test('a directory holding anything but report files is refused, so replacing it deletes nothing of the user\'s', async () => {
  const out = join(root, 'mine');
  mkdirSync(out);
  writeFileSync(join(out, 'notes.txt'), 'keep me');
  await expect(buildReport({ coefficients: [syntheticCoefficients('dit-s')], outDir: out })).rejects.toThrow(/mine: expected a new or report-only directory.*found ".*notes.txt"/);
  expect(readdirSync(out)).toEqual(['notes.txt']);
});

test('a report moved aside by a replacement killed between its two renames is put back', async () => {
  const out = join(root, 'r');
  await buildReport({ coefficients: [syntheticCoefficients('dit-s')], outDir: out, name: 'first' });
  const before = snapshot(out);
  const pid = deadPid();
  renameSync(out, join(root, `.r.previous-${pid}`));
  mkdirSync(join(root, `.r.building-${pid}`));
  recoverInterruptedReplace(out);
  expect(snapshot(out)).toEqual(before);
  expect(readdirSync(root)).toEqual(['r']);
});

test('a PSNR cap that is not a positive finite number is refused', async () => {
  for (const psnrCap of [NaN, -5, 0, Infinity]) {
    await expect(buildReport({ sweeps: syntheticSweep({ steps: 10 }), outDir: join(root, 'cap'), psnrCap })).rejects.toThrow(/field "psnrCap": expected a finite PSNR in dB > 0/);
  }
  expect(existsSync(join(root, 'cap'))).toBe(false);
});

test('sweep rows of one model name made with different weights are refused, not averaged', async () => {
  const rows = syntheticSweep({ steps: 10, models: ['dit-s'] });
  const mixed = rows.map((r, i) => ({ ...r, weightsHash: i < 5 ? 'a'.repeat(64) : 'b'.repeat(64) }));
  await expect(buildReport({ sweeps: mixed, outDir: join(root, 'w') })).rejects.toThrow(/row 6, field "weightsHash": expected a{64}, the weights of model "dit-s"/);
  await expect(buildReport({ sweeps: mixed.map((r) => ({ ...r, weightsHash: 'a'.repeat(64) })), outDir: join(root, 'w') })).resolves.toBeDefined();
});

test('summary.md escapes the report name and model names: no HTML or Markdown from them reaches a viewer', async () => {
  const out = join(root, 'esc');
  const rows = syntheticSweep({ steps: 10, models: ['dit-s'] }).map((r) => ({ ...r, model: '<img src=x onerror=alert(1)>|*m*' }));
  await buildReport({ sweeps: rows, outDir: out, name: '<script>alert(1)</script>\n# injected' });
  const md = readFileSync(join(out, 'summary.md'), 'utf8');
  expect(md).not.toMatch(/<script|<img/);
  expect(md).toContain('# TeaCache report: &lt;script&gt;alert(1)&lt;/script&gt; \\# injected');
  expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;\\|\\*m\\*');
  expect(md).not.toMatch(/^# injected/m);
});
