import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A redis-server started for tests and benchmarks, on a free loopback port, keeping nothing on disk. */
export interface LocalRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Whether Debian's redis-server is on PATH (setup.sh installs it). */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Start redis-server on 127.0.0.1 with no persistence (--save '' --appendonly no); with `password`, clients must
 * authenticate. Fails saying so when redis-server is not installed.
 */
export async function startRedisServer(options: { password?: string } = {}): Promise<LocalRedis> {
  if (!hasRedisServer()) throw new Error('redis-server is not installed: the queue tests need Debian\'s redis-server (scripts/setup.sh installs it)');
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
  if (options.password) args.push('--requirepass', options.password);
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/Ready to accept connections/.test(output)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited (code ${code}) before it was ready:\n${output}`)));
    setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000).unref();
  });
  child.stdout!.resume();
  child.stderr!.resume();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}/0`, port,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
