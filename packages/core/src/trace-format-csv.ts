/** One record of a CSV file: its cells and the 1-based line of the file it starts on. */
export interface CsvRecord {
  cells: string[];
  line: number;
}

/**
 * Split CSV text into records (RFC 4180: fields may be quoted with `"`, a quote inside doubled, and a quoted
 * field may hold commas and newlines, as pandas writes prompts). Returns null for an unterminated quote.
 */
export function splitCsv(text: string): { records: CsvRecord[]; unterminatedAt?: number } {
  // Fast path: most traces hold no quoted field, and a character loop costs ~10x more on a million rows.
  if (!text.includes('"')) {
    const records: CsvRecord[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
      if (line !== '') records.push({ cells: line.split(','), line: i + 1 });
    }
    return { records };
  }
  return splitQuotedCsv(text);
}

/** The general tokenizer for text with quoted fields. */
function splitQuotedCsv(text: string): { records: CsvRecord[]; unterminatedAt?: number } {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    cells.push(cell);
    // A blank line (one empty cell) is no record; files may end with several newlines.
    if (!(cells.length === 1 && cells[0] === '')) records.push({ cells, line: recordLine });
    cells = [];
    cell = '';
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      if (ch === '\n') line++;
      cell += ch; i++; continue;
    }
    if (ch === '"' && cell === '') { quoted = true; i++; continue; }
    if (ch === ',') { cells.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { i++; continue; }
    if (ch === '\n') { endRecord(); line++; recordLine = line; i++; continue; }
    cell += ch; i++;
  }
  if (quoted) return { records, unterminatedAt: recordLine };
  if (cell !== '' || cells.length > 0) endRecord();
  return { records };
}

/** A CSV field: quoted (quotes doubled) when it holds a comma, a quote, a newline or edge spaces. */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
