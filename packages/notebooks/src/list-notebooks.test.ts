import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@teacache/core';
import { listNotebooks } from './index.js';

describe('listNotebooks', () => {
  test('lists the .ipynb files by name, leaving other files and folders out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'teacache-list-notebooks-'));
    for (const name of ['02-b.ipynb', '01-a.ipynb', 'notes.md', '10-c.ipynb']) writeFileSync(join(dir, name), '{}');
    mkdirSync(join(dir, '.ipynb_checkpoints'));
    expect(listNotebooks(dir)).toEqual(['01-a.ipynb', '02-b.ipynb', '10-c.ipynb'].map((n) => join(dir, n)));
  });

  test('refuses a folder without notebooks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'teacache-list-notebooks-'));
    expect(() => listNotebooks(dir)).toThrow(FormatError);
    expect(() => listNotebooks(dir)).toThrow('at least one *.ipynb notebook');
  });

  test('refuses a folder that does not exist, naming it', () => {
    expect(() => listNotebooks('/nonexistent/notebooks')).toThrow('/nonexistent/notebooks: expected a folder of notebooks');
  });
});
