import { describeFatal } from './fatal.js';
import { FormatError } from './errors.js';

test('an error is one "teacache:" message without a stack unless debugging', () => {
  const err = new FormatError({ file: 'a.json', field: 'x' }, 'a number', 'y');
  expect(describeFatal(err, false)).toBe('teacache: a.json, field "x": expected a number, found "y"\n');
  expect(describeFatal(err, true)).toMatch(/^teacache: a\.json.*\n.*FormatError/s);
});

test('a message carrying a line of bundled source (as tfjs errors can) is cut to a readable length', () => {
  const minified = `Error in op: ${'function(e,t){return e.map(function(n){return n*t})}'.repeat(800)}`;
  const text = describeFatal(new Error(minified), false);
  expect(text.length).toBeLessThan(500);
  expect(text).toMatch(/… \(\d+ more characters\)\n$/);
});

test('a thrown non-Error value is printed as text', () => {
  expect(describeFatal('plain', false)).toBe('teacache: plain\n');
});
