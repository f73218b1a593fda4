import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Node options that let a forked worker process run the workspace's TypeScript: tsx's loader named by its file
 * URL, resolved from this package, so a command started from any directory finds it (a bare `--import tsx` is
 * resolved against the caller's working directory).
 */
export function tsxExecArgv(): string[] {
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}
