import { FormatError } from '@teacache/core';

/**
 * One error that lists every problem found in a file (one per line), so a user fixes them all in one pass
 * rather than one per run. `field` names what was checked; the message carries the full list.
 */
export class ProblemsError extends FormatError {
  readonly problems: readonly string[];

  constructor(file: string, field: string, expected: string, problems: readonly string[]) {
    super({ file, field }, expected, `${problems.length} problem(s)`);
    this.name = 'ProblemsError';
    this.problems = problems;
    this.message = `${file}: ${field}: expected ${expected}; found ${problems.length} problem(s):\n`
      + problems.map((p) => `  - ${p}`).join('\n');
  }
}
