import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadsPerProcess } from '@teacache/models';

/** Where the queue workers of this machine register (one empty file per worker, named by its process id). */
export const MACHINE_SHARE_DIR = join(tmpdir(), 'teacache-queue-workers');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user; it still uses the cores.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The queue workers running on this machine, so that each gives its run process cores / workers intra-op threads:
 * several `teacache worker`s on one machine never oversubscribe its cores. Registrations of processes that are
 * gone (killed) are not counted and are removed.
 */
export class MachineShare {
  private readonly file: string;

  constructor(private readonly dir = MACHINE_SHARE_DIR, private readonly pid = process.pid) {
    this.file = join(dir, String(pid));
  }

  /** Register this worker. */
  join(): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.file, '');
  }

  /** Unregister this worker. */
  leave(): void {
    rmSync(this.file, { force: true });
  }

  /** Live queue workers registered on this machine (this one included, once joined). */
  workers(): number {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return 1;
    }
    let n = 0;
    for (const name of names) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid <= 0) continue;
      if (pid === this.pid || alive(pid)) n++;
      else rmSync(join(this.dir, name), { force: true });
    }
    return Math.max(1, n);
  }

  /** Intra-op threads for this worker's run process: the cores available / live workers (TEACACHE_THREADS overrides). */
  threads(): number {
    return threadsPerProcess(this.workers());
  }
}
