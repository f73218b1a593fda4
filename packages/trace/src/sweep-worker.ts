// A sweep worker process: loads the model once, then runs the groups the parent sends, one at a time,
// sending each finished row back at once. One worker per core: the wasm backend runs on one thread.
// A worker never outlives its parent: it exits when the IPC channel closes and, since sampling blocks the
// event loop for a whole group, also checks during sampling (every 100 ms at most) that its parent is still the same process.
import { readFileSync } from 'node:fs';
import { describeFatal, type SweepRow } from '@teacache/core';
import type { WorkerSpec } from '@teacache/cache';
import {
  computeLabel, loadModel, samplingModelFor, selectCompute, type BackendRequest, type EngineRequest, type LoadedModel, type SamplingModel,
} from '@teacache/models';
import { ReferenceCache, runSweepGroup, warmUp, type SweepFailure, type SweepGroup } from './sweep-run.js';

/** Parent → worker messages. */
export type WorkerRequest =
  | { type: 'init'; modelDir: string; backend: BackendRequest; engine: EngineRequest; threads: number; guidance: number; conditioning?: string }
  | { type: 'group'; id: number; group: SweepGroup<WorkerSpec> }
  | { type: 'stop' };

/** Worker → parent messages. */
export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'row'; id: number; row: SweepRow }
  | { type: 'failure'; id: number; failure: SweepFailure }
  | { type: 'group-done'; id: number }
  | { type: 'error'; message: string };

let loaded: LoadedModel | null = null;
let model: SamplingModel | null = null;
let backendName = '';
// Kept across groups: a queue delivers a (prompt, seed)'s runs one at a time.
const refs = new ReferenceCache();

const parentPid = process.ppid;

/**
 * The current parent process id. Node's process.ppid is read once at start, so on Linux it is read from
 * /proc (a killed parent's children are re-parented at once); elsewhere a parent that no longer exists reads as 0.
 */
function currentParent(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Field 4 of /proc/self/stat, after the command name in parentheses (which may hold spaces).
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    try {
      process.kill(parentPid, 0);
      return parentPid;
    } catch {
      return 0;
    }
  }
}

/** Exit at once when the parent is gone (killed, even with SIGKILL): nothing would read what this worker makes. */
function exitIfOrphaned(): void {
  if (currentParent() !== parentPid) process.exit(1);
}

/** How often a sampling step looks for its parent, ms: reading /proc at every step of a tiny model cost ~5% of a worker's CPU. */
const ORPHAN_CHECK_MS = 100;
let lastCheck = 0;

/** exitIfOrphaned at most every ORPHAN_CHECK_MS (a sampling step calls it). */
function exitIfOrphanedSoon(): void {
  const now = performance.now();
  if (now - lastCheck < ORPHAN_CHECK_MS) return;
  lastCheck = now;
  exitIfOrphaned();
}

function send(msg: WorkerReply): void {
  exitIfOrphaned();
  process.send!(msg, undefined, undefined, (err) => { if (err) process.exit(1); });
}

/** Last resort: tell the parent (if it still listens) in one line, never with a stack or source text. */
function fail(err: unknown): void {
  const message = describeFatal(err, false).replace(/^teacache: /, '').trimEnd();
  if (!process.connected) process.exit(1);
  process.send!({ type: 'error', message } satisfies WorkerReply, undefined, undefined, () => process.exit(1));
  // Give the message a moment to leave, then go whatever happens.
  setTimeout(() => process.exit(1), 2000);
}

process.on('disconnect', () => process.exit(1));
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

process.on('message', async (msg: WorkerRequest) => {
  try {
    if (msg.type === 'init') {
      // Each worker gets its share of the cores: workers × threads never exceeds them.
      const compute = await selectCompute(msg.backend, msg.engine, msg.threads);
      backendName = computeLabel(compute);
      loaded = loadModel(msg.modelDir, { conditioning: msg.conditioning, engine: compute.engine.name });
      model = samplingModelFor(loaded.model, compute.engine);
      warmUp(model, msg.guidance);
      send({ type: 'ready', backend: backendName });
    } else if (msg.type === 'group') {
      runSweepGroup(model!, msg.group, backendName, (row) => send({ type: 'row', id: msg.id, row }), {
        onStep: exitIfOrphanedSoon,
        onFailure: (failure) => send({ type: 'failure', id: msg.id, failure }),
        refs,
      });
      send({ type: 'group-done', id: msg.id });
    } else if (msg.type === 'stop') {
      process.exit(0);
    }
  } catch (err) {
    fail(err);
  }
});
