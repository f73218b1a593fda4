import { runQueuedSweep, type QueuedSweepResult } from '@teacache/queue';
import type { SweepOptions } from '@teacache/trace';
import { redisUrlFrom } from './queue-url.js';

/** The sweep command's options for delivering runs through a Redis queue. */
export interface QueueArgs { queue?: string; attach?: boolean; detach?: boolean; attempts: number }

export const queueOptions = {
  queue: { type: 'string', describe: 'run on workers anywhere through this Redis (redis://[:PASSWORD@]HOST[:PORT][/DB]; empty: env TEACACHE_REDIS_URL); start them with teacache worker' },
  attach: { type: 'boolean', describe: 'with --queue: gather the rows of runs queued before (same arguments), queue nothing' },
  detach: { type: 'boolean', describe: 'with --queue: queue the runs and return at once' },
  attempts: { type: 'number', default: 3, describe: 'with --queue: tries of a run before it is marked failed' },
} as const;

/**
 * With --queue, a sweep runner that delivers the runs through Redis (SIGINT detaches, leaving them queued), and
 * `done` to call at the end, which sets a failing exit code when runs failed or were never queued (not when detached);
 * without --queue, undefined.
 */
export function queuedRunner(argv: QueueArgs): { run: (o: SweepOptions) => Promise<QueuedSweepResult>; done: () => void } | undefined {
  if (argv.queue === undefined) {
    if (argv.attach || argv.detach) throw new Error('--attach and --detach go with --queue');
    return undefined;
  }
  if (argv.attach && argv.detach) throw new Error('--attach waits for the queued runs and --detach does not: give one of them');
  const queue = redisUrlFrom(argv.queue);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  let missing = 0;
  return {
    run: async (o) => {
      const { workers: _ignored, ...rest } = o;
      const r = await runQueuedSweep({ ...rest, queue, attach: argv.attach, detach: argv.detach, attempts: argv.attempts, signal: controller.signal });
      missing += r.missing.length;
      return r;
    },
    done: () => {
      if (missing > 0) process.exitCode = 1;
    },
  };
}
