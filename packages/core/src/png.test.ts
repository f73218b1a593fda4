import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from './errors.js';
import { decodePng } from './png-decode.js';
import { encodePngRgb } from './png.js';

// Written by packages/core/scripts/png_ref.py from the PNG specification with struct and zlib (no imaging library).
const fixtures = new URL('./fixtures/png/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', fixtures), 'utf8')) as {
  cases: { file: string; shape: number[]; values: number[] }[];
};
const fixture = (file: string) => new Uint8Array(readFileSync(new URL(file, fixtures)));

describe('decodePng', () => {
  test.each(expected.cases.map((c) => [c.file, c] as const))('reads %s to the values it was written with', (_name, c) => {
    const frame = decodePng(fixture(c.file), c.file);
    expect(frame.shape).toEqual(c.shape);
    expect(Array.from(frame.data)).toEqual(c.values);
  });

  test('refuses a file that is not a PNG, naming it', () => {
    const read = () => decodePng(new TextEncoder().encode('P6 2 2 255\n'), 'frame.ppm');
    expect(read).toThrow(FormatError);
    expect(read).toThrow('frame.ppm: expected a PNG file, found "no PNG signature"');
  });

  test('refuses a truncated PNG, naming it', () => {
    const bytes = fixture('rgb8.png');
    const read = () => decodePng(bytes.subarray(0, 40), 'cut.png');
    expect(read).toThrow(FormatError);
    expect(read).toThrow(/^cut\.png: expected a readable PNG/);
  });
});

describe('encodePngRgb', () => {
  const width = 3;
  const height = 2;
  const rgb = [0, 0.5, 1, 0.25, 0.75, 0.1, -0.2, 1.7, NaN, 0.999, 0.001, 0.5019607843137255, 1, 1, 0, 0.3, 0.6, 0.9];
  // By hand: round(clip(v, 0, 1) * 255), a NaN as 0.
  const bytes = [0, 128, 255, 64, 191, 26, 0, 255, 0, 255, 0, 128, 255, 255, 0, 77, 153, 230];

  test('writes a PNG that scikit-image reads back as the values rounded to 8 bits, clipped, NaN as 0', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'teacache-png-')), 'grid.png');
    writeFileSync(path, encodePngRgb(rgb, width, height));
    const read = spawnSync('/usr/bin/python3', ['-c', 'import json, sys; from skimage import io; a = io.imread(sys.argv[1]); '
      + 'print(json.dumps({"shape": list(a.shape), "dtype": str(a.dtype), "values": a.ravel().tolist()}))', path], { encoding: 'utf8' });
    expect(read.stderr).toBe('');
    expect(JSON.parse(read.stdout)).toEqual({ shape: [height, width, 3], dtype: 'uint8', values: bytes });
  });

  test('round-trips through decodePng', () => {
    const frame = decodePng(encodePngRgb(rgb, width, height), 'grid.png');
    expect(frame.shape).toEqual([height, width, 3]);
    expect(Array.from(frame.data)).toEqual(bytes.map((b) => b / 255));
  });

  test('refuses a value count that does not match the size', () => {
    expect(() => encodePngRgb([0, 0, 0], 2, 1)).toThrow('encodePngRgb: 3 values for 2x1x3');
  });
});
