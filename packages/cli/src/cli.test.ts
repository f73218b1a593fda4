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
  for (const c of ['calibrate', 'trace', 'fit', 'sweep', 'replay', 'score', 'report', 'train', 'samples', 'models', 'backend']) {
    expect(r.out).toContain(`teacache ${c}`);
  }
});

test('backend says which backend runs, and the cpu backend is never picked by auto', () => {
  const r = spawnSync(process.execPath, [bin, 'backend'], { encoding: 'utf8', env: { ...process.env, TEACACHE_BACKEND: '' }, timeout: 120000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^tfjs backend: (wasm|tensorflow) /m);
});

test('backend reports the engine with its execution providers and threads; onnx runs here on the CPU provider', () => {
  const r = spawnSync(process.execPath, [bin, 'backend', '--engine', 'onnx'], { encoding: 'utf8', env: { ...process.env, TEACACHE_THREADS: '1' }, timeout: 120000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^engine requested: onnx \(--engine\)$/m);
  expect(r.stdout).toMatch(/^engine: onnx \(ONNX Runtime\) on (\w+ > )*cpu, 1 intra-op thread\(s\) of \d+ core\(s\)/m);
  expect(r.stdout).toMatch(/^ {2}(ok|no) {3}cuda: /m);
});

test('an unknown engine name is refused with the choices', () => {
  const r = teacache('backend', '--engine', 'torch');
  expect(r.code).not.toBe(0);
  expect(r.err).toMatch(/Choices: "auto", "tfjs", "onnx"/);
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
