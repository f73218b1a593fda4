import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFinite, checkGuidance, checkOutputPath, checkSteps, checkWhole, repeatedSingleOption } from './args.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'teacache-args-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('steps, guidance and counts are held to what the readers accept, naming the argument', () => {
  expect(checkSteps(30)).toBe(30);
  for (const bad of [0, 1, 2.5, -5, 1e9, NaN]) expect(() => checkSteps(bad)).toThrow(/^argument --steps: expected a whole number of sampling steps from 2 to 1000/);
  expect(checkGuidance(0)).toBe(0);
  for (const bad of [NaN, -1, Infinity]) expect(() => checkGuidance(bad)).toThrow(/^argument --guidance: expected a finite guidance scale >= 0/);
  expect(() => checkWhole(0, 'steps', 1)).toThrow(/^argument --steps: expected a whole number from 1, found 0/);
  expect(() => checkFinite(NaN, 'psnr-cap', 'dB', true)).toThrow(/^argument --psnr-cap/);
  expect(checkFinite(undefined, 'refine-psnr', 'dB')).toBeUndefined();
});

test('an output path is refused up front when it cannot be written as asked, and the check leaves nothing behind', () => {
  const file = join(dir, 'file.txt');
  writeFileSync(file, 'x');
  expect(checkOutputPath(join(dir, 'new', 'deeper'), 'directory')).toBe(join(dir, 'new', 'deeper'));
  expect(checkOutputPath(join(dir, 'rows.jsonl'), 'file')).toBe(join(dir, 'rows.jsonl'));
  expect(() => checkOutputPath(dir, 'file')).toThrow(new RegExp(`^argument --out: expected a file path, not a directory, found "${dir}`));
  expect(() => checkOutputPath(file, 'directory')).toThrow(/expected a directory, not a file/);
  expect(() => checkOutputPath(join(file, 'under'), 'directory')).toThrow(/whose parent .*file.txt is a directory, not a file/);
  expect(() => checkOutputPath('/proc/teacache-out', 'directory')).toThrow(/^argument --out: expected a path on a real filesystem, not procfs/);
  expect(() => checkOutputPath('/sys/kernel/teacache.json', 'file')).toThrow(/not sysfs/);
  expect(readdirSync(dir)).toEqual(['file.txt']);
});

test('an option given twice is found; array options and yargs\'s camelCase aliases are not', () => {
  expect(repeatedSingleOption({ _: [], $0: 'x', seeds: ['1', '2'], policies: ['a', 'b'] }, ['policies'])).toBe('seeds');
  expect(repeatedSingleOption({ _: [], policies: ['a', 'b'], refinePsnr: [1, 2], 'refine-psnr': 3 }, ['policies'])).toBeNull();
});
