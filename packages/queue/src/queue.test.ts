// Sweeps through a real redis-server (Debian's, started here on a free loopback port and stopped at the end)
// and real `teacache worker` processes, checked against the local sweep of the same runs.
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { readSweepRows, sweepRowKey, type SweepRow } from '@teacache/core';
import { validatePolicySpec, workerSpec, type PolicySpec } from '@teacache/cache';
import { saveModel, selectBackend, sha256OfFile, DiffusionTransformer, type ModelConfig } from '@teacache/models';
import { runSweep } from '@teacache/trace';
import { jobIdOf, KEY_PREFIX, queueNameOf, runsOf } from './jobs.js';
import { startRedisServer, type LocalRedis } from './redis-server.js';
import { runQueuedSweep, type QueuedSweepOptions } from './submit.js';
import { count, startCli, type CliProcess } from './test-processes.js';

const config: ModelConfig = {
  family: 'osp', hiddenSize: 32, depth: 2, heads: 2, mlpRatio: 2, patchSize: 4, frames: 2, height: 12, width: 12,
  channels: 3, textWidth: 16, textLayers: 1, textHeads: 2, textLength: 4, vocabulary: ['<pad>', '<unk>', 'cat', 'dog'],
  prediction: 'epsilon', timestepFrequencies: 32,
};
const PASSWORD = 'tc-secret-7319';
const specs: PolicySpec[] = [
  validatePolicySpec({ policy: 'teacache', threshold: 0.2 }),
  validatePolicySpec({ policy: 'interval', interval: 2 }),
  validatePolicySpec({ policy: 'first-block', threshold: 0.1 }),
];
let dir: string;
let redis: LocalRedis;
const started: CliProcess[] = [];
const logs: string[] = [];
let right: CliProcess | undefined;

const modelDir = () => join(dir, 'a', 'tiny');
const otherDir = () => join(dir, 'other', 'tiny');
const base = (out: string): QueuedSweepOptions => ({
  modelDir: modelDir(), modelName: 'tiny', prompts: ['cat', 'dog'], seeds: [0, 1], steps: 6, guidance: 3, specs,
  out: join(dir, out), queue: redis.url, log: (l) => logs.push(l),
});

/**
 * A `teacache worker` that looks for dead workers' jobs every second. `lockSeconds` short (for a worker the test
 * kills) brings its job back within seconds; the default keeps a worker slowed by a busy machine from losing its own.
 */
function startWorker(model: string, { viaEnv = false, lockSeconds = 30 } = {}): CliProcess {
  const args = ['worker', '--model', model, '--lock-seconds', String(lockSeconds), '--stalled-seconds', '1', '--discover-seconds', '0.5'];
  const p = viaEnv ? startCli([...args, '--queue', ''], { TEACACHE_REDIS_URL: redis.url }) : startCli([...args, '--queue', redis.url]);
  started.push(p);
  return p;
}

function makeModel(path: string, seed: number): void {
  const m = new DiffusionTransformer(config, { seed, zeroInit: false });
  saveModel(path, m, { dtype: 'F32' });
  m.dispose();
}

/** What must not differ between deliveries of a run: everything but timings, backend and creation time. */
function essentials(rows: readonly SweepRow[]) {
  return rows.map((r) => ({
    key: sweepRowKey(r), schedule: r.schedule, psnr: r.psnr, ssim: r.ssim, mse: r.mse, computed: r.computedSteps, weightsHash: r.weightsHash,
  })).sort((a, b) => a.key.localeCompare(b.key));
}

async function stopGracefully(p: CliProcess): Promise<void> {
  p.child.kill('SIGTERM');
  expect(await p.exited).toBe(0);
}

beforeAll(async () => {
  redis = await startRedisServer({ password: PASSWORD });
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'teacache-queue-'));
  makeModel(modelDir(), 2);
  makeModel(otherDir(), 5);
});

afterAll(async () => {
  for (const p of started) p.signalGroup('SIGKILL');
  await Promise.all(started.map((p) => p.exited));
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  // The password is in the URL the processes were given; none of them may print it.
  for (const text of [...logs, ...started.map((p) => p.output())]) expect(text).not.toContain(PASSWORD);
});

test('a sweep over two workers gives the rows of the local sweep: same schedules, PSNR, SSIM and MSE', async () => {
  const local = join(dir, 'local.jsonl');
  await runSweep({ ...base('local.jsonl'), out: local, workers: 0 });
  const workers = [startWorker(modelDir()), startWorker(modelDir(), { viaEnv: true })];
  await Promise.all(workers.map((w) => w.waitFor(/connected to redis:\/\/:\*\*\*@127\.0\.0\.1/)));
  const r = await runQueuedSweep(base('two.jsonl'));
  expect(r).toMatchObject({ newRows: 12, skippedRows: 0, outstanding: 0, missing: [], detached: false });
  const rows = readSweepRows(join(dir, 'two.jsonl'));
  expect(rows.length).toBe(12);
  expect(essentials(rows)).toEqual(essentials(readSweepRows(local)));
  const done = workers.map((w) => count(w.output(), /: done in /g));
  expect(done[0] + done[1]).toBe(12);
  expect(Math.min(...done)).toBeGreaterThanOrEqual(1);
  await Promise.all(workers.map(stopGracefully));
  // Submitting again, with no worker left, adds no row and queues nothing.
  const said: string[] = [];
  const again = await runQueuedSweep({ ...base('two.jsonl'), log: (l) => { said.push(l); logs.push(l); } });
  expect(again).toMatchObject({ newRows: 0, skippedRows: 12, outstanding: 0, missing: [] });
  expect(said.join('\n')).toMatch(/0 run\(s\) to gather: 0 queued now/);
  expect(readSweepRows(join(dir, 'two.jsonl')).length).toBe(12);
});

/** Wait until a sweep file holds at least `n` complete rows. */
async function rowsInFile(path: string, n: number, timeoutMs = 60_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;
    if (lines >= n) return lines;
    if (Date.now() > until) throw new Error(`${path} has ${lines} row(s), not ${n}, after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Freeze a worker (and its run process) at a moment it holds a job whose run has not finished; returns that job's id. */
async function freezeMidRun(w: CliProcess, q: Queue): Promise<string> {
  for (let tries = 0; tries < 300; tries++) {
    w.signalGroup('SIGSTOP');
    await new Promise((r) => setTimeout(r, 30));
    const active = await q.getActive();
    // A job whose run has finished but whose row has not reached Redis yet is not mid-run: try again.
    if (active.length === 1 && !w.output().includes(`job ${active[0].id}: done`)) return active[0].id!;
    w.signalGroup('SIGCONT');
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never caught the worker in the middle of a run; output:\n${w.output()}`);
}

test('a worker killed mid-job and a submitter killed mid-sweep, then a rerun, give every row exactly once', async () => {
  const out = join(dir, 'killed.jsonl');
  writeFileSync(join(dir, 'prompts.txt'), 'cat\ndog\n');
  // The CLI adds the uncached run to these three settings: 4 x 2 prompts x 2 seeds. More steps than elsewhere,
  // so that a run lasts long enough to be caught in the middle.
  const args = ['sweep', '--model', modelDir(), '--prompts', join(dir, 'prompts.txt'), '--seeds', '0,1', '--steps', '20', '--guidance', '3',
    '--policies', 'teacache,interval,first-block', '--thresholds', 'teacache=0.2', 'first-block=0.1', '--intervals', '2',
    '--retention', '1', '--coefficients', join(import.meta.dirname, '..', '..', '..', 'datasets', 'coefficients', 'stdit-tiny.json'),
    '--out', out, '--queue', redis.url];
  const submitter = startCli(args);
  started.push(submitter);
  await submitter.waitFor(/16 run\(s\) to gather: 16 queued now/);
  const a = startWorker(modelDir(), { lockSeconds: 2 });
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const q = new Queue(queueNameOf('tiny', sha256OfFile(join(modelDir(), 'weights.safetensors'))), { connection, prefix: KEY_PREFIX });
  try {
    // Once worker A has finished three runs, freeze it (and its run process) while it holds a job, then kill it.
    await a.waitFor(/(?:: done in [^]*){3}/);
    const killedId = await freezeMidRun(a, q);
    a.signalGroup('SIGKILL');
    await a.exited;
    expect(a.output()).not.toContain(`job ${killedId}: done`);
    // The submitter has gathered some rows; killed now, it leaves the rest outstanding.
    await rowsInFile(out, 2);
    submitter.signalGroup('SIGKILL');
    await submitter.exited;
    const before = readSweepRows(out).length;
    expect(before).toBeLessThan(16);
    // Worker B takes the queued runs and, once A's lock has expired, the run A was killed in.
    const b = startWorker(modelDir());
    await b.waitFor(new RegExp(`job ${killedId}: done in`), 90_000);
    expect(b.output()).toMatch(/serving sweep\.tiny\./);
    const rerun = startCli(args);
    started.push(rerun);
    expect(await rerun.exited).toBe(0);
    expect(rerun.output()).toMatch(/0 queued now/);
    const rows = readSweepRows(out);
    expect(rows.length).toBe(16);
    expect(new Set(rows.map(sweepRowKey)).size).toBe(16);
    const killed = await q.getJob(killedId);
    expect(await killed!.getState()).toBe('completed');
    expect(killed!.stalledCounter).toBeGreaterThanOrEqual(1);
    await stopGracefully(b);
  } finally {
    await q.close();
    connection.disconnect();
  }
});

test('a worker whose weights differ refuses the jobs; they wait, detached, for one with the right weights and are gathered on attach', async () => {
  const other = startWorker(otherDir());
  // Guidance 2: runs no earlier test queued.
  const o = { ...base('attached.jsonl'), guidance: 2 };
  const submitted = await runQueuedSweep({ ...o, detach: true });
  expect(submitted).toMatchObject({ newRows: 0, outstanding: 12, detached: true });
  await other.waitFor(/refusing sweeps of tiny with weights [0-9a-f]{16}: this machine's weights .* are [0-9a-f]{16}/);
  await new Promise((r) => setTimeout(r, 1500));
  expect(other.output()).not.toMatch(/job run-/);
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const q = new Queue(submitted.queue, { connection, prefix: KEY_PREFIX });
  try {
    const states = await Promise.all(runsOf([{ ...o, specs: o.specs.map(workerSpec), model: 'tiny', prompt: 'cat', seed: 0, weightsHash: sha256OfFile(join(modelDir(), 'weights.safetensors')) }])
      .map((run) => q.getJobState(jobIdOf(run))));
    expect(states).toEqual(['waiting', 'waiting', 'waiting']);
  } finally {
    await q.close();
    connection.disconnect();
  }
  // Attached with no worker able to take the jobs, the submitter says so and names the one refusing them.
  const said: string[] = [];
  const attached = runQueuedSweep({ ...o, attach: true, idleHintSeconds: 1, log: (l) => { said.push(l); logs.push(l); } });
  for (let i = 0; i < 100 && !said.some((l) => /no worker takes jobs/.test(l)); i++) await new Promise((r) => setTimeout(r, 100));
  expect(said.join('\n')).toMatch(/no worker takes jobs from sweep\.tiny\.[0-9a-f]{16}; .*refusing them for other weights: \S+ \(weights [0-9a-f]{16}\)/);
  right = startWorker(modelDir());
  const r = await attached;
  expect(r).toMatchObject({ newRows: 12, outstanding: 0, missing: [] });
  expect(new Set(readSweepRows(join(dir, 'attached.jsonl')).map(sweepRowKey)).size).toBe(12);
  await stopGracefully(other);
});

test('a run that fails on every attempt is marked failed with its error, and the summary names the missing row', async () => {
  const bad = { policy: 'interval', interval: -1 } as unknown as PolicySpec;
  try {
    const r = await runQueuedSweep({ ...base('failing.jsonl'), prompts: ['cat'], seeds: [0], specs: [specs[1], bad], attempts: 2 });
    expect(r.newRows).toBe(1);
    expect(r.missing).toHaveLength(1);
    expect(r.missing[0].run).toBe('interval -1, prompt "cat", seed 0');
    expect(r.missing[0].reason).toMatch(/failed after 2 attempt\(s\): .*interval/);
    expect(logs.some((l) => /^missing: interval -1, prompt "cat", seed 0: failed after 2 attempt/.test(l))).toBe(true);
  } finally {
    await stopGracefully(right!);
  }
});

test('a wrong password is refused with a message that names the server but not the password', async () => {
  const wrong = redis.url.replace(PASSWORD, 'wrong-pass-4411');
  const err = await runQueuedSweep({ ...base('refused.jsonl'), queue: wrong }).catch((e: Error) => e);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(/cannot use Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0: .*(WRONGPASS|invalid)/i);
  expect((err as Error).message).not.toContain('wrong-pass-4411');
});

test('SIGTERM lets a worker finish the run it holds and stop; a second SIGTERM returns the run to the queue at once', async () => {
  const o = { ...base('terminated.jsonl'), steps: 20, guidance: 2.5, prompts: ['cat'], seeds: [0] };
  const submitted = await runQueuedSweep({ ...o, detach: true });
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const q = new Queue(submitted.queue, { connection, prefix: KEY_PREFIX });
  try {
    const first = startWorker(modelDir());
    await first.waitFor(/job run-\w+: (?!done)/);
    const finishing = await freezeMidRun(first, q);
    first.child.kill('SIGTERM');
    first.signalGroup('SIGCONT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain(`job ${finishing}: done in`);
    expect(first.output()).toMatch(/stopped after \d+ job\(s\)/);
    expect(await q.getJobState(finishing)).toBe('completed');

    const second = startWorker(modelDir());
    await second.waitFor(/job run-\w+: (?!done)/);
    const returned = await freezeMidRun(second, q);
    // One at a time: a signal sent while the same one is pending is merged with it.
    second.child.kill('SIGTERM');
    second.signalGroup('SIGCONT');
    await second.waitFor(/SIGTERM: finishing the current job/);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain(`job ${returned}: returned to the queue`);
    expect(second.output()).not.toContain(`job ${returned}: done`);
    expect(await q.getJobState(returned)).toBe('waiting');
    const job = await q.getJob(returned);
    expect(job!.attemptsMade).toBe(0);
  } finally {
    await q.close();
    connection.disconnect();
  }
});

test('a worker whose weights change under it refuses the next job, which goes back to the queue untried, and leaves that queue', async () => {
  const mutable = join(dir, 'mutable', 'tiny');
  cpSync(modelDir(), mutable, { recursive: true });
  const w = startWorker(mutable);
  // A first sweep, run: the worker now serves the queue of these weights.
  const first = await runQueuedSweep({ ...base('before-change.jsonl'), guidance: 2.6, prompts: ['cat'], seeds: [0], specs: [specs[1]] });
  expect(first.newRows).toBe(1);
  copyFileSync(join(otherDir(), 'weights.safetensors'), join(mutable, 'weights.safetensors'));
  const second = await runQueuedSweep({ ...base('after-change.jsonl'), guidance: 2.7, prompts: ['cat'], seeds: [0], specs: [specs[1]], detach: true });
  const [, id] = (await w.waitFor(/refusing job (run-\w+): it names weights [0-9a-f]{16}, .* now has [0-9a-f]{16}; returned to the queue/))!;
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const q = new Queue(second.queue, { connection, prefix: KEY_PREFIX });
  try {
    // The line is written as the job is being moved back.
    let state = await q.getJobState(id);
    for (let i = 0; i < 50 && state === 'active'; i++) state = await new Promise((r) => setTimeout(r, 100)).then(() => q.getJobState(id));
    expect(state).toBe('waiting');
    const job = await q.getJob(id);
    expect(job!.attemptsMade).toBe(0);
    // It left the queue: the job is not taken again.
    await new Promise((r) => setTimeout(r, 2500));
    expect(count(w.output(), new RegExp(`job ${id}`, 'g'))).toBe(1);
    expect(await q.getJobState(id)).toBe('waiting');
  } finally {
    await q.close();
    connection.disconnect();
  }
  await stopGracefully(w);
});
