import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@teacache/core';
import { committableNotebookText, committedNotebookProblems, KERNEL_NAME, MAX_OUTPUT_BYTES, REPO_ROOT, writeCommittedNotebook } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'teacache-notebook-file-test-'));
function notebookFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
const printed = (text: string) => ({ output_type: 'stream', name: 'stdout', text: [text] });
const codeCell = (outputs: unknown[], metadata: object = {}) => ({ cell_type: 'code', source: '1', metadata, outputs, execution_count: null });
const notebook = (cells: unknown[]) => ({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: KERNEL_NAME } }, cells });
const executed = notebook([{ cell_type: 'markdown', metadata: {}, source: 'x' }, codeCell([printed('relative L1: 1\n')])]);

describe('committedNotebookProblems', () => {
  test('finds nothing wrong with a notebook on the teacache kernel whose code cells all show outputs', () => {
    expect(committedNotebookProblems(notebookFile('executed.ipynb', executed))).toEqual([]);
  });

  test('names a code cell without outputs, and the command that refreshes them', () => {
    const path = notebookFile('cleared.ipynb', notebook([codeCell([printed('a')]), codeCell([])]));
    expect(committedNotebookProblems(path)).toEqual(['cell 2 has no outputs (refresh them with bash scripts/run-notebooks.sh --write)']);
  });

  test('names an error output, an output too large for GitHub to show and run timings', () => {
    const error = { output_type: 'error', ename: 'Error', evalue: 'no traces', traceback: [] };
    const huge = { output_type: 'display_data', metadata: {}, data: { 'image/png': 'A'.repeat(MAX_OUTPUT_BYTES) } };
    const timed = codeCell([printed('a')], { execution: { 'iopub.status.busy': '2026-01-01T00:00:00Z' } });
    const problems = committedNotebookProblems(notebookFile('bad.ipynb', notebook([codeCell([error]), codeCell([huge]), timed])));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe('cell 1 has an error output: Error: no traces');
    expect(problems[1]).toMatch(/^cell 2 has an output of 30\d KB, more than 300 KB$/);
    expect(problems[2]).toMatch(/^cell 3 records run timings/);
  });

  test('names an output that prints a folder of the machine that ran it', () => {
    const path = notebookFile('paths.ipynb', notebook([codeCell([printed(`using ${join(REPO_ROOT, 'datasets')}\n`)]), codeCell([printed(`wrote ${tmpdir()}/x/c.json`)])]));
    expect(committedNotebookProblems(path)).toEqual([
      `cell 1 has an output naming ${REPO_ROOT}, a folder of the machine that ran it`,
      `cell 2 has an output naming ${tmpdir()}, a folder of the machine that ran it`,
    ]);
  });

  test('names another kernel', () => {
    const nb = { ...executed, metadata: { kernelspec: { name: 'tslab' } } };
    expect(committedNotebookProblems(notebookFile('tslab.ipynb', nb))).toEqual([`kernelspec.name is "tslab", expected "${KERNEL_NAME}"`]);
  });

  test('refuses a file that is not JSON, naming it', () => {
    const path = notebookFile('broken.ipynb', '{"nbformat": 4,');
    expect(() => committedNotebookProblems(path)).toThrow(FormatError);
    expect(() => committedNotebookProblems(path)).toThrow(path);
  });
});

describe('writeCommittedNotebook', () => {
  test('writes the executed copy over the committed one without the run timings, in nbformat\'s one-space layout', () => {
    const timed = notebook([codeCell([printed('a')], { execution: { 'iopub.status.busy': '2026-01-01T00:00:00Z' }, tags: ['keep'] })]);
    const from = notebookFile('timed-run.ipynb', timed);
    const to = notebookFile('committed.ipynb', notebook([codeCell([])]));
    writeCommittedNotebook(from, to);
    const written = readFileSync(to, 'utf8');
    expect(JSON.parse(written).cells[0].metadata).toEqual({ tags: ['keep'] });
    expect(written).toBe(committableNotebookText(JSON.stringify(timed), from));
    expect(written.split('\n')[1]).toBe(' "cells": [');
    expect(committedNotebookProblems(to)).toEqual([]);
  });

  test('refuses an executed copy with an error output and leaves the committed notebook as it was', () => {
    const from = notebookFile('failed-run.ipynb', notebook([codeCell([{ output_type: 'error', ename: 'TypeError', evalue: 'x is undefined' }])]));
    const to = notebookFile('kept.ipynb', executed);
    const before = readFileSync(to, 'utf8');
    expect(() => writeCommittedNotebook(from, to)).toThrow(`${from}: not written over ${to}:\n  cell 1 has an error output: TypeError: x is undefined`);
    expect(readFileSync(to, 'utf8')).toBe(before);
  });
});
