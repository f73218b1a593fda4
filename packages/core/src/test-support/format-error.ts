import { FormatError } from '../errors.js';

/** The FormatError `fn` throws, for tests to inspect its file, row and field; fails the test if it throws nothing else. */
export function formatErrorOf(fn: () => unknown): FormatError {
  try { fn(); } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  throw new Error('expected a FormatError');
}
