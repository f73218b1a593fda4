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

/**
 * The same problem seen from an enclosing document: a value checked on its own (e.g. a coefficients file
 * given inline in a policy spec) named by `file` and its field inside `fieldPrefix`.
 */
export function nestedFormatError(err: FormatError, file: string | undefined, fieldPrefix: string): FormatError {
  const field = err.field && err.field !== '(root)' ? `${fieldPrefix}.${err.field}` : fieldPrefix;
  const nested = new FormatError({ file, row: err.row, field }, err.expected);
  if (err.found !== undefined) {
    // found is already described; pass it through rather than describe the description
    (nested as { found?: string }).found = err.found;
    nested.message += `, found ${err.found}`;
  }
  return nested;
}

/** A short, printable description of an offending value. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value;
}

/** Most problems a reader lists for one file before it stops looking: enough to fix a file in one go. */
export const MAX_LISTED_PROBLEMS = 20;

/**
 * Every problem found in one file at once (up to MAX_LISTED_PROBLEMS), so a user fixes a file in one
 * pass instead of one error per run. Its message lists each problem on its own line.
 */
export class FormatProblems extends FormatError {
  readonly problems: readonly FormatError[];
  readonly truncated: boolean;

  constructor(file: string, problems: readonly FormatError[], truncated = false) {
    const first = problems[0];
    const single = problems.length === 1 && !truncated;
    // A single problem keeps its own location, so callers that inspect row and field still can.
    super(single ? { file: first.file ?? file, row: first.row, field: first.field } : { file }, single ? first.expected : 'a valid file');
    const head = single ? first.message
      : `${file}: ${truncated ? `${problems.length} problems (stopped looking after ${problems.length})` : `${problems.length} problems`}:\n` +
        problems.map((p) => `  ${p.message}`).join('\n');
    this.message = head;
    this.name = 'FormatError';
    this.problems = problems;
    this.truncated = truncated;
  }
}

/** Collects FormatErrors for one file; `throwIfAny` throws them together as FormatProblems. */
export class ProblemList {
  readonly items: FormatError[] = [];
  truncated = false;
  constructor(readonly file: string, readonly cap = MAX_LISTED_PROBLEMS) {}

  /** Record a problem; returns false once the cap is reached, so a reader can stop early. */
  add(problem: FormatError): boolean {
    if (this.items.length >= this.cap) { this.truncated = true; return false; }
    this.items.push(problem);
    return true;
  }

  /** True when the cap is reached (the reader may stop looking). */
  get full(): boolean { return this.items.length >= this.cap; }

  /** Throw every recorded problem at once, if there is any. */
  throwIfAny(): void {
    if (this.items.length > 0) throw new FormatProblems(this.file, this.items, this.truncated);
  }
}
