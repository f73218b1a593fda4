import { appendLine, writeFileAtomic } from './atomic-write.js';

test('atomic writes and appends under /proc or /sys are refused at once instead of spinning in mkdir', () => {
  expect(() => writeFileAtomic('/proc/teacache/x.json', '{}')).toThrow(/\/proc\/teacache\/x.json: expected a path on a real filesystem/);
  expect(() => appendLine('/sys/teacache.jsonl', '{}')).toThrow(/not under \/proc or \/sys/);
});
