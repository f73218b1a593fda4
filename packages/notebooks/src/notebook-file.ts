import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { FormatError, writeFileAtomic } from '@teacache/core';
import { KERNEL_NAME, REPO_ROOT } from './kernel-spec.js';

/** Largest single output a committed notebook may hold, bytes of its JSON (a chart as a modest PNG fits). */
export const MAX_OUTPUT_BYTES = 300_000;

/** Largest committed notebook, bytes. */
export const MAX_NOTEBOOK_BYTES = 1_000_000;

/** The command that refreshes the committed outputs; problems name it. */
export const REFRESH_COMMAND = 'bash scripts/run-notebooks.sh --write';

interface Output { output_type?: string; ename?: string; evalue?: string }
interface Cell { cell_type?: string; metadata?: Record<string, unknown>; outputs?: Output[]; execution_count?: number | null }
interface NotebookJson { nbformat?: number; metadata?: { kernelspec?: { name?: string } }; cells?: Cell[] }

function parseNotebook(text: string, path: string): NotebookJson {
  try {
    return JSON.parse(text) as NotebookJson;
  } catch (err) {
    throw new FormatError({ file: path }, 'a notebook (JSON)', (err as Error).message);
  }
}

/**
 * What is wrong with a notebook as committed: it must be nbformat 4 on the teacache kernel and carry the
 * outputs of a clean run (so it reads on GitHub without running): every code cell with an output, no
 * error, no output over MAX_OUTPUT_BYTES, no run timings, no path of the machine that ran it.
 * Returns one sentence per problem; empty when the notebook is fine.
 */
export function committedNotebookProblems(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return notebookTextProblems(text, path);
}

/** The problems of committedNotebookProblems, for notebook text (e.g. an executed copy about to be committed). */
export function notebookTextProblems(text: string, path: string): string[] {
  const nb = parseNotebook(text, path);
  const problems: string[] = [];
  if (nb.nbformat !== 4) problems.push(`nbformat is ${nb.nbformat}, expected 4`);
  const kernel = nb.metadata?.kernelspec?.name;
  if (kernel !== KERNEL_NAME) problems.push(`kernelspec.name is ${JSON.stringify(kernel)}, expected "${KERNEL_NAME}"`);
  if (text.length > MAX_NOTEBOOK_BYTES) problems.push(`the notebook is ${kb(text.length)}, more than ${kb(MAX_NOTEBOOK_BYTES)}`);
  // Paths of the machine that ran it make every refresh a diff and mean nothing to a reader elsewhere.
  const machinePaths = [REPO_ROOT, tmpdir()].filter((p) => p.length > 1);
  (nb.cells ?? []).forEach((cell, i) => {
    if (cell.cell_type !== 'code') return;
    const outputs = cell.outputs ?? [];
    if (outputs.length === 0) problems.push(`cell ${i + 1} has no outputs (refresh them with ${REFRESH_COMMAND})`);
    if (cell.metadata?.execution !== undefined) problems.push(`cell ${i + 1} records run timings in its metadata (${REFRESH_COMMAND} leaves them out)`);
    for (const output of outputs) {
      if (output.output_type === 'error') problems.push(`cell ${i + 1} has an error output: ${output.ename}: ${output.evalue}`);
      const json = JSON.stringify(output);
      if (json.length > MAX_OUTPUT_BYTES) problems.push(`cell ${i + 1} has an output of ${kb(json.length)}, more than ${kb(MAX_OUTPUT_BYTES)}`);
      const named = machinePaths.find((p) => json.includes(p));
      if (named) problems.push(`cell ${i + 1} has an output naming ${named}, a folder of the machine that ran it`);
    }
  });
  return problems;
}

function kb(bytes: number): string {
  return `${Math.round(bytes / 1000)} KB`;
}

/** An executed notebook as it is committed: the run timings nbconvert records in each cell's metadata left out. */
export function committableNotebookText(executedText: string, path: string): string {
  const nb = parseNotebook(executedText, path);
  for (const cell of nb.cells ?? []) {
    if (cell.metadata) delete cell.metadata.execution;
  }
  // nbformat's own layout (sorted keys, one-space indent), so that a notebook saved by Jupyter and one written here diff cleanly.
  return JSON.stringify(sortedKeys(nb), null, 1) + '\n';
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]));
}

/**
 * Replace a committed notebook with its executed copy (timings left out), atomically; refuses, writing
 * nothing, when the executed copy breaks a rule of committedNotebookProblems. Returns the bytes written.
 */
export function writeCommittedNotebook(executedPath: string, committedPath: string): number {
  const text = committableNotebookText(readFileSync(executedPath, 'utf8'), executedPath);
  const problems = notebookTextProblems(text, executedPath);
  if (problems.length > 0) throw new Error(`${executedPath}: not written over ${committedPath}:\n  ${problems.join('\n  ')}`);
  writeFileAtomic(committedPath, text);
  return text.length;
}
