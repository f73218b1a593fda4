import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', 'bin', 'teacache.js');
function teacache(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, TEACACHE_BACKEND: 'wasm' }, timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--help lists every command', () => {
  const r = teacache('--help');
  expect(r.code).toBe(0);
  for (const c of ['calibrate', 'trace', 'fit', 'sweep', 'replay', 'report', 'train', 'samples', 'models', 'backend']) {
    expect(r.out).toContain(`teacache ${c}`);
  }
});

test('backend says which backend runs, and the cpu backend is never picked by auto', () => {
  const r = spawnSync(process.execPath, [bin, 'backend'], { encoding: 'utf8', env: { ...process.env, TEACACHE_BACKEND: '' }, timeout: 120000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^running: (wasm|tensorflow) /m);
});

test('an unknown backend name is refused with the choices', () => {
  const r = teacache('backend', '--backend', 'gpu');
  expect(r.code).not.toBe(0);
  expect(r.err).toMatch(/Choices: "auto", "tensorflow", "wasm", "cpu"/);
});

test('a model that is neither built in nor a directory is refused naming both', () => {
  const r = teacache('trace', '--model', 'no-such-model', '--out', join(tmpdir(), 'x'));
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/"no-such-model" is neither a built-in model \(dit-tiny, stdit-tiny, latte-tiny, osp-tiny\) nor a directory/);
});

test('fit on a missing directory names it, and writes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'teacache-cli-'));
  try {
    const r = teacache('fit', '--traces', join(dir, 'missing'), '--out', join(dir, 'c.json'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(join(dir, 'missing'));
    expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.trim()).toBe('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replay takes retention and cut-off: the published rules by default, one cut-off for every variant when given', () => {
  const args = ['replay', '--traces', 'datasets/traces/stdit-tiny/evaluation', '--coefficients', 'datasets/coefficients/stdit-tiny.json', '--thresholds', '0.3', '--retention', '1,3'];
  const rows = (out: string) => out.split('\n').filter((l) => l.startsWith('teacache')).map((l) => l.trim().split(/\s+/).slice(0, 3).join(' '));
  const published = teacache(...args);
  expect(published.code).toBe(0);
  // retention 1 with the last step forced; retention 3 without (Wan2.1's use_ret_steps)
  expect(rows(published.out)).toEqual(['teacache 0.3 1/1', 'teacache 0.3 3/0']);
  const forcedLast = teacache(...args, '--cutoff', '1');
  expect(rows(forcedLast.out)).toEqual(['teacache 0.3 1/1', 'teacache 0.3 3/1']);
  const bad = teacache(...args, '--cutoff', '-1');
  expect(bad.code).not.toBe(0);
  expect(bad.err).toMatch(/field "cutoff": expected a whole number of steps >= 0, found "-1"/);
});
