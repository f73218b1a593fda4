import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const bin = join(repo, 'packages', 'cli', 'bin', 'teacache.js');

function teacacheIn(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, TEACACHE_BACKEND: 'wasm' }, timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('teacache run from a directory outside the repository', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'teacache-elsewhere-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('finds its built-in models', () => {
    const r = teacacheIn(dir, 'models');
    expect(r.err).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    expect(r.out).toContain('stdit-tiny');
  });

  test('reads and writes relative paths against the directory it is run in', () => {
    symlinkSync(join(repo, 'datasets', 'traces', 'stdit-tiny', 'calibration'), join(dir, 'traces'));
    const r = teacacheIn(dir, 'fit', '--traces', 'traces', '--out', 'c.json');
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')).coefficients.highestFirst.length).toBeGreaterThan(0);
    expect(existsSync(join(repo, 'c.json'))).toBe(false);
  });

  test('runs a sweep whose worker processes start from that directory too', () => {
    const r = teacacheIn(dir, 'sweep', '--model', 'stdit-tiny', '--policies', 'interval', '--intervals', '2', '--steps', '4',
      '--repeats', '1', '--workers', '1', '--engine', 'tfjs', '--out', 'rows.jsonl');
    expect(r.err).not.toMatch(/Cannot find package/);
    expect(r.code).toBe(0);
    const rows = readFileSync(join(dir, 'rows.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect([...new Set(rows.map((row) => row.policy))].sort()).toEqual(['interval', 'none']);
  }, 180000);

  test('the workspace links a teacache command that runs', () => {
    const linked = join(repo, 'node_modules', '.bin', 'teacache');
    expect(existsSync(linked)).toBe(true);
    const r = spawnSync(linked, ['--help'], { cwd: dir, encoding: 'utf8', timeout: 120000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('teacache sweep');
  });
});
