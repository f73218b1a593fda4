import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { appendSweepRow, parseSweepRows, Progress, sweepRowKey, type SweepRow } from '@teacache/core';
import type { SweepOptions, SweepResult } from '@teacache/trace';
import { connectRedis } from './connect.js';
import { describeRun, jobIdOf, KEY_PREFIX, queueNameOf, REGISTRY_KEY, refusalsKeyOf, runKeyOf, type QueueEntry, type RunJob } from './jobs.js';
import { lockSweepFile } from './out-lock.js';
import { planSweep } from './plan.js';
import { parseRedisUrl, redactor } from './redis-url.js';

/** A sweep delivered through a queue instead of local worker processes. */
export interface QueuedSweepOptions extends Omit<SweepOptions, 'workers'> {
  /** Redis URL: redis://[[user]:password@]host[:port][/db] or rediss://. */
  queue: string;
  /** Gather rows of runs already queued, and queue nothing. */
  attach?: boolean;
  /** Queue the runs and return without waiting for them (gather later with `attach`). */
  detach?: boolean;
  /** Tries of a run before it is marked failed (default 3). */
  attempts?: number;
  /** Aborting detaches: stop waiting, leave the runs queued (the CLI aborts on SIGINT). */
  signal?: AbortSignal;
  /** Seconds without any worker on the queue before saying so (and naming workers that refuse it); default 10. */
  idleHintSeconds?: number;
}

/** A run the sweep file lacks at the end, and why. */
export interface MissingRun {
  run: string;
  jobId: string;
  reason: string;
}

export interface QueuedSweepResult extends SweepResult {
  /** The BullMQ queue the runs went to. */
  queue: string;
  /** Runs queued but not gathered because the submitter stopped waiting. */
  outstanding: number;
  detached: boolean;
  missing: MissingRun[];
}

const WEEK_SECONDS = 7 * 24 * 3600;

/**
 * Run a sweep through BullMQ on the user's Redis: each run not yet in `out` becomes a job (id: its row key, so
 * one already queued or finished is not queued again), workers anywhere run them, and their rows are appended
 * to `out` exactly as a local sweep appends them, with progress and ETA over all workers.
 */
export async function runQueuedSweep(o: QueuedSweepOptions): Promise<QueuedSweepResult> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const target = parseRedisUrl(o.queue);
  const redact = redactor(target);
  // Locked before reading: rows another writer appended after the read would otherwise be written again.
  const release = lockSweepFile(o.out, log);
  const connections: Redis[] = [];
  let queue: Queue | undefined;
  let events: QueueEvents | undefined;
  try {
    const plan = planSweep(o, log);
    const redis = await connectRedis(target);
    connections.push(redis);
    const name = queueNameOf(o.modelName, plan.weightsHash);
    const entry: QueueEntry = { queue: name, model: o.modelName, weightsHash: plan.weightsHash };
    await redis.sadd(REGISTRY_KEY, JSON.stringify(entry));
    queue = new Queue(name, { connection: redis, prefix: KEY_PREFIX });
    queue.on('error', (err) => log(`queue: ${redact(err.message)}`));
    const already = plan.total - plan.runs.length;
    if (already > 0) log(`resuming: ${already} of ${plan.total} run(s) already in ${o.out}`);
    const gatherer = new Gatherer(o.out, plan.done, plan.weightsHash, o.guidance, plan.runs, log);
    // Events are read from the stream position taken before the scan, so no finish between the two is missed.
    const [last] = await redis.xrevrange(queue.keys.events, '+', '-', 'COUNT', 1);
    const eventsConnection = await connectRedis(target);
    connections.push(eventsConnection);
    events = new QueueEvents(name, { connection: eventsConnection, prefix: KEY_PREFIX, lastEventId: last?.[0] ?? '0' });
    events.on('error', (err) => log(`queue events: ${redact(err.message)}`));
    const scan = await scanJobs(queue, gatherer, !o.attach, o.attempts ?? 3);
    log(`queue ${name} on ${target.safe}: ${plan.runs.length} run(s) to gather: ${scan.added} queued now, ${scan.queued} already queued, ` +
      `${scan.retried} failed before and queued again, ${scan.finished} finished while no one was gathering`);
    if (o.attach && scan.absent > 0) log(`${scan.absent} run(s) were never queued; run the same command without --attach to queue them`);
    if (o.detach) {
      log(`detached: ${gatherer.outstanding.size} run(s) in the queue; gather their rows with the same command and --attach`);
    } else {
      await waitForRuns(queue, events, gatherer, { signal: o.signal, log, safeUrl: target.safe, redis, name, idleHintMs: (o.idleHintSeconds ?? 10) * 1000 });
    }
    const detached = Boolean(o.detach || o.signal?.aborted) && gatherer.outstanding.size > 0;
    if (detached && !o.detach) log(`detached: ${gatherer.outstanding.size} run(s) still in the queue; the workers go on. Gather them with the same command and --attach`);
    for (const m of gatherer.missing.values()) log(`missing: ${m.run}: ${redact(m.reason)}`);
    return {
      out: o.out, newRows: gatherer.newRows, skippedRows: already, totalRows: already + gatherer.newRows, queue: name,
      outstanding: gatherer.outstanding.size, detached, missing: [...gatherer.missing.values()],
    };
  } catch (err) {
    if (err instanceof Error) err.message = redact(err.message);
    throw err;
  } finally {
    await events?.close().catch(() => {});
    await queue?.close().catch(() => {});
    for (const c of connections) c.disconnect();
    release();
  }
}

/** Appends each run's row once, and keeps what is outstanding and what is missing. */
class Gatherer {
  readonly byId: Map<string, RunJob>;
  readonly outstanding = new Set<string>();
  readonly missing = new Map<string, MissingRun>();
  newRows = 0;
  readonly progress: Progress;
  workers = '';

  constructor(private readonly out: string, private readonly done: Set<string>, private readonly weightsHash: string,
    private readonly guidance: number, runs: RunJob[], private readonly log: (l: string) => void) {
    this.byId = new Map(runs.map((r) => [jobIdOf(r), r]));
    this.progress = new Progress({ label: 'sweep', total: runs.length, unit: 'runs', logEverySeconds: 10 });
  }

  /** Take a finished job's row (a JSON line); a row already in the file is not written again. */
  accept(jobId: string, value: unknown): void {
    const run = this.byId.get(jobId);
    if (!run) return;
    this.outstanding.delete(jobId);
    this.missing.delete(jobId);
    const key = runKeyOf(run);
    if (this.done.has(key)) return;
    const where = `job ${jobId} (${describeRun(run)})`;
    if (typeof value !== 'string') throw new Error(`${where}: expected a sweep row as a JSON line, found ${typeof value}; is the worker another version of the toolkit?`);
    const [row] = parseSweepRows(value + '\n', where);
    this.check(row, key, where);
    appendSweepRow(this.out, row);
    this.done.add(key);
    this.newRows++;
    this.progress.tick(1, `${row.policy} ${row.threshold ?? ''}: ${row.stepSpeedup.toFixed(2)}x steps, ` +
      `${Number.isFinite(row.psnr) ? row.psnr.toFixed(1) : 'inf'} dB${this.workers}`);
  }

  /** A run that will not finish without help: failed for good, or never queued. */
  miss(jobId: string, reason: string): void {
    const run = this.byId.get(jobId);
    if (!run) return;
    this.outstanding.delete(jobId);
    this.missing.set(jobId, { run: describeRun(run), jobId, reason });
  }

  private check(row: SweepRow, key: string, where: string): void {
    if (sweepRowKey(row) !== key) throw new Error(`${where}: the row returned is of another run (${sweepRowKey(row)})`);
    if (row.weightsHash !== this.weightsHash || row.guidance !== this.guidance) {
      throw new Error(`${where}: the row was made with weights ${row.weightsHash} and guidance ${row.guidance}, not ${this.weightsHash} and ${this.guidance}`);
    }
  }

  /** Draw the bar again with the workers' count. */
  status(workers: string): void {
    this.workers = workers;
    this.progress.tick(0, `${workers}`);
  }

  report(line: string): void {
    this.log(line);
  }
}

interface ScanCounts { added: number; queued: number; retried: number; finished: number; absent: number }

/** Sort every run by its job's state: gather finished ones, queue absent ones, retry failed ones. */
async function scanJobs(queue: Queue, g: Gatherer, submit: boolean, attempts: number): Promise<ScanCounts> {
  const counts: ScanCounts = { added: 0, queued: 0, retried: 0, finished: 0, absent: 0 };
  const ids = [...g.byId.keys()];
  const toAdd: string[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const jobs = await Promise.all(chunk.map((id) => queue.getJob(id)));
    const states = await Promise.all(jobs.map((j) => j?.getState() ?? Promise.resolve('unknown')));
    for (let k = 0; k < chunk.length; k++) {
      const id = chunk[k];
      const job = jobs[k] as Job | undefined;
      const state = states[k];
      if (!job || state === 'unknown') {
        if (submit) toAdd.push(id);
        else {
          counts.absent++;
          g.miss(id, 'never queued (run the sweep without --attach to queue it)');
        }
      } else if (state === 'completed') {
        counts.finished++;
        g.accept(id, job.returnvalue);
      } else if (state === 'failed') {
        if (submit) {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          g.outstanding.add(id);
          counts.retried++;
        } else g.miss(id, `failed after ${job.attemptsMade} attempt(s): ${job.failedReason}`);
      } else {
        g.outstanding.add(id);
        counts.queued++;
      }
    }
  }
  for (let i = 0; i < toAdd.length; i += 500) {
    const chunk = toAdd.slice(i, i + 500);
    await queue.addBulk(chunk.map((id) => {
      const run = g.byId.get(id)!;
      return {
        name: describeRun(run), data: run,
        opts: {
          jobId: id, attempts, backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: { age: WEEK_SECONDS }, removeOnFail: { age: WEEK_SECONDS },
        },
      };
    }));
    for (const id of chunk) g.outstanding.add(id);
    counts.added += chunk.length;
  }
  return counts;
}

interface WaitOptions { signal?: AbortSignal; log: (l: string) => void; safeUrl: string; redis: Redis; name: string; idleHintMs: number }

/**
 * Gather rows as jobs finish until none is outstanding (or the signal detaches). Events drive it; every 15 s the
 * outstanding jobs' states are read again, in case an event was trimmed from the stream before it was read.
 */
async function waitForRuns(queue: Queue, events: QueueEvents, g: Gatherer, w: WaitOptions): Promise<void> {
  if (g.outstanding.size === 0) return;
  await new Promise<void>((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const end = (err?: unknown) => {
      timers.forEach(clearInterval);
      w.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const guard = (f: () => void | Promise<void>) => async () => {
      try {
        await f();
        if (g.outstanding.size === 0) end();
      } catch (err) {
        end(err);
      }
    };
    const onAbort = () => end();
    w.signal?.addEventListener('abort', onAbort);
    events.on('completed', ({ jobId, returnvalue }) => void guard(() => g.accept(jobId, returnvalue))());
    events.on('failed', ({ jobId, failedReason }) => void guard(async () => {
      if (!g.outstanding.has(jobId)) return;
      // 'failed' also fires for an attempt that will be retried; only the failed state is final.
      if ((await queue.getJobState(jobId)) === 'failed') g.miss(jobId, await failure(queue, jobId, failedReason));
    })());
    let idleSince = Date.now();
    let hinted = 0;
    timers.push(setInterval(guard(async () => {
      const workers = await queue.getWorkersCount().catch(() => -1);
      if (workers >= 0) g.status(` | ${workers} worker(s)`);
      if (workers !== 0) idleSince = Date.now();
      else if (Date.now() - idleSince > w.idleHintMs && Date.now() - hinted > 60_000) {
        hinted = Date.now();
        const refusals = await w.redis.hgetall(refusalsKeyOf(w.name));
        const refused = Object.entries(refusals).map(([worker, hash]) => `${worker} (weights ${hash.slice(0, 16)})`);
        g.report(`no worker takes jobs from ${w.name}; start one on a machine with these weights: teacache worker --queue ${w.safeUrl}` +
          (refused.length > 0 ? `; refusing them for other weights: ${refused.join(', ')}` : ''));
      }
    }), Math.min(2000, w.idleHintMs / 2)));
    timers.push(setInterval(guard(() => reconcile(queue, g)), 15_000));
    void guard(() => reconcile(queue, g))();
  });
  g.progress.finish();
}

async function failure(queue: Queue, jobId: string, reason: string): Promise<string> {
  const job = await queue.getJob(jobId);
  return `failed after ${job?.attemptsMade ?? '?'} attempt(s): ${job?.failedReason || reason}`;
}

/** Read the state of every outstanding job again. */
async function reconcile(queue: Queue, g: Gatherer): Promise<void> {
  for (const id of [...g.outstanding]) {
    const state = await queue.getJobState(id);
    if (state === 'completed') g.accept(id, (await queue.getJob(id))?.returnvalue);
    else if (state === 'failed') g.miss(id, await failure(queue, id, 'unknown error'));
    else if (state === 'unknown') g.miss(id, 'the job was removed from the queue');
  }
}
