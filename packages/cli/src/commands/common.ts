import {
  selectBackend, describeBackend, backendRequestFrom, describeEngine, engineRequestFrom, selectEngine, threadsPerProcess,
  type BackendChoice, type EngineChoice,
} from '@teacache/models';

/** Start the backend named by --backend or TEACACHE_BACKEND and say which one runs. */
export async function startBackend(argv: { backend?: string }): Promise<BackendChoice> {
  const choice = await selectBackend(backendRequestFrom(argv.backend ?? process.env.TEACACHE_BACKEND));
  process.stderr.write(describeBackend(choice) + '\n');
  return choice;
}

/** Choose the engine named by --engine or TEACACHE_ENGINE (threads: all cores of this process) and say which runs. */
export function startEngine(argv: { engine?: string }): EngineChoice {
  const choice = selectEngine(engineRequestFrom(argv.engine ?? process.env.TEACACHE_ENGINE), threadsPerProcess(1));
  process.stderr.write(describeEngine(choice) + '\n');
  return choice;
}

/** Print the files a command wrote, one per line. */
export function printWritten(paths: readonly string[]): void {
  process.stdout.write(`wrote ${paths.length} file${paths.length === 1 ? '' : 's'}:\n`);
  for (const p of paths) process.stdout.write(`  ${p}\n`);
}
