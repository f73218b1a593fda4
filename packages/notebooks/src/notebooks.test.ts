import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { checkNotebookTools, committableNotebookText, committedNotebookProblems, listNotebooks, notebookTextProblems, NOTEBOOKS_DIR, runNotebook } from './index.js';

interface Output { output_type: string; data?: Record<string, unknown> }
interface ExecutedNotebook { cells: { cell_type: string; outputs?: Output[] }[] }

const notebooks = listNotebooks(NOTEBOOKS_DIR).map((path) => [basename(path), path] as const);
const outDir = mkdtempSync(join(tmpdir(), 'teacache-notebooks-test-'));

describe('the notebooks in notebooks/ as committed', () => {
  test.each(notebooks)('%s carries the outputs of a clean run, small and free of machine paths, on the teacache kernel', (_name, path) => {
    expect(committedNotebookProblems(path)).toEqual([]);
  });
});

// Executed copies go to a temporary folder: CI checks the notebooks still run without rewriting the committed files.
describe('the notebooks in notebooks/, executed with jupyter nbconvert', () => {
  // A missing jupyter or kernel fails every test here, with the packages to install: never a skip.
  beforeAll(() => {
    checkNotebookTools();
  });

  test.each(notebooks)('%s runs every cell and draws its charts', async (_name, path) => {
    const run = await runNotebook(path, { outDir });
    const executed = JSON.parse(readFileSync(run.output, 'utf8')) as ExecutedNotebook;
    const outputs = executed.cells.flatMap((c) => c.outputs ?? []);
    expect(outputs.filter((o) => o.output_type === 'error')).toEqual([]);
    const charts = outputs.filter((o) => typeof o.data?.['image/png'] === 'string');
    expect(charts.length).toBeGreaterThanOrEqual(1);
    // What --write would commit passes the committed-file rules.
    expect(notebookTextProblems(committableNotebookText(readFileSync(run.output, 'utf8'), run.output), run.output)).toEqual([]);
    process.stderr.write(`${basename(path)}: ${run.seconds.toFixed(1)} s\n`);
    expect(existsSync(run.output)).toBe(true);
  }, 900_000);
});
