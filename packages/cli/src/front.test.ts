import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', 'bin', 'teacache.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempFront(): string {
  const dir = mkdtempSync(join(tmpdir(), 'teacache-front-'));
  dirs.push(dir);
  return join(dir, 'front.mjs');
}

// A module hook that names on stderr every TypeScript file and every tsx module the process resolves.
const hook = 'export async function resolve(s, c, next) { const r = await next(s, c); '
  + 'if (/\\.ts$|\\/tsx\\//.test(r.url)) process.stderr.write("LOADED " + r.url + "\\n"); return r; }';
const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;

function run(args: string[], env: Record<string, string>, watch = false) {
  const r = spawnSync(process.execPath, [...(watch ? ['--import', `data:text/javascript,${encodeURIComponent(register)}`] : []), bin, ...args],
    { encoding: 'utf8', env: { ...process.env, TEACACHE_DEBUG: '', ...env }, timeout: 120000 });
  const loaded = r.stderr.split('\n').filter((l) => l.startsWith('LOADED '));
  return { status: r.status, out: r.stdout, err: r.stderr.split('\n').filter((l) => !l.startsWith('LOADED ')).join('\n'), loaded };
}

test('with no command named, the bundled front answers exactly as the sources do', () => {
  const file = tempFront();
  for (const args of [['--help'], ['--version'], [], ['frobnicate'], ['--engine', 'nope'], ['--help', '--backend', 'wasm']]) {
    const fromFront = run(args, { TEACACHE_FRONT_FILE: file });
    const fromSources = run(args, { TEACACHE_FRONT: 'off' });
    expect({ args, ...fromFront }).toEqual({ args, ...fromSources, loaded: [] });
  }
  expect(run(['--help'], { TEACACHE_FRONT_FILE: file }).out).toContain('teacache calibrate');
  expect(run(['--version'], { TEACACHE_FRONT_FILE: file }).out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
});

test('teacache --help runs from the bundle: it loads neither tsx nor any TypeScript file', () => {
  const file = tempFront();
  run(['--version'], { TEACACHE_FRONT_FILE: file }); // builds it
  const r = run(['--help'], { TEACACHE_FRONT_FILE: file }, true);
  expect(r.status).toBe(0);
  expect(r.loaded).toEqual([]);
  // and the hook does see them when the sources run, so the empty list above means something
  expect(run(['--help'], { TEACACHE_FRONT: 'off' }, true).loaded.some((l) => l.includes('/src/main.ts'))).toBe(true);
});

test('a named command runs from the TypeScript sources, not from the bundle', () => {
  const r = run(['models', '--help'], { TEACACHE_FRONT_FILE: tempFront() }, true);
  expect(r.status).toBe(0);
  expect(r.loaded.some((l) => l.includes('/src/commands/models.ts'))).toBe(true);
});

test('a bundle older than one of its sources is rebuilt before it runs', () => {
  const file = tempFront();
  run(['--version'], { TEACACHE_FRONT_FILE: file });
  const built = readFileSync(file, 'utf8');
  const [header, ...body] = built.split('\n');
  const summaries = 'src/commands/summaries.ts';
  expect(header).toContain(`"${summaries}":`);
  // As if summaries.ts had changed since the build: its recorded hash differs, and the old bundle says STALE.
  const staleHeader = header.replace(new RegExp(`("${summaries}":")[0-9a-f]{40}`), '$10000000000000000000000000000000000000000');
  expect(staleHeader).not.toBe(header);
  writeFileSync(file, [staleHeader, ...body].join('\n').replace('Calibrate training-free caches', 'STALE'));
  const r = run(['--help'], { TEACACHE_FRONT_FILE: file });
  expect(r.out).toContain('Calibrate training-free caches');
  expect(r.out).not.toContain('STALE');
  expect(readFileSync(file, 'utf8')).toBe(built);
});

test('a bundle that cannot be written leaves the command working from the sources', () => {
  const r = run(['--help'], { TEACACHE_FRONT_FILE: '/dev/null/front.mjs' });
  expect(r.status).toBe(0);
  expect(r.out).toContain('teacache calibrate');
  expect(r.err).toBe('');
});

test('a reader that closes the pipe early ends the command quietly, with the status of SIGPIPE', async () => {
  const child = spawn(process.execPath, [bin, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let err = '';
  child.stderr.on('data', (d) => { err += String(d); });
  const status = await new Promise((done) => child.on('close', done));
  expect({ status, err }).toEqual({ status: 141, err: '' });
});
