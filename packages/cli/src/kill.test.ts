// Kill tests: a sweep killed with SIGKILL or SIGTERM leaves no worker behind; a report killed with SIGKILL
// leaves the previous report as it was. They spawn the real command, so they take some seconds each.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepRowToJson, type SweepRow } from '@teacache/core';
import { DiffusionTransformer, saveModel, selectBackend, type ModelConfig } from '@teacache/models';

const bin = join(import.meta.dirname, '..', 'bin', 'teacache.js');
const config: ModelConfig = {
  family: 'osp', hiddenSize: 32, depth: 2, heads: 2, mlpRatio: 2, patchSize: 4, frames: 2, height: 12, width: 12,
  channels: 3, textWidth: 16, textLayers: 1, textHeads: 2, textLength: 4, vocabulary: ['<pad>', '<unk>', 'cat', 'dog'],
  prediction: 'epsilon', timestepFrequencies: 32,
};
let dir: string;

beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'teacache-kill-'));
  const m = new DiffusionTransformer(config, { seed: 2, zeroInit: false });
  saveModel(join(dir, 'model'), m, { dtype: 'F32' });
  m.dispose();
  writeFileSync(join(dir, 'prompts.txt'), 'cat\ndog\ncat dog\ndog cat\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, TEACACHE_BACKEND: 'wasm' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += String(d); });
  child.stdout!.resume();
  return { child, stderr: () => err };
}

async function until(what: string, ok: () => boolean, seconds: number): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const running = (pid: number) => {
  try {
    // A zombie (exited, not yet reaped) no longer runs.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return false;
  }
};
const childrenOf = (pid: number) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
  test(`${signal} of a sweep leaves no worker process behind within a few seconds`, async () => {
    const out = join(dir, `${signal}.jsonl`);
    const { child, stderr } = start(['sweep', '--model', join(dir, 'model'), '--policies', 'interval', '--intervals', '2',
      '--prompts', join(dir, 'prompts.txt'), '--seeds', '0-3', '--steps', '400', '--guidance', '3', '--workers', '2', '--out', out]);
    await until('the workers to start sampling', () => /worker process/.test(stderr()), 90);
    const workers = childrenOf(child.pid!);
    expect(workers.length).toBe(2);
    const exited = new Promise((r) => child.on('exit', r));
    child.kill(signal);
    await exited;
    await until('the workers to exit', () => workers.every((w) => !running(w)), 5);
    expect(stderr()).not.toMatch(/EPIPE|function\s*\(|=>\s*\{.{200}/);
    // The lock of a killed sweep does not keep the next one out.
    expect(existsSync(`${out}.lock`) && signal === 'SIGTERM').toBe(false);
  }, 120000);
}

test('SIGKILL of report while it draws leaves the previous report intact', async () => {
  const sweep = join(dir, 'rows.jsonl');
  // Uncached and interval-2 runs of a few prompts and seeds: enough for every sweep chart.
  const rows: SweepRow[] = [];
  for (const prompt of ['cat', 'dog']) {
    for (const seed of [0, 1]) {
      for (const [policy, schedule, psnr] of [['none', 'CCCC', null], ['interval', 'CRCC', 30 + seed]] as const) {
        const computed = schedule.split('').filter((c) => c === 'C').length;
        rows.push({
          format: 'teacache-sweep-row', version: 1, model: 'm', policy, params: policy === 'none' ? {} : { interval: 2 },
          threshold: policy === 'none' ? null : 2, prompt, seed, steps: 4, computedSteps: computed, skippedSteps: 4 - computed,
          schedule, wallSeconds: computed / 4, referenceWallSeconds: 1, wallSpeedup: 4 / computed, stepSpeedup: 4 / computed,
          psnr: psnr ?? Infinity, ssim: psnr ? 0.9 : 1, mse: psnr ? 0.001 : 0, backend: 'wasm', createdAt: '2026-01-01T00:00:00Z',
        });
      }
    }
  }
  writeFileSync(sweep, rows.map(sweepRowToJson).join('\n') + '\n');
  const out = join(dir, 'report');
  const first = start(['report', '--sweep', sweep, '--out', out, '--name', 'first', '--psnr-protocol', 'pooled']);
  await new Promise((r) => first.child.on('exit', r));
  const snapshot = () => Object.fromEntries(readdirSync(out).sort().map((f) => [f, readFileSync(join(out, f))]));
  const before = snapshot();
  expect(Object.keys(before)).toContain('index.html');
  const second = start(['report', '--sweep', sweep, '--out', out, '--name', 'second', '--psnr-protocol', 'pooled']);
  await until('the second report to draw a chart', () => /\[\d+\/\d+\] .*drawn/.test(second.stderr()), 90);
  second.child.kill('SIGKILL');
  await new Promise((r) => second.child.on('exit', r));
  expect(snapshot()).toEqual(before);
  // The staging directory of the killed run is cleared by the next report, which then replaces the old one whole.
  const third = start(['report', '--sweep', sweep, '--out', out, '--name', 'third', '--psnr-protocol', 'pooled']);
  await new Promise((r) => third.child.on('exit', r));
  expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('# TeaCache report: third');
  expect(readdirSync(dir).filter((f) => f.startsWith('.report.'))).toEqual([]);
}, 180000);
