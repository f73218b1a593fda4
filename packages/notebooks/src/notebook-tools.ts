import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { JUPYTER_DATA_DIR, KERNEL_LAUNCHER, KERNEL_NAME, PACKAGE_DIR, jupyterCommand, jupyterEnv } from './kernel-spec.js';

/** What to install when a tool is missing: Debian's Jupyter (nbconvert, the kernel machinery) and the workspace. */
export const INSTALL_HINT = 'install Jupyter with: apt-get install -y jupyter-nbconvert jupyter-client ' +
  '(scripts/setup.sh does), and the kernel (tslab, tsx) with: pnpm install';

/** A tool the notebook runner needs is missing or broken; the message says what to install. */
export class NotebookToolsMissingError extends Error {
  constructor(problem: string) {
    super(`cannot run the notebooks: ${problem}; ${INSTALL_HINT}`);
    this.name = 'NotebookToolsMissingError';
  }
}

/** Versions of the tools found. */
export interface NotebookTools {
  nbconvert: string;
  tslab: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): { ok: boolean; out: string; err: string } {
  const r = spawnSync(jupyterCommand(env), args, { env: jupyterEnv(env), encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { ok: false, out: '', err: r.error.message };
  return { ok: r.status === 0, out: r.stdout.trim(), err: r.stderr.trim() };
}

/**
 * Check everything the runner needs, in the order a fresh machine would miss it: jupyter nbconvert, the
 * kernel spec on JUPYTER_PATH, tslab and tsx in node_modules, zeromq's prebuilt native addon.
 * Throws NotebookToolsMissingError naming the first missing piece.
 */
export function checkNotebookTools(env: NodeJS.ProcessEnv = process.env): NotebookTools {
  const nbconvert = run(['nbconvert', '--version'], env);
  if (!nbconvert.ok) throw new NotebookToolsMissingError(`"${jupyterCommand(env)} nbconvert --version" failed (${(nbconvert.err || nbconvert.out).split('\n').pop()})`);
  if (!existsSync(KERNEL_LAUNCHER)) throw new NotebookToolsMissingError(`the kernel launcher ${KERNEL_LAUNCHER} is missing`);
  const specs = run(['kernelspec', 'list', '--json'], env);
  let names: string[] = [];
  try {
    names = Object.keys((JSON.parse(specs.out) as { kernelspecs: Record<string, unknown> }).kernelspecs);
  } catch {
    // reported below with what jupyter printed
  }
  if (!names.includes(KERNEL_NAME)) {
    throw new NotebookToolsMissingError(`jupyter does not list the kernel "${KERNEL_NAME}" with JUPYTER_PATH=${JUPYTER_DATA_DIR} ` +
      `(found: ${names.join(', ') || (specs.err || specs.out).slice(0, 300)})`);
  }
  const require = createRequire(join(PACKAGE_DIR, 'package.json'));
  let tslab: string;
  try {
    tslab = (require('tslab/package.json') as { version: string }).version;
    require.resolve('tsx/esm/api');
  } catch (err) {
    throw new NotebookToolsMissingError(`tslab or tsx is not installed in ${PACKAGE_DIR}/node_modules (${(err as Error).message.split('\n')[0]})`);
  }
  try {
    // tslab talks to Jupyter over ZeroMQ; the npm package ships the native addon prebuilt for linux x64.
    createRequire(require.resolve('tslab/package.json'))('zeromq');
  } catch (err) {
    throw new NotebookToolsMissingError(`zeromq's native addon (used by tslab) does not load: ${(err as Error).message.split('\n')[0]}`);
  }
  return { nbconvert: nbconvert.out.split('\n').pop()!, tslab };
}
