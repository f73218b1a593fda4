import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNotebookTools, failureReason, NotebookFailedError, runNotebook } from './index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'teacache-notebook-runner-test-'));

describe('failureReason', () => {
  test('keeps the failing cell and its error from nbconvert output', () => {
    const stderr = 'Traceback (most recent call last):\n  File "x.py"\nnbclient.exceptions.CellExecutionError: ' +
      'An error occurred while executing the following cell:\n------------------\nconst a = 1;\n------------------\n\nCellFailed: boom\n';
    expect(failureReason(stderr)).toBe('An error occurred while executing the following cell:\n------------------\nconst a = 1;\n------------------\n\nCellFailed: boom');
  });

  test('falls back to the last 25 lines when no cell failed (a kernel that died)', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
    expect(failureReason(lines.join('\n')).split('\n')).toEqual(lines.slice(15));
  });
});

describe('runNotebook on the teacache kernel', () => {
  beforeAll(() => {
    checkNotebookTools();
  });

  test('runs a notebook that imports a workspace package and writes the executed copy with its outputs', async () => {
    const run = await runNotebook(fixture('ok.ipynb'), { outDir });
    const text = readFileSync(run.output, 'utf8');
    // relL1([1,2,3], [1,1,1]) = (0 + 1 + 2) / (1 + 1 + 1), by hand.
    expect(text).toContain('relative L1: 1\\n');
    expect(text).toContain('<svg xmlns');
  }, 300_000);

  test('fails on a cell that does not type-check, with the compiler message', async () => {
    const run = runNotebook(fixture('type-error.ipynb'), { outDir });
    await expect(run).rejects.toThrow(NotebookFailedError);
    await expect(run).rejects.toThrow("Type 'number' is not assignable to type 'string'");
  }, 300_000);

  test('fails on a cell that throws, with the error message and the cell', async () => {
    const run = runNotebook(fixture('throws.ipynb'), { outDir });
    await expect(run).rejects.toThrow('deliberate failure: limit 3 is below 5');
    await expect(run).rejects.toThrow('if (limit < 5)');
  }, 300_000);
});
