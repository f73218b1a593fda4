import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KERNEL_NAME, jupyterCommand, jupyterEnv } from './kernel-spec.js';

/** How to run one notebook. */
export interface RunNotebookOptions {
  /** Folder for the executed copy (same file name as the notebook). */
  outDir: string;
  /** Longest a single cell may run, seconds (nbconvert's ExecutePreprocessor.timeout); default 600. */
  cellTimeoutSeconds?: number;
  /** Extra environment for the kernel (e.g. TEACACHE_DATASETS). */
  env?: NodeJS.ProcessEnv;
}

/** A notebook that ran through. */
export interface NotebookRun {
  notebook: string;
  /** The executed copy, with its outputs. */
  output: string;
  seconds: number;
}

/** A notebook with a failing cell (or a kernel that would not start); the message holds the cell and its error. */
export class NotebookFailedError extends Error {
  constructor(readonly notebook: string, readonly reason: string) {
    super(`notebook ${notebook} failed:\n${reason}`);
    this.name = 'NotebookFailedError';
  }
}

/** The part of nbconvert's error output a reader needs: the failing cell and its error, else the last lines. */
export function failureReason(stderr: string): string {
  const at = stderr.indexOf('An error occurred while executing the following cell');
  if (at >= 0) return stderr.slice(at).trim();
  return stderr.trim().split('\n').slice(-25).join('\n');
}

/** The nbconvert arguments that execute a notebook on the teacache kernel and write the executed copy. */
export function nbconvertArgs(notebook: string, outDir: string, cellTimeoutSeconds = 600): string[] {
  return ['nbconvert', '--to', 'notebook', '--execute', `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
    `--ExecutePreprocessor.timeout=${cellTimeoutSeconds}`, '--output-dir', outDir, notebook];
}

/**
 * Execute every cell of a notebook with jupyter nbconvert on the teacache TypeScript kernel (the kernel
 * starts in the notebook's folder). Resolves when all cells ran; rejects with NotebookFailedError on the
 * first failing cell.
 */
export function runNotebook(notebook: string, options: RunNotebookOptions): Promise<NotebookRun> {
  mkdirSync(options.outDir, { recursive: true });
  const started = performance.now();
  const env = jupyterEnv({ ...process.env, ...options.env });
  return new Promise((resolve, reject) => {
    const child = spawn(jupyterCommand(env), nbconvertArgs(notebook, options.outDir, options.cellTimeoutSeconds), {
      env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', (err) => reject(new NotebookFailedError(notebook, `could not start ${jupyterCommand(env)}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolve({ notebook, output: join(options.outDir, basename(notebook)), seconds: (performance.now() - started) / 1000 });
      } else {
        reject(new NotebookFailedError(notebook, `${failureReason(stderr)}\n(nbconvert exited with ${signal ?? `code ${code}`})`));
      }
    });
  });
}
