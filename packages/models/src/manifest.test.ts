import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelManifest } from './manifest.js';

const shipped = join(import.meta.dirname, '..', '..', '..', 'datasets', 'models');

test('the shipped manifests read, and each names the SHA-256 of the weights beside it', () => {
  for (const name of ['dit-tiny', 'stdit-tiny', 'latte-tiny', 'osp-tiny']) {
    const m = readModelManifest(join(shipped, name, 'manifest.json'));
    expect(m.name).toBe(name);
    expect(m.weightsSha256).toBe(createHash('sha256').update(readFileSync(join(shipped, name, 'weights.safetensors'))).digest('hex'));
    expect(m.parameters).toBeGreaterThan(100_000);
  }
});

test('a manifest with a missing or malformed identity field is refused, naming the file and the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
  const good = { name: 'm', family: 'dit', parameters: 10, weightsSha256: 'a'.repeat(64), data: 'clips' };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...good, name: '' }, /field "name": expected a non-empty string/],
    [{ ...good, parameters: 2.5 }, /field "parameters": expected a whole number >= 1/],
    [{ ...good, weightsSha256: 'A'.repeat(64) }, /field "weightsSha256": expected a SHA-256/],
    [{ ...good, data: undefined }, /field "data"/],
  ];
  for (const [value, message] of cases) {
    const file = join(dir, 'manifest.json');
    writeFileSync(file, JSON.stringify(value));
    expect(() => readModelManifest(file)).toThrow(message);
    expect(() => readModelManifest(file)).toThrow(file);
  }
  writeFileSync(join(dir, 'list.json'), '[1]');
  expect(() => readModelManifest(join(dir, 'list.json'))).toThrow(/expected a JSON object/);
});
