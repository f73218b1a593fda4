import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireFileLock, lockPathOf } from './file-lock.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'teacache-lock-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a second writer is refused while the first holds the lock, naming the holder', () => {
  const file = join(dir, 'sweep.jsonl');
  const release = acquireFileLock(file, 'sweep');
  expect(() => acquireFileLock(file, 'sweep')).toThrow(new RegExp(`sweep.jsonl: expected no other sweep at work.*found "process ${process.pid}`));
  release();
  expect(existsSync(lockPathOf(file))).toBe(false);
  acquireFileLock(file, 'sweep')();
});

test('a lock left by a killed process is taken over', () => {
  const file = join(dir, 'sweep.jsonl');
  // A process that has exited: its pid no longer runs.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(lockPathOf(file), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), since: '2026-01-01T00:00:00Z' }));
  const release = acquireFileLock(file, 'sweep');
  release();
  expect(existsSync(lockPathOf(file))).toBe(false);
});

test('a live lock of another host is never taken over', () => {
  const file = join(dir, 'sweep.jsonl');
  writeFileSync(lockPathOf(file), JSON.stringify({ pid: 1, host: 'another-host', since: '2026-01-01T00:00:00Z' }));
  expect(() => acquireFileLock(file)).toThrow(/process 1 on another-host/);
});
