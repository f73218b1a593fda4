/** Plain decimal notation only: optional sign, digits with an optional fraction, optional exponent. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const WHOLE = /^\d+$/;

/**
 * Read a number written in decimal notation; null for anything else. JavaScript's Number() also takes
 * "0x10", "0b1", " 1 " and "" (as 0), which no CSV writer means as a measurement.
 */
export function parseDecimal(text: string): number | null {
  return DECIMAL.test(text) ? Number(text) : null;
}

/** Read a whole number >= 0 written in plain digits; null for anything else or beyond 2^53 - 1. */
export function parseWholeNumber(text: string): number | null {
  if (!WHOLE.test(text)) return null;
  const x = Number(text);
  return Number.isSafeInteger(x) ? x : null;
}
