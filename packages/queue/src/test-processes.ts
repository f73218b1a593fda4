// Test support: teacache CLI processes (workers, submitters) in their own process groups, so a test can
// SIGSTOP or SIGKILL one with everything it started, as when a machine dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'src', 'bin.ts');

export interface CliProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolve when the output matches (or reject after `timeoutMs`, quoting the output). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Send a signal to the process and everything it started. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Resolve with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Start `teacache <args>` on the wasm backend. */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TEACACHE_BACKEND: 'wasm', ...env },
  });
  let text = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const onData = (d: Buffer) => {
    text += d.toString();
    for (const w of [...waiters]) {
      const m = text.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child, exited, output: () => text,
    waitFor: (pattern, timeoutMs = 60_000) => new Promise((resolve, reject) => {
      const m = text.match(pattern);
      if (m) return resolve(m);
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs / 1000} s; output:\n${text}`)), timeoutMs);
      waiters.push({ pattern, resolve: (x) => { clearTimeout(timer); resolve(x); } });
      void exited.then((code) => setTimeout(() => {
        if (waiters.some((w) => w.pattern === pattern)) {
          clearTimeout(timer);
          reject(new Error(`process ended (${code}) before ${pattern}; output:\n${text}`));
        }
      }, 50));
    }),
    signalGroup: (signal) => {
      try {
        process.kill(-child.pid!, signal);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    },
  };
}

/** Count the matches of a pattern (with the g flag) in a text. */
export function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}
