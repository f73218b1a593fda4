import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', 'bin', 'teacache.js');
// A module hook that names on stderr every heavy module (tfjs, ONNX Runtime, danfo, vega) the process resolves.
const hook = 'export async function resolve(s, c, next) { const r = await next(s, c); '
  + 'if (/tfjs|onnxruntime|danfo|vega/.test(r.url)) process.stderr.write("HEAVY " + r.url + "\\n"); return r; }';
const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;

function heavyModulesOf(...args: string[]): { code: number | null; heavy: string[]; out: string } {
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, bin, ...args],
    { encoding: 'utf8', env: { ...process.env, TEACACHE_BACKEND: 'wasm' }, timeout: 120000 });
  return { code: r.status, out: r.stdout, heavy: r.stderr.split('\n').filter((l) => l.startsWith('HEAVY ')) };
}

test('teacache --help prints every command without loading tfjs or any other heavy module', () => {
  const r = heavyModulesOf('--help');
  expect(r.code).toBe(0);
  expect(r.out).toContain('teacache sweep');
  expect(r.heavy).toEqual([]);
});

test('a named command loads what it runs (so the check above can see a heavy module)', () => {
  const r = heavyModulesOf('fit', '--help');
  expect(r.code).toBe(0);
  expect(r.out).toContain('--traces');
  expect(r.heavy.some((l) => l.includes('tfjs'))).toBe(true);
});
