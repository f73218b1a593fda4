import { readFileSync } from 'node:fs';
import { FormatError } from '@teacache/core';
import { KERNEL_NAME } from './kernel-spec.js';

interface NotebookJson {
  nbformat?: number;
  metadata?: { kernelspec?: { name?: string } };
  cells?: { cell_type?: string; outputs?: unknown[]; execution_count?: number | null }[];
}

/**
 * What is wrong with a notebook as committed: it must be nbformat 4, name the teacache kernel, and carry
 * no outputs (outputs depend on the weights and the machine; CI writes executed copies elsewhere).
 * Returns one sentence per problem; empty when the notebook is fine.
 */
export function committedNotebookProblems(path: string): string[] {
  let nb: NotebookJson;
  try {
    nb = JSON.parse(readFileSync(path, 'utf8')) as NotebookJson;
  } catch (err) {
    throw new FormatError({ file: path }, 'a notebook (JSON)', (err as Error).message);
  }
  const problems: string[] = [];
  if (nb.nbformat !== 4) problems.push(`nbformat is ${nb.nbformat}, expected 4`);
  const kernel = nb.metadata?.kernelspec?.name;
  if (kernel !== KERNEL_NAME) problems.push(`kernelspec.name is ${JSON.stringify(kernel)}, expected "${KERNEL_NAME}"`);
  (nb.cells ?? []).forEach((cell, i) => {
    if (cell.cell_type !== 'code') return;
    if ((cell.outputs ?? []).length > 0) problems.push(`cell ${i + 1} has outputs (clear them before committing)`);
    if (cell.execution_count != null) problems.push(`cell ${i + 1} has an execution count (clear outputs before committing)`);
  });
  return problems;
}
