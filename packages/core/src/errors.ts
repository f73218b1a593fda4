/** Where a bad value was found: a file, and optionally a row and a field inside it. */
export interface ErrorLocation {
  file?: string;
  row?: number;
  field?: string;
}

/**
 * An error a user can act on: which file, which row, which field, what was expected, what was found.
 * Every reader and validator of the toolkit throws this for bad input.
 */
export class FormatError extends Error {
  readonly file?: string;
  readonly row?: number;
  readonly field?: string;
  readonly expected: string;
  readonly found?: string;

  constructor(where: ErrorLocation, expected: string, found?: unknown) {
    const place = [
      where.file ?? '<input>',
      where.row !== undefined ? `row ${where.row}` : undefined,
      where.field !== undefined ? `field "${where.field}"` : undefined,
    ].filter(Boolean).join(', ');
    const foundText = found === undefined ? undefined : describeValue(found);
    super(`${place}: expected ${expected}${foundText !== undefined ? `, found ${foundText}` : ''}`);
    this.name = 'FormatError';
    this.file = where.file;
    this.row = where.row;
    this.field = where.field;
    this.expected = expected;
    this.found = foundText;
  }
}

/** A short, printable description of an offending value. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value;
}
