import { tsxExecArgv } from './tsx-loader.js';
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SweepRow } from '@teacache/core';
import { backendRequestFrom, engineRequestFrom, threadsPerProcess } from '@teacache/models';
import type { WorkerSpec } from '@teacache/cache';
import type { SweepGroup } from './sweep-run.js';
import type { WorkerReply, WorkerRequest } from './sweep-worker.js';

/**
 * One sweep worker process (sweep-worker.ts, the one the local pool starts) driven one group at a time from
 * outside the pool: the queue worker hands it the groups its jobs carry, so both deliveries run the same code.
 * The caller's event loop stays free while a group runs (a queue worker must keep renewing its job's lock).
 */
export class SweepChild {
  private child: ChildProcess | null = null;
  private pending: { onRow: (row: SweepRow) => void; resolve: () => void; reject: (err: Error) => void } | null = null;
  private nextId = 0;
  /** The backend the child runs on, once started. */
  backend = '';

  /** threads: intra-op threads of the run process on the onnx engine (default all of this process's cores, or TEACACHE_THREADS). */
  constructor(private readonly modelDir: string, private readonly backendRequest: string, private readonly guidance: number,
    readonly threads = threadsPerProcess(1)) {}

  /** Fork the process, load the model and warm it up; resolves with the backend name. */
  start(): Promise<string> {
    const path = join(dirname(fileURLToPath(import.meta.url)), 'sweep-worker.ts');
    const child = fork(path, [], { execArgv: tsxExecArgv(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    return new Promise((resolve, reject) => {
      let ready = false;
      child.on('message', (msg: WorkerReply) => {
        if (msg.type === 'ready') {
          ready = true;
          this.backend = msg.backend;
          resolve(msg.backend);
        } // IPC carries JSON, which turns an infinite PSNR (identical outputs) into null.
        else if (msg.type === 'row') this.pending?.onRow({ ...msg.row, psnr: msg.row.psnr ?? Infinity });
        // A run that failed in the worker (sampling diverged, ...) ends its delivery with the worker's reason.
        else if (msg.type === 'failure') this.settle(new Error(`${msg.failure.policy}: ${msg.failure.error}`));
        else if (msg.type === 'group-done') this.settle();
        else if (msg.type === 'error') this.settle(new Error(msg.message), reject);
      });
      child.on('exit', (code, signal) => {
        this.child = null;
        const err = new Error(`sweep worker process ${ready ? 'exited' : 'failed to start'} (${signal ?? `code ${code}`})`);
        this.settle(err, ready ? undefined : reject);
      });
      // One child per queue worker: the engine from TEACACHE_ENGINE, the threads its owner gives it.
      child.send({
        type: 'init', modelDir: this.modelDir, backend: backendRequestFrom(this.backendRequest), guidance: this.guidance,
        engine: engineRequestFrom(), threads: this.threads,
      } satisfies WorkerRequest);
    });
  }

  /** True while the process is alive (a failed group ends it). */
  get alive(): boolean {
    return this.child !== null;
  }

  /** Run one group; `onRow` gets each finished row. Rejects with the worker's error if a run fails. */
  runGroup(group: SweepGroup<WorkerSpec>, onRow: (row: SweepRow) => void): Promise<void> {
    if (!this.child) return Promise.reject(new Error('sweep worker process is not running'));
    if (this.pending) return Promise.reject(new Error('sweep worker process is busy with another group'));
    return new Promise((resolve, reject) => {
      this.pending = { onRow, resolve, reject };
      this.child!.send({ type: 'group', id: this.nextId++, group } satisfies WorkerRequest);
    });
  }

  /** Stop at once (a group in progress is abandoned and its promise rejects). */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  /** Ask the process to exit after its current message; resolves when it has. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      // A process that died meanwhile has no channel left; its exit is on its way.
      if (child.connected) child.send({ type: 'stop' } satisfies WorkerRequest);
      else if (child.exitCode !== null || child.signalCode !== null) resolve();
    });
  }

  private settle(err?: Error, alsoReject?: (err: Error) => void): void {
    const p = this.pending;
    this.pending = null;
    if (err) {
      p?.reject(err);
      alsoReject?.(err);
    } else p?.resolve();
  }
}
