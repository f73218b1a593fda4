import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kernel every notebook names in its metadata and the runner asks nbconvert for. */
export const KERNEL_NAME = 'teacache-typescript';

/** This package's folder (packages/notebooks). */
export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The repository root, where notebooks/ and datasets/ live. */
export const REPO_ROOT = resolve(PACKAGE_DIR, '..', '..');

/** The notebooks the runner executes. */
export const NOTEBOOKS_DIR = join(REPO_ROOT, 'notebooks');

/**
 * A Jupyter data folder holding `kernels/teacache-typescript/` (kernel.json and its launcher), used in place:
 * putting it on JUPYTER_PATH makes the kernel known without registering anything.
 */
export const JUPYTER_DATA_DIR = join(PACKAGE_DIR, 'jupyter');

/** The launcher the kernel spec runs (tslab with the workspace packages made importable). */
export const KERNEL_LAUNCHER = join(JUPYTER_DATA_DIR, 'kernels', KERNEL_NAME, 'start-kernel.mjs');

/** The environment with this package's Jupyter data folder first on JUPYTER_PATH. */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = [JUPYTER_DATA_DIR, base.JUPYTER_PATH].filter((p) => p !== undefined && p !== '').join(delimiter);
  // pydevd (ipykernel's debugger) warns about frozen modules on every jupyter command; the warning is noise here.
  return { PYDEVD_DISABLE_FILE_VALIDATION: '1', ...base, JUPYTER_PATH: path };
}

/** The jupyter command: TEACACHE_JUPYTER when set (a path), else `jupyter` from PATH. */
export function jupyterCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEACACHE_JUPYTER || 'jupyter';
}
