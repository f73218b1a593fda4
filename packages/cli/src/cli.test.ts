import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeConditioning } from '@teacache/models';

const bin = join(import.meta.dirname, '..', 'bin', 'teacache.js');
function teacache(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, TEACACHE_BACKEND: 'wasm' }, timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--help lists every command', () => {
  const r = teacache('--help');
  expect(r.code).toBe(0);
  for (const c of ['calibrate', 'trace', 'fit', 'sweep', 'replay', 'score', 'report', 'train', 'samples', 'convert', 'models', 'backend']) {
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

test('convert writes a model directory from a DiT checkpoint and says what it wrote; a bad one gives one error listing every problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'teacache-cli-'));
  try {
    const fixture = join(import.meta.dirname, '..', '..', 'models', 'src', 'convert', 'fixtures', 'dit-checkpoint.safetensors');
    const out = join(dir, 'dit');
    const r = teacache('convert', '--from', 'dit', '--checkpoint', fixture, '--out', out, '--heads', '2');
    expect(r.code).toBe(0);
    expect(r.out).toContain('left out pos_embed');
    expect(r.out).toContain(join(out, 'config.json'));
    expect(r.out).toContain(join(out, 'weights.safetensors'));
    const bad = teacache('convert', '--from', 'latte-1', '--checkpoint', fixture, '--out', join(dir, 'latte'));
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('temporal_transformer_blocks.0.attn1.to_q.weight');
    const os12 = join(import.meta.dirname, '..', '..', 'models', 'src', 'convert', 'fixtures', 'opensora-1.2', 'checkpoint.safetensors');
    const stdit = teacache('convert', '--from', 'opensora-1.2', '--checkpoint', os12, '--out', join(dir, 'os12'), '--frames', '3', '--height', '4', '--width', '6', '--fps', '30');
    expect(stdit.code).toBe(0);
    expect(stdit.out).toContain('left out rope.freqs');
    expect(stdit.out).toContain('stdit hidden 24, depth 4, heads 3, 3x4x6x4');
    expect(JSON.parse(readFileSync(join(dir, 'os12', 'config.json'), 'utf8'))).toMatchObject({ fps: 30, height: 4, width: 6 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a converted Latte-1 model traces and sweeps on text-encoder outputs from a conditioning file, metrics labelled latents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'teacache-cli-'));
  try {
    const fixture = join(import.meta.dirname, '..', '..', 'models', 'src', 'convert', 'fixtures', 'latte-checkpoint.safetensors');
    const model = join(dir, 'latte');
    // 24×24 latents: the sweep's SSIM needs at least 11×11.
    const c = teacache('convert', '--from', 'latte-1', '--checkpoint', fixture, '--out', model, '--heads', '2', '--frames', '4', '--size', '24', '--text-length', '5');
    expect(c.code).toBe(0);
    const conditioning = join(dir, 'prompts.safetensors');
    writeConditioning(conditioning, {
      prompts: ['a fox runs', 'waves at night'], length: 5, width: 24,
      embeddings: new Float32Array(2 * 5 * 24).map((_, i) => Math.cos(i)), mask: Float32Array.of(1, 1, 1, 0, 0, 1, 1, 0, 0, 0),
      nullEmbedding: new Float32Array(5 * 24), nullMask: Float32Array.of(1, 0, 0, 0, 0),
    });
    const out = join(dir, 'traces');
    const r = teacache('trace', '--model', model, '--conditioning', conditioning, '--steps', '3', '--out', out);
    expect(r.err).not.toContain('Error');
    expect(r.code).toBe(0);
    expect(r.out).toContain('a-fox-runs');
    expect(r.out).toContain('waves-at-night');
    expect(r.out).toContain('.latents.png');
    // A sweep in a worker process gets the conditioning too, and labels its metrics as computed on latents.
    const rows = join(dir, 'sweep.jsonl');
    const sweep = teacache('sweep', '--model', model, '--conditioning', conditioning, '--policies', 'interval', '--intervals', '2',
      '--steps', '4', '--workers', '1', '--out', rows);
    expect(sweep.code).toBe(0);
    const lines = readFileSync(rows, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { metricSpace?: string; prompt: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.metricSpace === 'latents')).toBe(true);
    expect(new Set(lines.map((l) => l.prompt))).toEqual(new Set(['a fox runs', 'waves at night']));
    const bare = teacache('trace', '--model', model, '--steps', '3', '--out', join(dir, 'bare'));
    expect(bare.code).toBe(1);
    expect(bare.err).toContain('--conditioning FILE');
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
