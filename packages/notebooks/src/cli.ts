// Command line of scripts/run-notebooks.sh: execute notebooks on the teacache kernel, or register the kernel.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { relative, resolve } from 'node:path';
import {
  checkNotebookTools, installUserKernel, listNotebooks, NOTEBOOKS_DIR, NotebookFailedError, REPO_ROOT, runNotebook, writeCommittedNotebook,
} from './index.js';

const USAGE = `usage: scripts/run-notebooks.sh [--out DIR] [NOTEBOOK.ipynb ...]   execute notebooks (default: every notebook in notebooks/)
       scripts/run-notebooks.sh --write [NOTEBOOK.ipynb ...]         execute them and replace the committed files with the executed copies
       scripts/run-notebooks.sh --install-kernel                      register the kernel for Jupyter started anywhere`;

async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  if (args.includes('--install-kernel')) {
    console.log(installUserKernel());
    return 0;
  }
  let outDir: string | undefined;
  let write = false;
  const notebooks: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--write') write = true;
    else if (args[i] === '--out') {
      outDir = args[++i];
      if (!outDir) throw new Error(`--out needs a folder\n${USAGE}`);
    } else if (args[i].startsWith('-')) {
      throw new Error(`unknown option ${args[i]}\n${USAGE}`);
    } else notebooks.push(resolve(args[i]));
  }
  const tools = checkNotebookTools();
  const out = resolve(outDir ?? mkdtempSync(resolve(tmpdir(), 'teacache-notebooks-')));
  const todo = notebooks.length > 0 ? notebooks : listNotebooks(NOTEBOOKS_DIR);
  console.log(`nbconvert ${tools.nbconvert}, tslab ${tools.tslab}; executed copies go to ${out}`);
  let failed = 0;
  for (const notebook of todo) {
    const name = relative(REPO_ROOT, notebook);
    try {
      const run = await runNotebook(notebook, { outDir: out });
      console.log(`ok    ${name} (${run.seconds.toFixed(0)} s) -> ${run.output}`);
      if (write) console.log(`wrote ${name} with its outputs (${Math.round(writeCommittedNotebook(run.output, notebook) / 1000)} KB)`);
    } catch (err) {
      failed++;
      console.log(`FAIL  ${name}\n${err instanceof NotebookFailedError ? err.reason : (err as Error).message}\n`);
    }
  }
  console.log(`${todo.length - failed} passed, ${failed} failed` + (write ? `; ${todo.length - failed} committed notebook(s) rewritten` : ''));
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: Error) => {
  console.error(err.message);
  process.exit(1);
});
