import { csvParseRows } from 'd3-dsv';

/**
 * Split CSV text into records of cells with d3-dsv (RFC 4180: fields may be quoted with `"`, a quote inside
 * doubled, and a quoted field may hold commas and newlines, as pandas writes prompts). Blank lines are no
 * records. A last record whose quoted cell runs to the end of the file is left out, and `unterminatedAt` is
 * its index (0 = the header).
 */
export function splitCsv(text: string): { records: string[][]; unterminatedAt?: number } {
  const records = csvParseRows(text).filter((cells) => !(cells.length === 1 && cells[0] === ''));
  if (!endsInsideQuote(text)) return { records };
  records.pop();
  return { records, unterminatedAt: records.length };
}

/**
 * Whether the text ends inside a quoted field. d3-dsv reads an unclosed quote silently to the end of the file
 * (one huge cell); this scan of quote state alone lets the reader say so instead.
 */
function endsInsideQuote(text: string): boolean {
  if (!text.includes('"')) return false;
  let quoted = false;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (quoted) {
      if (ch === QUOTE) {
        if (text.charCodeAt(i + 1) === QUOTE) i++;
        else quoted = false;
      }
      continue;
    }
    if (ch === QUOTE && fieldStart) quoted = true;
    fieldStart = ch === COMMA || ch === NEWLINE || ch === RETURN;
  }
  return quoted;
}

const QUOTE = 34;
const COMMA = 44;
const NEWLINE = 10;
const RETURN = 13;

/** A CSV field: quoted (quotes doubled) when it holds a comma, a quote, a newline or edge spaces. */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
