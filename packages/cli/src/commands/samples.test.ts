import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiffusionTransformer, saveModel, selectBackend, type ModelConfig } from '@teacache/models';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'teacache.js');
function teacache(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, TEACACHE_BACKEND: 'wasm' }, timeout: 240000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'teacache-samples-'));
  const cfg: ModelConfig = {
    family: 'latte', hiddenSize: 16, depth: 2, heads: 2, mlpRatio: 2, patchSize: 4, frames: 2, height: 8, width: 8, channels: 3,
    textWidth: 8, textLayers: 1, textHeads: 2, textLength: 4, vocabulary: ['<pad>', '<unk>', 'cat', 'moving', 'left'],
    prediction: 'epsilon', timestepFrequencies: 16,
  };
  const m = new DiffusionTransformer(cfg, { seed: 3, zeroInit: false });
  saveModel(join(dir, 'model'), m);
  m.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('--repeats samples every caption with that many seeds, counts all of them, and shows the first seed in the grid', () => {
  const out = join(dir, 'out');
  const r = teacache('samples', '--model', join(dir, 'model'), '--steps', '3', '--repeats', '2', '--seed', '5', '--train', '1', '--out', out);
  expect(r.err).not.toMatch(/Error/);
  expect(r.code).toBe(0);
  const s = JSON.parse(readFileSync(join(out, 'samples.json'), 'utf8')) as {
    seed: number; seeds: number; heldoutSubjectAccuracy: number; heldoutExactAccuracy: number;
    samples: { caption: string; seed: number; split: string; subjectMatch: boolean; exactMatch: boolean }[];
  };
  expect(s.seed).toBe(5);
  expect(s.seeds).toBe(2);
  // 10 held-out captions and 1 training caption, each at seeds 5 and 6.
  expect(s.samples).toHaveLength(22);
  for (const caption of new Set(s.samples.map((x) => x.caption))) {
    expect(s.samples.filter((x) => x.caption === caption).map((x) => x.seed).sort()).toEqual([5, 6]);
  }
  const heldout = s.samples.filter((x) => x.split === 'heldout');
  expect(heldout).toHaveLength(20);
  expect(s.heldoutSubjectAccuracy).toBeCloseTo(heldout.filter((x) => x.subjectMatch).length / 20, 12);
  expect(s.heldoutExactAccuracy).toBeCloseTo(heldout.filter((x) => x.exactMatch).length / 20, 12);
  expect(r.out).toMatch(/subject for \d+\/20 held-out samples, subject and motion for \d+\/20 \(10 captions × seeds 5-6\)/);
  // The grid has one row per caption (11), not per sample: 11 rows of 8 px tiles at scale 4 with 2 px gaps.
  const png = readFileSync(join(out, 'samples.png'));
  expect(png.readUInt32BE(20)).toBe(11 * 8 * 4 + 12 * 2);
});

test('--repeats below 1 is refused naming the option, and nothing is written', () => {
  const out = join(dir, 'none');
  const r = teacache('samples', '--model', join(dir, 'model'), '--steps', '3', '--repeats', '0', '--out', out);
  expect(r.code).not.toBe(0);
  expect(r.err).toMatch(/argument --repeats: expected a whole number from 1 to 1000, found 0/);
  expect(existsSync(out)).toBe(false);
});
