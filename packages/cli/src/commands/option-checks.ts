import { FormatError } from '@teacache/core/errors';

/** An error about one command-line argument: `argument --name: expected …, found …`. */
export function argumentError(name: string, expected: string, found?: unknown): FormatError {
  return new FormatError({ file: `argument --${name}` }, expected, found);
}

/**
 * Options given more than once that take one value: yargs makes an array of them, which no command expects
 * ("text.split is not a function"). Returns the first such option name, or null.
 */
export function repeatedSingleOption(argv: Record<string, unknown>, arrayOptions: readonly string[]): string | null {
  for (const [key, value] of Object.entries(argv)) {
    if (key === '_' || key === '$0' || !Array.isArray(value) || arrayOptions.includes(key)) continue;
    if (/[A-Z]/.test(key)) continue; // the camelCase alias yargs adds of a dashed option
    return key;
  }
  return null;
}

/** Number options yargs could not read ("abc" becomes NaN): the first one's name, or null. */
export function unreadableNumberOption(argv: Record<string, unknown>, numberOptions: readonly string[]): string | null {
  for (const key of numberOptions) if (typeof argv[key] === 'number' && Number.isNaN(argv[key]) && !/[A-Z]/.test(key)) return key;
  return null;
}
