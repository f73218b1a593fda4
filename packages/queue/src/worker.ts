import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { sweepRowToJson, type SweepRow } from '@teacache/core';
import { sha256OfFile, threadsPerProcess, WEIGHTS_FILE } from '@teacache/models';
import { SweepChild } from '@teacache/trace';
import { connectRedis } from './connect.js';
import { MachineShare } from './machine-share.js';
import { checkRunJob, describeRun, KEY_PREFIX, REGISTRY_KEY, refusalsKeyOf, type QueueEntry, type RunJob } from './jobs.js';
import { parseRedisUrl, redactor, type RedisTarget } from './redis-url.js';

export interface QueueWorkerOptions {
  /** Redis URL (see parseRedisUrl). */
  queue: string;
  /** The model directory this machine has for a model name, or undefined when it has none. */
  resolveModel: (name: string) => string | undefined;
  /** tfjs backend request for the run process (auto, tensorflow, wasm, cpu). */
  backend: string;
  /** Name shown in BullMQ and in logs (default host:pid). */
  name?: string;
  /** How long a job's lock lasts without renewal before other workers may take it back, ms (default 30000). */
  lockMs?: number;
  /** How often this worker looks for jobs whose worker died (lock expired), ms (default 30000). */
  stalledMs?: number;
  /** Times a job may be taken back from a dead worker before it is marked failed (default 1). */
  maxStalled?: number;
  /** How often to look for newly submitted sweeps, ms (default 5000). */
  discoverMs?: number;
  log?: (line: string) => void;
  /** Where the queue workers of this machine register, to share its cores (default MACHINE_SHARE_DIR; tests use their own). */
  shareDir?: string;
}

interface Served { entry: QueueEntry; dir: string; worker: Worker }

/** Weights hash of a model directory, computed again only when the file's size or time changes. */
class WeightsHashes {
  private readonly known = new Map<string, { stamp: string; hash: string }>();

  of(dir: string): string {
    const file = join(dir, WEIGHTS_FILE);
    const s = statSync(file);
    const stamp = `${s.size} ${s.mtimeMs}`;
    const k = this.known.get(dir);
    if (k && k.stamp === stamp) return k.hash;
    const hash = sha256OfFile(file);
    this.known.set(dir, { stamp, hash });
    return hash;
  }
}

/**
 * A queue worker: finds the sweep queues submitted to Redis, serves those whose model and weights hash this
 * machine has (refusing the others, which stay queued for a machine that has them), and runs each job in a
 * sweep worker process, one at a time, returning the row.
 */
export class QueueWorker {
  private readonly o: Required<Omit<QueueWorkerOptions, 'resolveModel' | 'shareDir'>> & Pick<QueueWorkerOptions, 'resolveModel' | 'shareDir'>;
  private readonly target: RedisTarget;
  private readonly redact: (m: string) => string;
  private readonly served = new Map<string, Served>();
  private readonly judged = new Set<string>();
  // Queues this worker left because its weights no longer match theirs.
  private readonly left = new Set<string>();
  private readonly hashes = new WeightsHashes();
  private readonly connections: Redis[] = [];
  private redis: Redis | null = null;
  private child: { dir: string; child: SweepChild; ready: Promise<string> } | null = null;
  private readonly share: MachineShare;
  private discovery: NodeJS.Timeout | null = null;
  private busy: Promise<void> = Promise.resolve();
  private returning = false;
  private stopping: Promise<void> | null = null;
  private refusals = new Map<string, string>();
  /** Jobs finished, for the log and tests. */
  finishedJobs = 0;
  // Time from one job's end to the next one's start: with jobs waiting, what the queue costs per run.
  private lastEnd: number | null = null;
  private idleMs = 0;
  private idleCount = 0;

  constructor(options: QueueWorkerOptions) {
    this.o = {
      name: `${hostname()}:${process.pid}`, lockMs: 30_000, stalledMs: 30_000, maxStalled: 1, discoverMs: 5000,
      log: (l: string) => process.stderr.write(l + '\n'), ...options,
    };
    this.target = parseRedisUrl(options.queue);
    this.redact = redactor(this.target);
    this.share = new MachineShare(options.shareDir);
  }

  /** Connect and start looking for sweeps to serve. */
  async start(): Promise<void> {
    this.share.join();
    this.redis = await connectRedis(this.target);
    this.connections.push(this.redis);
    this.log(`connected to ${this.target.safe}; looking for sweeps every ${this.o.discoverMs / 1000} s`);
    await this.discover();
    this.discovery = setInterval(() => void this.discover().catch((err) => this.log(`looking for sweeps: ${this.redact(String(err?.message ?? err))}`)), this.o.discoverMs);
  }

  /** Stop taking jobs, let the current one finish, and disconnect. */
  finish(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Give the current job back to the queue at once (its run is abandoned), then stop. */
  returnJob(): Promise<void> {
    this.returning = true;
    this.child?.child.kill();
    return this.finish();
  }

  private log(line: string): void {
    this.o.log(`worker ${this.o.name}: ${this.redact(line)}`);
  }

  private async discover(): Promise<void> {
    if (this.stopping || !this.redis) return;
    const members = await this.redis.smembers(REGISTRY_KEY);
    for (const text of members) {
      let entry: QueueEntry;
      try {
        entry = JSON.parse(text) as QueueEntry;
      } catch {
        continue;
      }
      if (this.served.has(entry.queue) || this.left.has(entry.queue)) continue;
      const dir = this.o.resolveModel(entry.model);
      if (!dir) {
        this.once(entry.queue, `not serving ${entry.queue}: no model "${entry.model}" on this machine (pass --model DIR)`);
        continue;
      }
      const mine = this.hashes.of(dir);
      if (mine !== entry.weightsHash) {
        this.once(entry.queue, `refusing sweeps of ${entry.model} with weights ${entry.weightsHash.slice(0, 16)}: this machine's weights (${dir}) are ${mine.slice(0, 16)}; they stay queued for a machine that has them`);
        this.refusals.set(entry.queue, mine);
        await this.redis.hset(refusalsKeyOf(entry.queue), this.o.name, mine);
        await this.redis.expire(refusalsKeyOf(entry.queue), Math.ceil((3 * this.o.discoverMs) / 1000) + 60);
        continue;
      }
      this.serve(entry, dir);
    }
  }

  private once(key: string, line: string): void {
    if (this.judged.has(key)) return;
    this.judged.add(key);
    this.log(line);
  }

  private serve(entry: QueueEntry, dir: string): void {
    const connection = this.redis!.duplicate();
    this.connections.push(connection);
    const worker = new Worker(entry.queue, (job, token) => this.process(entry, dir, job, token), {
      connection, prefix: KEY_PREFIX, concurrency: 1, name: this.o.name,
      lockDuration: this.o.lockMs, stalledInterval: this.o.stalledMs, maxStalledCount: this.o.maxStalled,
    });
    worker.on('error', (err) => this.log(`queue ${entry.queue}: ${err.message}`));
    this.served.set(entry.queue, { entry, dir, worker });
    this.log(`serving ${entry.queue} (${entry.model} from ${dir})`);
    if (!this.child) void this.childFor(dir).catch((err) => this.log(`run process: ${err instanceof Error ? err.message : String(err)}`));
  }

  // Jobs of every served queue run one at a time: the run process is single-threaded.
  private async process(entry: QueueEntry, dir: string, job: Job, token: string | undefined): Promise<string> {
    const previous = this.busy;
    let release!: () => void;
    this.busy = new Promise((r) => { release = r; });
    await previous;
    try {
      return await this.runJob(entry, dir, job, token);
    } finally {
      release();
    }
  }

  private async runJob(entry: QueueEntry, dir: string, job: Job, token: string | undefined): Promise<string> {
    const id = job.id!;
    if (this.returning) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const run: RunJob = checkRunJob(job.data, id);
    const mine = this.hashes.of(dir);
    if (run.weightsHash !== mine || run.weightsHash !== entry.weightsHash || this.left.has(entry.queue)) {
      // Weights changed under a running worker: give the job back untried and leave the queue, so no job of it
      // comes back here (one taken before the leaving completes is given back too).
      this.log(`refusing job ${id}: it names weights ${run.weightsHash.slice(0, 16)}, ${dir} now has ${mine.slice(0, 16)}; returned to the queue`);
      const s = this.served.get(entry.queue);
      if (!this.left.has(entry.queue)) {
        this.left.add(entry.queue);
        this.judged.add(entry.queue);
        // Paused first, so the job given back is not fetched here again before the worker has closed.
        await s?.worker.pause(true);
        setImmediate(() => void s?.worker.close());
      }
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const started = performance.now();
    if (this.lastEnd !== null) {
      this.idleMs += started - this.lastEnd;
      this.idleCount++;
    }
    this.log(`job ${id}: ${describeRun(run)}`);
    try {
      const child = await this.childFor(dir);
      let row: SweepRow | undefined;
      await child.runGroup(run, (r) => { row = r; });
      if (!row) throw new Error('the run ended without a row');
      this.finishedJobs++;
      this.lastEnd = performance.now();
      this.log(`job ${id}: done in ${((performance.now() - started) / 1000).toFixed(1)} s, ${row.psnr.toFixed(1)} dB`);
      return sweepRowToJson(row);
    } catch (err) {
      if (this.returning) {
        await job.moveToWait(token);
        this.log(`job ${id}: returned to the queue`);
        throw new WaitingError();
      }
      this.log(`job ${id} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }

  // One run process at a time, for the model of the latest job; started when a queue is first served, and again when
  // the number of queue workers on this machine changed its share of the cores (threads are fixed when sessions are built).
  private async childFor(dir: string): Promise<SweepChild> {
    const workers = this.share.workers();
    const threads = threadsPerProcess(workers);
    if (this.child && this.child.dir === dir && this.child.child.alive && this.child.child.threads === threads) {
      await this.child.ready;
      return this.child.child;
    }
    await this.child?.child.stop();
    const child = new SweepChild(dir, this.o.backend, 4, threads);
    const ready = child.start();
    this.child = { dir, child, ready };
    const backend = await ready;
    this.log(`run process ready for ${dir} on backend ${backend}, ${threads} thread(s) (${workers} queue worker(s) share this machine's cores)`);
    return child;
  }

  private async shutdown(): Promise<void> {
    if (this.discovery) clearInterval(this.discovery);
    await Promise.all([...this.served.values()].map((s) => s.worker.close()));
    await this.child?.child.stop();
    this.share.leave();
    if (this.redis) {
      for (const queue of this.refusals.keys()) await this.redis.hdel(refusalsKeyOf(queue), this.o.name).catch(() => 0);
    }
    for (const c of this.connections) c.disconnect();
    const idle = this.idleCount > 0 ? `; ${(this.idleMs / this.idleCount).toFixed(1)} ms on average from one job's end to the next one's start` : '';
    this.log(`stopped after ${this.finishedJobs} job(s)${idle}`);
  }
}
