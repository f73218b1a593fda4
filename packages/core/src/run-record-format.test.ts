import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunRecord } from './run-record-format.js';

describe('run records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'teacache-run-record-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const record = {
    format: 'teacache-run', version: 1, model: 'm', policy: 'teacache', params: { threshold: 0.1 }, threshold: 0.1, prompt: 'a cat',
    seed: 3, steps: 4, schedule: { cond: 'CRCC' }, wallSeconds: 1.5, output: 'out.npy',
  };
  const write = (name: string, value: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(value));
    return f;
  };

  test('a valid record reads back, seed 2^32 - 1 included', () => {
    expect(readRunRecord(write('ok.json', record))).toEqual(record);
    expect(readRunRecord(write('max.json', { ...record, seed: 4294967295 })).seed).toBe(4294967295);
  });

  test('a seed past 2^32 - 1 (it would draw seed 0\'s noise) is refused naming the file, the field and the range', () => {
    const f = write('seed.json', { ...record, seed: 4294967296 });
    expect(() => readRunRecord(f)).toThrow(new RegExp(`^${f}, field "seed": expected a whole number from 0 to 4294967295, found 4294967296$`));
  });
});
