import {
  selectBackend, describeBackend, backendRequestFrom, describeEngine, engineRequestFrom, selectEngine, threadsPerProcess,
  type BackendChoice, type Compute,
} from '@teacache/models';

/** Start the backend named by --backend or TEACACHE_BACKEND and say which one runs (commands that only train or load). */
export async function startBackend(argv: { backend?: string }): Promise<BackendChoice> {
  const choice = await selectBackend(backendRequestFrom(argv.backend));
  process.stderr.write(describeBackend(choice) + '\n');
  return choice;
}

/**
 * Start the backend and choose the engine named by --engine or TEACACHE_ENGINE (threads: all cores of this
 * process), once per command, and say which run; the command passes the result down.
 */
export async function startCompute(argv: { backend?: string; engine?: string }): Promise<Compute> {
  const backend = await startBackend(argv);
  const engine = selectEngine(engineRequestFrom(argv.engine), threadsPerProcess(1));
  process.stderr.write(describeEngine(engine) + '\n');
  return { backend, engine };
}

/** Print the files a command wrote, one per line. */
export function printWritten(paths: readonly string[]): void {
  process.stdout.write(`wrote ${paths.length} file${paths.length === 1 ? '' : 's'}:\n`);
  for (const p of paths) process.stdout.write(`  ${p}\n`);
}
