// Benchmark: one sweep on the built-in stdit-tiny, delivered four ways in one run (local worker pool with 1 and 2
// processes, Redis queue with 1 and 2 `teacache worker`s), and BullMQ's own cost per job with a processor that
// does nothing. Starts Debian's redis-server on a free loopback port. Run: pnpm --filter @teacache/queue bench
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { validatePolicySpec, type PolicySpec } from '@teacache/cache';
import { runSweep } from '@teacache/trace';
import { KEY_PREFIX } from '../src/jobs.js';
import { startRedisServer } from '../src/redis-server.js';
import { runQueuedSweep } from '../src/submit.js';
import { startCli, type CliProcess } from '../src/test-processes.js';

const MODEL = 'stdit-tiny';
const modelDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'datasets', 'models', MODEL);
const specs: PolicySpec[] = [
  validatePolicySpec({ policy: 'none' }),
  ...[0.05, 0.1, 0.2].map((threshold) => validatePolicySpec({ policy: 'teacache', threshold })),
  validatePolicySpec({ policy: 'interval', interval: 2 }),
  validatePolicySpec({ policy: 'first-block', threshold: 0.05 }),
];
const prompts = ['a red heart pulses', 'a yellow star spins'];
const seeds = [0, 1];
const steps = 10;
const runs = specs.length * prompts.length * seeds.length;

const work = mkdtempSync(join(tmpdir(), 'teacache-queue-bench-'));
const redis = await startRedisServer();
const quiet = () => {};
const base = (name: string) => ({ modelDir, modelName: MODEL, prompts, seeds, steps, guidance: 4, specs, backend: 'wasm', out: join(work, `${name}.jsonl`), log: quiet });
const results: { way: string; seconds: number }[] = [];
let idle = '';
const time = async (way: string, f: () => Promise<unknown>) => {
  const t = performance.now();
  await f();
  results.push({ way, seconds: (performance.now() - t) / 1000 });
  process.stderr.write(`${way}: ${results.at(-1)!.seconds.toFixed(1)} s\n`);
};

try {
  await time('local, 1 process', () => runSweep({ ...base('local1'), workers: 1 }));
  await time('local, 2 processes', () => runSweep({ ...base('local2'), workers: 2 }));
  for (const count of [1, 2]) {
    // Fresh workers each time, already connected: their run processes start (and warm up) when they see the
    // sweep, as the local pool's do when it starts. Guidance differs per pass so no run is already done.
    const workers: CliProcess[] = Array.from({ length: count }, () => startCli(['worker', '--queue', redis.url, '--model', MODEL, '--discover-seconds', '0.2']));
    await Promise.all(workers.map((w) => w.waitFor(/connected to/)));
    await time(`queue, ${count} worker${count > 1 ? 's' : ''}`, () => runQueuedSweep({ ...base(`queue${count}`), guidance: 4 + count / 10, queue: redis.url }));
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    if (count === 1) idle = /stopped after \d+ job\(s\); ([\d.]+) ms/.exec(workers[0].output())?.[1] ?? 'n/a';
  }
  const overhead = await noopJobCost(redis.url);
  const local1 = results[0].seconds;
  const queue1 = results[2].seconds;
  process.stdout.write(`\nsweep of ${MODEL}: ${runs} runs (${specs.length} settings x ${prompts.length} prompts x ${seeds.length} seeds), ${steps} steps, wasm\n\n`);
  process.stdout.write('| delivery | wall s | runs/s | vs local, 1 process |\n| --- | --- | --- | --- |\n');
  for (const r of results) process.stdout.write(`| ${r.way} | ${r.seconds.toFixed(1)} | ${(runs / r.seconds).toFixed(2)} | ${(local1 / r.seconds).toFixed(2)}x |\n`);
  process.stdout.write(`\nqueue cost per run, 1 worker against 1 local process: ${(((queue1 - local1) * 1000) / runs).toFixed(0)} ms ` +
    '(includes the worker\'s run process start and its per-run IPC; the local pool pays its start too)\n');
  process.stdout.write(`queue cost per run inside the worker (from one run's end to the next one's start: complete, fetch, hand over), 1 worker: ${idle} ms\n`);
  process.stdout.write(`BullMQ round trip of a job that does nothing, one at a time (add, take, complete, completed event): ${overhead.latencyMs.toFixed(2)} ms\n`);
  process.stdout.write(`BullMQ throughput of jobs that do nothing, 1 worker: ${overhead.perJobMs.toFixed(2)} ms per job\n`);
} finally {
  await redis.stop();
  rmSync(work, { recursive: true, force: true });
}

/** BullMQ's own cost: jobs with a no-op processor, one at a time (latency) and 500 queued at once (throughput). */
async function noopJobCost(url: string): Promise<{ latencyMs: number; perJobMs: number }> {
  const conns = [0, 1, 2].map(() => new Redis(url, { maxRetriesPerRequest: null }));
  const queue = new Queue('bench-noop', { connection: conns[0], prefix: KEY_PREFIX });
  const events = new QueueEvents('bench-noop', { connection: conns[1], prefix: KEY_PREFIX });
  const worker = new Worker('bench-noop', async () => 'ok', { connection: conns[2], prefix: KEY_PREFIX, concurrency: 1 });
  await events.waitUntilReady();
  await worker.waitUntilReady();
  try {
    const n = 100;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const job = await queue.add('noop', { i }, { removeOnComplete: true });
      await job.waitUntilFinished(events);
    }
    const latencyMs = (performance.now() - t0) / n;
    const m = 500;
    const done = new Promise<void>((resolve) => {
      let k = 0;
      worker.on('completed', () => { if (++k === m) resolve(); });
    });
    const t1 = performance.now();
    await queue.addBulk(Array.from({ length: m }, (_, i) => ({ name: 'noop', data: { i }, opts: { removeOnComplete: true } })));
    await done;
    return { latencyMs, perJobMs: (performance.now() - t1) / m };
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
    conns.forEach((c) => c.disconnect());
  }
}

