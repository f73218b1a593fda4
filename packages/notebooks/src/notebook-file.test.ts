import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@teacache/core';
import { committedNotebookProblems, KERNEL_NAME } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'teacache-notebook-file-test-'));
function notebookFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
const clean = {
  nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: KERNEL_NAME } },
  cells: [{ cell_type: 'markdown', source: 'x' }, { cell_type: 'code', source: '1', outputs: [], execution_count: null }],
};

describe('committedNotebookProblems', () => {
  test('finds nothing wrong with a clean notebook on the teacache kernel', () => {
    expect(committedNotebookProblems(notebookFile('clean.ipynb', clean))).toEqual([]);
  });

  test('names a code cell that still has outputs', () => {
    const nb = { ...clean, cells: [clean.cells[0], { cell_type: 'code', source: '1', outputs: [{ output_type: 'stream' }], execution_count: 3 }] };
    expect(committedNotebookProblems(notebookFile('outputs.ipynb', nb))).toEqual([
      'cell 2 has outputs (clear them before committing)', 'cell 2 has an execution count (clear outputs before committing)',
    ]);
  });

  test('names another kernel', () => {
    const nb = { ...clean, metadata: { kernelspec: { name: 'tslab' } } };
    expect(committedNotebookProblems(notebookFile('tslab.ipynb', nb))).toEqual([`kernelspec.name is "tslab", expected "${KERNEL_NAME}"`]);
  });

  test('refuses a file that is not JSON, naming it', () => {
    const path = notebookFile('broken.ipynb', '{"nbformat": 4,');
    expect(() => committedNotebookProblems(path)).toThrow(FormatError);
    expect(() => committedNotebookProblems(path)).toThrow(path);
  });
});
