import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockSweepFile } from './out-lock.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'teacache-lock-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a second writer of the same sweep file is refused while the first holds it, and let in once it is released', () => {
  const out = join(dir, 'sub', 'sweep.jsonl');
  const release = lockSweepFile(out, () => {});
  expect(readFileSync(`${out}.lock`, 'utf8').trim()).toBe(`${hostname()} ${process.pid}`);
  expect(() => lockSweepFile(out, () => {})).toThrow(/sweep\.jsonl is being written by another sweep \(.* \d+, lock .*sweep\.jsonl\.lock\)/);
  release();
  expect(existsSync(`${out}.lock`)).toBe(false);
  lockSweepFile(out, () => {})();
});

test('a lock left by a process of this host that is gone is taken over, saying so', () => {
  const out = join(dir, 'sweep.jsonl');
  // Process ids wrap well below this on Linux (pid_max is at most 2^22), so none runs with it.
  writeFileSync(`${out}.lock`, `${hostname()} 99999999\n`);
  const said: string[] = [];
  const release = lockSweepFile(out, (l) => said.push(l));
  expect(said).toEqual([expect.stringMatching(/taking over .*sweep\.jsonl\.lock: process 99999999 that held it is gone/)]);
  release();
});

test('a lock held on another host is not taken over: that process may be alive', () => {
  const out = join(dir, 'sweep.jsonl');
  writeFileSync(`${out}.lock`, 'other-host 1\n');
  expect(() => lockSweepFile(out, () => {})).toThrow(/another sweep \(other-host 1/);
});
