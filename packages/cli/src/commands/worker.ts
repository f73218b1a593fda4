import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { backendRequestFrom, BUILTIN_MODELS, WEIGHTS_FILE } from '@teacache/models';
import { QueueWorker } from '@teacache/queue';
import { builtinModelDir } from './model-source.js';
import { redisUrlFrom } from './queue-url.js';
import { COMMAND_SUMMARIES } from './summaries.js';

interface WorkerArgs {
  queue?: string; model?: string[]; backend?: string; 'lock-seconds': number; 'stalled-seconds': number; 'max-stalled': number; 'discover-seconds': number;
}

/** Model directories by the name sweeps record: the --model directories, then the built-in models with weights. */
export function modelResolver(models: readonly string[]): (name: string) => string | undefined {
  const byName = new Map<string, string>();
  for (const m of models) {
    const dir = existsSync(join(m, 'config.json')) ? resolve(m) : builtinModelDir(m);
    if (!existsSync(join(dir, WEIGHTS_FILE))) throw new Error(`--model ${m}: no ${WEIGHTS_FILE} in ${dir}`);
    byName.set(existsSync(join(m, 'config.json')) ? resolve(m).split('/').pop()! : m, dir);
  }
  return (name) => byName.get(name) ?? (models.length === 0 && BUILTIN_MODELS.some((b) => b.name === name) &&
    existsSync(join(builtinModelDir(name), WEIGHTS_FILE)) ? builtinModelDir(name) : undefined);
}

/** `teacache worker`: run sweep jobs from a Redis queue until SIGTERM (on any number of machines). */
export const workerCommand: CommandModule<object, WorkerArgs> = {
  ...COMMAND_SUMMARIES.worker,
  builder: (y) => y
    .option('queue', { type: 'string', describe: 'Redis URL redis://[:PASSWORD@]HOST[:PORT][/DB] (default: env TEACACHE_REDIS_URL)' })
    .option('model', { type: 'string', array: true, describe: 'serve only these models: built-in names or model directories (default: every built-in model with weights here)' })
    .option('lock-seconds', { type: 'number', default: 30, describe: 'a job whose worker stops renewing its lock this long is given to another worker' })
    .option('stalled-seconds', { type: 'number', default: 30, describe: 'how often to look for jobs of dead workers' })
    .option('max-stalled', { type: 'number', default: 1, describe: 'times a job may be taken back from a dead worker before it is marked failed' })
    .option('discover-seconds', { type: 'number', default: 5, describe: 'how often to look for newly submitted sweeps' }),
  handler: async (argv) => {
    const url = redisUrlFrom(argv.queue);
    const worker = new QueueWorker({
      queue: url, resolveModel: modelResolver(argv.model ?? []),
      backend: backendRequestFrom(argv.backend),
      lockMs: argv['lock-seconds'] * 1000, stalledMs: argv['stalled-seconds'] * 1000, maxStalled: argv['max-stalled'],
      discoverMs: argv['discover-seconds'] * 1000,
    });
    let terms = 0;
    process.on('SIGTERM', () => {
      terms++;
      if (terms === 1) {
        process.stderr.write('SIGTERM: finishing the current job, then stopping (SIGTERM again returns it to the queue now)\n');
        void worker.finish().then(() => process.exit(0));
      } else void worker.returnJob().then(() => process.exit(0));
    });
    process.on('SIGINT', () => {
      process.stderr.write('SIGINT: returning the current job to the queue and stopping\n');
      void worker.returnJob().then(() => process.exit(0));
    });
    await worker.start();
    await new Promise(() => {});
  },
};
