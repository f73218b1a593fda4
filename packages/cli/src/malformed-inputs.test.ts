// The malformed-input suite: every case of the corpus (malformed-corpus.ts) run through the command line in this
// process. Each must exit non-zero with one message naming the file or argument (and field), print no stack
// trace or source, write nothing, and change no existing file.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiffusionTransformer, saveModel, selectBackend } from '@teacache/models';
import { makeMalformedCorpus, CORPUS_MODEL, type MalformedCase } from './malformed-corpus.js';
import { runCli } from './main.js';

const root = mkdtempSync(join(tmpdir(), 'teacache-malformed-'));
const modelDir = join(root, 'model');
const corpusDir = join(root, 'corpus');
const cases: MalformedCase[] = makeMalformedCorpus(corpusDir, modelDir);

beforeAll(async () => {
  process.env.TEACACHE_BACKEND = 'wasm';
  await selectBackend('wasm');
  const m = new DiffusionTransformer(CORPUS_MODEL, { seed: 1, zeroInit: false });
  saveModel(modelDir, m, { dtype: 'F32' });
  m.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file under a directory with a hash of its content (and every directory), to see that nothing changed. */
function snapshot(dir: string, into: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      into[path] = 'dir';
      snapshot(path, into);
    } else into[path] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return into;
}

async function run(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const write = process.stderr.write.bind(process.stderr);
  const writeOut = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((chunk: string | Uint8Array) => { err += String(chunk); return true; }) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return { code: await runCli(args), err };
  } finally {
    process.stderr.write = write;
    process.stdout.write = writeOut;
  }
}

test('samples on a model whose weights hold NaN stops at step 0 naming it, instead of exiting 0', async () => {
  const nanModel = join(root, 'nan-model');
  const m = new DiffusionTransformer(CORPUS_MODEL, { seed: 1, zeroInit: false });
  const values = m.params.snapshot();
  for (const v of values.values()) v.fill(NaN);
  saveModel(nanModel, m, { dtype: 'F32', values });
  m.dispose();
  const out = join(root, 'nan-samples');
  const { code, err } = await run(['samples', '--model', nanModel, '--steps', '4', '--out', out]);
  expect(code).toBe(1);
  expect(err).toMatch(/teacache: sampling diverged at step 0 of 4 .*prediction holds NaN or Infinity/);
  expect(readdirSync(root)).not.toContain('nan-samples');
});

test('the corpus covers every command that reads user input', () => {
  const commands = new Set(cases.map((c) => c.args[0]));
  for (const c of ['trace', 'sweep', 'report', 'fit', 'replay', 'train', 'samples', 'calibrate']) expect(commands).toContain(c);
  expect(cases.length).toBeGreaterThanOrEqual(45);
});

test.each(cases.map((c) => [c.name, c] as const))('%s: refused with a message naming it, nothing written or changed', async (_name, c) => {
  const before = snapshot(root);
  const { code, err } = await run(c.args);
  expect(code).not.toBe(0);
  const message = err.split('\n').filter((l) => l.startsWith('teacache: '));
  expect(message).toHaveLength(1);
  for (const n of c.names) expect(message[0]).toContain(n);
  // No stack trace, no source text: one short message (plus the backend line of commands that start one).
  expect(err).not.toMatch(/^\s+at /m);
  expect(err).not.toMatch(/node_modules|function\s*\(|=>/);
  expect(err.length).toBeLessThan(1200);
  expect(snapshot(root)).toEqual(before);
});
