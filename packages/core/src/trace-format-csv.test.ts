import { FormatError } from './errors.js';
import { csvField, splitCsv } from './trace-format-csv.js';
import { parseTraceTable } from './trace-format-read.js';

describe('splitCsv', () => {
  // Expected records are what Python's csv.reader gives for the same text (blank records dropped).
  test.each([
    ['CRLF line ends and a quoted prompt holding a comma, doubled quotes and a newline',
      'a,b\r\n1,"x, ""y""\r\nz"\r\n2,3\r\n', [['a', 'b'], ['1', 'x, "y"\r\nz'], ['2', '3']]],
    ['blank lines between and after records', 'a,b\n\n1,2\n\n\n', [['a', 'b'], ['1', '2']]],
    ['an empty quoted cell', 'a,b\n1,""\n', [['a', 'b'], ['1', '']]],
  ])('splits as Python\'s csv module does: %s', (_name, text, expected) => {
    expect(splitCsv(text)).toEqual({ records: expected });
  });

  test('leaves out, and names, a last record whose quoted cell runs to the end of the file', () => {
    expect(splitCsv('a,b\n1,"open\n2,3\n')).toEqual({ records: [['a', 'b']], unterminatedAt: 1 });
    expect(splitCsv('a,b\n1,2\n1,"ends on an escaped quote""').unterminatedAt).toBe(2);
    expect(splitCsv('a,b\n1,"closed ""quote"""\n').unterminatedAt).toBeUndefined();
    expect(splitCsv('a,b\n1,ab"c\n').unterminatedAt).toBeUndefined(); // a quote inside an unquoted cell is a character
  });

  test('a field written by csvField reads back unchanged', () => {
    for (const text of ['plain', 'a, b', 'say "hi"', 'two\nlines', ' padded ', '']) {
      expect(splitCsv(`x,${csvField(text)},y\n`).records).toEqual([['x', text, 'y']]);
    }
  });
});

describe('a trace CSV with an unclosed quote', () => {
  test('is refused, naming the file, the record and what is missing', () => {
    const text = 'run_id,prompt,step,timestep,branch,rel_l1_output\nr,a dog,0,999,cond,\nr,"a cat,1,998,cond,0.1\n';
    let error: unknown;
    try { parseTraceTable(text, 'q.csv'); } catch (err) { error = err; }
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).message).toContain('q.csv, row 2: expected a closing quote, found "a quoted cell running to the end of the file"');
  });
});
