import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coresAvailable } from '@teacache/models';
import { MachineShare } from './machine-share.js';

let dir: string;
const saved = process.env.TEACACHE_THREADS;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'machine-share-'));
  delete process.env.TEACACHE_THREADS;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env.TEACACHE_THREADS;
  else process.env.TEACACHE_THREADS = saved;
});

/** The id of a process that has exited (so no live process has it, barring reuse within the test). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('the queue workers sharing one machine', () => {
  test('one worker alone gets every core the process may use', () => {
    const a = new MachineShare(dir);
    a.join();
    expect(a.workers()).toBe(1);
    expect(a.threads()).toBe(coresAvailable());
  });

  test('two live workers split the cores, workers x threads never above the cores', () => {
    const a = new MachineShare(dir);
    const b = new MachineShare(dir, process.ppid);
    a.join();
    b.join();
    expect(a.workers()).toBe(2);
    expect(a.threads()).toBe(Math.max(1, Math.floor(coresAvailable() / 2)));
    expect(a.threads() * 2 <= Math.max(2, coresAvailable())).toBe(true);
    b.leave();
    expect(a.workers()).toBe(1);
  });

  test('a worker killed without leaving is not counted, and its registration is removed', () => {
    const a = new MachineShare(dir);
    a.join();
    const gone = deadPid();
    writeFileSync(join(dir, String(gone)), '');
    expect(a.workers()).toBe(1);
    expect(existsSync(join(dir, String(gone)))).toBe(false);
  });

  test('TEACACHE_THREADS overrides the share', () => {
    process.env.TEACACHE_THREADS = '3';
    const a = new MachineShare(dir);
    a.join();
    expect(a.threads()).toBe(3);
  });

  test('files that are not process ids are ignored', () => {
    writeFileSync(join(dir, 'notes.txt'), '');
    const a = new MachineShare(dir);
    a.join();
    expect(a.workers()).toBe(1);
  });
});
