import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError } from '@teacache/core';
import { float16BitsToFloat32, float32ToFloat16Bits } from './float16.js';
import {
  MAX_HEADER_BYTES, parseSafetensors, readSafetensors, readSafetensorsHeader, serializeSafetensors,
  sha256OfFile, writeSafetensors, type TensorToWrite,
} from './safetensors.js';

// ---------------------------------------------------------------- references and helpers

const fixtureDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const referenceScript = fileURLToPath(new URL('../../scripts/safetensors_ref.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

/** A file written by scripts/safetensors_ref.py and the tensors it holds. */
interface ReferenceSpec {
  dtype: 'F32' | 'F16';
  metadata: Record<string, string> | null;
  tensors: { name: string; shape: number[]; float32_bits: number[]; stored_bits: number[] }[];
  file_sha256: string;
}
const loadSpec = (stem: string): ReferenceSpec => JSON.parse(readFileSync(join(fixtureDir, `${stem}.json`), 'utf8'));
const singlesFromBits = (bits: number[]): Float32Array => new Float32Array(Uint32Array.from(bits).buffer);
const bitsOf = (values: Float32Array): number[] => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
const tensorsOf = (spec: ReferenceSpec): TensorToWrite[] =>
  spec.tensors.map((t) => ({ name: t.name, shape: t.shape, data: singlesFromBits(t.float32_bits) }));

/** The summary `safetensors_ref.py read FILE` prints (NaN and the infinities spelled as strings). */
interface PythonSummary {
  header_length: number;
  data_start: number;
  metadata: Record<string, string> | null;
  tensors: { name: string; dtype: string; shape: number[]; data_offsets: number[]; count: number;
    sum: number | string; values: (number | string)[] }[];
}

function pythonRead(file: string): PythonSummary {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(`${PYTHON} cannot import numpy, which the safetensors cross-check needs: ` +
      `install it with "apt-get install -y python3-numpy" (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()})`);
  }
  const run = spawnSync(PYTHON, [referenceScript, 'read', file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`safetensors_ref.py read ${file} failed: ${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout);
}

const fromJsonNumber = (v: number | string): number =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number);

/** Bytes of a safetensors file from a header (object or raw text) and a data buffer (bytes or a length). */
function build(header: unknown, buffer: Uint8Array | number = 0, headerLength?: bigint): Uint8Array {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const data = typeof buffer === 'number' ? new Uint8Array(buffer) : buffer;
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

const BAD = 'bad.safetensors';

/** Parse bytes expecting a FormatError naming BAD and the given field, with a message containing `says`. */
function expectRejected(bytes: Uint8Array, field: string | undefined, says: string, options = {}): void {
  let caught: unknown;
  try {
    parseSafetensors(bytes, BAD, options);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(FormatError);
  const error = caught as FormatError;
  expect(error.file).toBe(BAD);
  expect(error.field).toBe(field);
  expect(error.message).toContain(says);
}

const f32 = (n: number, begin: number, shape: number[] = [n]) => ({ dtype: 'F32', shape, data_offsets: [begin, begin + 4 * n] });

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'safetensors-test-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

// ---------------------------------------------------------------- the independent Python implementation

describe('reading files written by the Python reference', () => {
  test('reads the F32 file with the same names, shapes, metadata and bit-identical values', () => {
    const spec = loadSpec('reference-f32');
    const { tensors, metadata } = readSafetensors(join(fixtureDir, 'reference-f32.safetensors'));
    expect(metadata).toEqual(spec.metadata);
    expect([...tensors.keys()]).toEqual(spec.tensors.map((t) => t.name));
    for (const t of spec.tensors) {
      const ours = tensors.get(t.name)!;
      expect([ours.dtype, ours.shape]).toEqual(['F32', t.shape]);
      expect(bitsOf(ours.data)).toEqual(t.float32_bits);
    }
    // The fixture carries the awkward cases on purpose: a scalar, a 0-size tensor, a non-ASCII name.
    expect(tensors.get('scale')!.shape).toEqual([]);
    expect(tensors.get('empty')!.data.length).toBe(0);
    expect(tensors.has('tête.weight')).toBe(true);
  });

  test('reads the F16 file as the half values numpy stored, widened exactly to float32', () => {
    const spec = loadSpec('reference-f16');
    const { tensors, metadata } = readSafetensors(join(fixtureDir, 'reference-f16.safetensors'));
    expect(metadata).toEqual({});
    for (const t of spec.tensors) {
      const ours = tensors.get(t.name)!;
      expect([ours.dtype, ours.shape]).toEqual(['F16', t.shape]);
      expect(bitsOf(ours.data)).toEqual(bitsOf(float16BitsToFloat32(Uint16Array.from(t.stored_bits))));
    }
  });

  test('hashes a file to the sha256 Python computed over the same bytes', () => {
    for (const stem of ['reference-f32', 'reference-f16']) {
      expect(sha256OfFile(join(fixtureDir, `${stem}.safetensors`))).toBe(loadSpec(stem).file_sha256);
    }
  });
});

describe('writing the bytes the reference writers write', () => {
  test.each(['reference-f32', 'reference-f16'])('writes %s byte for byte like the Python writer, given the tensors in any order', (stem) => {
    const spec = loadSpec(stem);
    const shuffled = tensorsOf(spec).reverse();
    const ours = serializeSafetensors(shuffled, { dtype: spec.dtype, metadata: spec.metadata ?? undefined });
    const theirs = readFileSync(join(fixtureDir, `${stem}.safetensors`));
    expect(Buffer.from(ours).equals(theirs)).toBe(true);
  });

  // Byte vectors from the Rust reference's own unit tests (huggingface/safetensors, safetensors/src/tensor.rs:
  // test_serialization, test_empty), spelled here as header text plus little-endian values.
  test('writes the Rust reference test vector for one F32 tensor of shape [1, 2, 3]', () => {
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    const values = [0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64];
    const expected = [64, 0, 0, 0, 0, 0, 0, 0, ...Buffer.from(header), ...values];
    const ours = serializeSafetensors([{ name: 'attn.0', shape: [1, 2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) }], { dtype: 'F32' });
    expect(Array.from(ours)).toEqual(expected);
  });

  test('writes the Rust reference test vectors for no tensors, with and without metadata, padded with spaces', () => {
    expect(Buffer.from(serializeSafetensors([], { dtype: 'F32' })).toString('latin1'))
      .toBe('\x08\0\0\0\0\0\0\0{}      ');
    expect(Buffer.from(serializeSafetensors([], { dtype: 'F32', metadata: { framework: 'pt' } })).toString('latin1'))
      .toBe('\x28\0\0\0\0\0\0\0{"__metadata__":{"framework":"pt"}}     ');
  });

  test('orders metadata keys by code point even when they look like integers', () => {
    const bytes = serializeSafetensors([], { dtype: 'F32', metadata: { b: '1', '10': '2', '9': '3' } });
    expect(Buffer.from(bytes.subarray(8)).toString('utf8').trimEnd()).toBe('{"__metadata__":{"10":"2","9":"3","b":"1"}}');
  });
});

describe('files our writer writes, read by the Python reference', () => {
  const tensors: TensorToWrite[] = [
    { name: 'blocks.1.w', shape: [2, 3], data: Float32Array.of(1.5, -2.25, 3e-5, 1e30, -0, 7) },
    { name: 'blocks.0.b', shape: [3], data: Float32Array.of(0.1, 0.2, 0.3) },
    { name: 'gain', shape: [], data: Float32Array.of(-4.75) },
    { name: 'nothing', shape: [2, 0], data: new Float32Array(0) },
    { name: 'naïve', shape: [1], data: Float32Array.of(1 / 3) },
  ];

  test('an F32 file is read by Python with every value, offset and the metadata intact', () => {
    const file = join(workDir, 'ours-f32.safetensors');
    writeSafetensors(file, tensors, { dtype: 'F32', metadata: { format: 'pt', model: 'dit-s' } });
    const summary = pythonRead(file);
    expect(summary.header_length % 8).toBe(0);
    expect(summary.metadata).toEqual({ format: 'pt', model: 'dit-s' });
    const ours = readSafetensorsHeader(file);
    expect(summary.tensors.map((t) => [t.name, t.dtype, t.shape, t.data_offsets]))
      .toEqual(ours.tensors.map((t) => [t.name, t.dtype, t.shape, [t.begin, t.end]]));
    for (const t of summary.tensors) {
      const written = tensors.find((w) => w.name === t.name)!;
      expect(t.values.map(fromJsonNumber)).toEqual(Array.from(written.data));
    }
  });

  test('an F16 file is read by Python as the values our float16 rounding produced', () => {
    const file = join(workDir, 'ours-f16.safetensors');
    writeSafetensors(file, tensors, { dtype: 'F16' });
    const summary = pythonRead(file);
    expect(summary.metadata).toBeNull();
    for (const t of summary.tensors) {
      const written = tensors.find((w) => w.name === t.name)!;
      const rounded = float16BitsToFloat32(float32ToFloat16Bits(written.data));
      expect(t.dtype).toBe('F16');
      expect(t.values.map(fromJsonNumber)).toEqual(Array.from(rounded));
    }
  });
});

// ---------------------------------------------------------------- round trips

describe('round trips through a file', () => {
  const specials = singlesFromBits([0x7fc00000, 0xffc00001, 0x7f800000, 0xff800000, 0x80000000, 0x00000001, 0x7f7fffff]);

  test('keeps F32 values bit for bit, NaN payloads, -0, infinities and subnormals included', () => {
    const file = join(workDir, 'round-f32.safetensors');
    const random = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 13) - 6));
    writeSafetensors(file, [{ name: 'random', shape: [10, 100], data: random }, { name: 'specials', shape: [7], data: specials }],
      { dtype: 'F32', metadata: { step: '12' } });
    const { tensors, metadata } = readSafetensors(file, { expected: { random: [10, 100], specials: [7] } });
    expect(metadata).toEqual({ step: '12' });
    expect(bitsOf(tensors.get('random')!.data)).toEqual(bitsOf(random));
    expect(bitsOf(tensors.get('specials')!.data)).toEqual(bitsOf(specials));
  });

  test('keeps F16 values within half-precision rounding: 2^-11 relative, 2^-25 absolute below 2^-14', () => {
    const file = join(workDir, 'round-f16.safetensors');
    const values = Float32Array.from({ length: 2000 }, (_, i) => Math.cos(i * 78.233) * 2 ** ((i % 40) - 26));
    writeSafetensors(file, [{ name: 'w', shape: [2000], data: values }], { dtype: 'F16' });
    const back = readSafetensors(file).tensors.get('w')!.data;
    values.forEach((v, i) => {
      const bound = Math.abs(v) < 2 ** -14 ? 2 ** -25 : Math.abs(v) * 2 ** -11;
      expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(bound);
    });
  });

  test('reads a data subarray that does not start at the beginning of its buffer', () => {
    const whole = Float32Array.of(9, 1, 2, 3);
    const bytes = serializeSafetensors([{ name: 'x', shape: [3], data: whole.subarray(1) }], { dtype: 'F32' });
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(Array.from(parseSafetensors(padded.subarray(3), 'padded').tensors.get('x')!.data)).toEqual([1, 2, 3]);
  });

  test('reads BF16 tensors as the top half of float32', () => {
    const bf16 = Uint8Array.of(0x80, 0x3f, 0x00, 0xc0, 0x20, 0x3e); // 1.0, -2.0, 0.15625
    const bytes = build({ b: { dtype: 'BF16', shape: [3], data_offsets: [0, 6] } }, bf16);
    const tensor = parseSafetensors(bytes, 'bf16').tensors.get('b')!;
    expect([tensor.dtype, Array.from(tensor.data)]).toEqual(['BF16', [1, -2, 0.15625]]);
  });

  test('reads the header alone without reading the data', () => {
    const header = readSafetensorsHeader(join(fixtureDir, 'reference-f16.safetensors'));
    expect(header.headerLength % 8).toBe(0);
    expect(header.tensors.map((t) => [t.name, t.begin, t.end])).toEqual([['b', 0, 14], ['edge_cases', 14, 38], ['w', 38, 108]]);
  });
});

// ---------------------------------------------------------------- malformed files

describe('rejecting malformed files before allocating tensors', () => {
  test('a file shorter than the 8-byte header length', () => {
    expectRejected(Uint8Array.of(1, 2, 3), 'header length', 'expected at least 8 bytes');
  });

  test('a header length larger than the file', () => {
    expectRejected(build({}, 0, 100n), 'header length', 'found 100');
  });

  test('a header length above the 100 MB cap, even one that does not fit a double', () => {
    expectRejected(build({}, 0, BigInt(MAX_HEADER_BYTES + 1)), 'header length', `at most ${MAX_HEADER_BYTES}`);
    expectRejected(build({}, 0, 2n ** 64n - 1n), 'header length', '18446744073709551615');
  });

  test('a header that is not valid UTF-8', () => {
    for (const byte of [0xff, 0xc3]) { // a byte UTF-8 never uses; a lead byte without its continuation
      const raw = build('{ }');
      raw[9] = byte;
      expectRejected(raw, 'header', 'expected UTF-8 text, found "invalid UTF-8 bytes"');
    }
  });

  test('a header that is not JSON', () => {
    expectRejected(build('{"a": {"dtype": "F32",'), 'header', 'expected valid JSON');
  });

  test.each([['an array', '[]'], ['a number', '42'], ['null', 'null'], ['a string', '"x"']])('a header that is %s', (_what, text) => {
    expectRejected(build(text), 'header', 'a JSON object');
  });

  test('a tensor entry that is not an object', () => {
    expectRejected(build({ w: [0, 4] }), 'w', 'an object {dtype, shape, data_offsets}');
  });

  test.each([
    ['dtype', 'w.dtype', 'a dtype string'],
    ['shape', 'w.shape', 'an array of non-negative integers'],
    ['data_offsets', 'w.data_offsets', '[begin, end]'],
  ])('a tensor entry missing %s', (key, field, says) => {
    const entry: Record<string, unknown> = f32(1, 0);
    delete entry[key];
    expectRejected(build({ w: entry }, 4), field, says);
  });

  test('a dtype that safetensors does not know', () => {
    expectRejected(build({ w: { ...f32(1, 0), dtype: 'F33' } }, 4), 'w.dtype', 'found "F33"');
    expectRejected(build({ w: { ...f32(1, 0), dtype: 'toString' } }, 4), 'w.dtype', 'a safetensors dtype');
  });

  test.each(['F64', 'I64', 'I32', 'U8', 'BOOL'])('a known but unsupported dtype %s, named as such', (dtype) => {
    expectRejected(build({ w: { dtype, shape: [1], data_offsets: [0, 8] } }, 8), 'w.dtype', `unsupported ${dtype}`);
  });

  test.each([
    ['a negative dimension', [-1, 2]],
    ['a fractional dimension', [1.5]],
    ['a string dimension', ['2']],
    ['a shape that is not an array', 4],
  ])('a shape with %s', (_what, shape) => {
    expectRejected(build({ w: { ...f32(1, 0), shape } }, 4), 'w.shape', 'non-negative integers');
  });

  test.each([
    ['one number', [0]],
    ['three numbers', [0, 4, 8]],
    ['a negative offset', [-4, 0]],
    ['a string', '0-4'],
  ])('data_offsets given as %s', (_what, offsets) => {
    expectRejected(build({ w: { ...f32(1, 0), data_offsets: offsets } }, 4), 'w.data_offsets', '[begin, end]');
  });

  test('data_offsets that begin after they end', () => {
    expectRejected(build({ w: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, 4), 'w.data_offsets', 'begin <= end');
  });

  test('a byte range that does not match the shape times the dtype size', () => {
    expectRejected(build({ w: f32(3, 0, [2, 2]) }, 12), 'w.data_offsets', 'expected end - begin = 16 bytes');
    expectRejected(build({ h: { dtype: 'F16', shape: [3], data_offsets: [0, 12] } }, 12), 'h.data_offsets', 'found "12 bytes"');
  });

  test('a shape whose byte size leaves the exact integer range', () => {
    expectRejected(build({ w: { dtype: 'F32', shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 4] } }, 4), 'w.data_offsets', 'end - begin');
  });

  test('byte ranges past the end of the data buffer read as a truncated file naming every tensor cut off', () => {
    expectRejected(build({ w: f32(2, 0), v: f32(2, 8) }, 4), 'data buffer', 'the file is truncated');
    expectRejected(build({ w: f32(2, 0), v: f32(2, 8) }, 4), 'data buffer', 'tensor "w" extends past the end');
    expectRejected(build({ w: f32(2, 0), v: f32(2, 8) }, 4), 'data buffer', 'tensor "v" extends past the end');
  });

  test('byte ranges that overlap, naming both tensors', () => {
    expectRejected(build({ a: f32(2, 0), b: f32(2, 4) }, 12), 'b.data_offsets', 'not overlapping tensor "a"');
  });

  test('a 0-size tensor placed inside another tensor counts as an overlap', () => {
    expectRejected(build({ a: f32(2, 0), z: { dtype: 'F32', shape: [0], data_offsets: [4, 4] } }, 8), 'z.data_offsets', 'overlapping');
  });

  test('a gap between tensors: bytes of the buffer that belong to no tensor', () => {
    expectRejected(build({ a: f32(1, 0), b: f32(1, 8) }, 12), 'b.data_offsets', 'bytes 4..7 belong to no tensor');
  });

  test('a buffer that does not start at offset 0', () => {
    expectRejected(build({ a: f32(1, 4) }, 8), 'a.data_offsets', 'to begin at byte 0');
  });

  test('trailing bytes after the last tensor', () => {
    expectRejected(build({ a: f32(1, 0) }, 6), 'data buffer', '2 trailing bytes');
    expectRejected(build({}, 1), 'data buffer', '1 trailing bytes');
  });

  test('__metadata__ that is not an object of strings', () => {
    expectRejected(build({ __metadata__: ['pt'] }), '__metadata__', 'an object of string to string');
    expectRejected(build({ __metadata__: { epoch: 3 } }), '__metadata__.epoch', 'expected a string value, found 3');
  });
});

describe('checking tensors against the expected names and shapes', () => {
  const bytes = build({ a: f32(4, 0, [2, 2]), b: f32(1, 16, []) }, 20);

  test('accepts a file holding exactly the expected tensors', () => {
    const { tensors } = parseSafetensors(bytes, BAD, { expected: { a: [2, 2], b: [] } });
    expect([...tensors.keys()]).toEqual(['a', 'b']);
  });

  test('rejects a missing expected tensor, counting all that are missing', () => {
    expectRejected(bytes, 'c', '2 expected tensors missing', { expected: { a: [2, 2], b: [], c: [3], d: [1] } });
  });

  test('rejects an expected tensor with another shape, showing both shapes', () => {
    expectRejected(bytes, 'a.shape', 'expected [4], found "[2,2]"', { expected: { a: [4], b: [] } });
    expectRejected(bytes, 'b.shape', 'expected [1]', { expected: { a: [2, 2], b: [1] } });
  });

  test('rejects a tensor nobody expected, unless allowExtra', () => {
    expectRejected(bytes, 'b', 'only the 1 expected tensors', { expected: { a: [2, 2] } });
    expect(parseSafetensors(bytes, BAD, { expected: { a: [2, 2] }, allowExtra: true }).tensors.size).toBe(2);
  });

  test('names the file path when reading from disk', () => {
    const file = join(workDir, 'missing-tensor.safetensors');
    writeFileSync(file, bytes);
    expect(() => readSafetensors(file, { expected: { x: [1] }, allowExtra: true })).toThrow(`${file}, field "x"`);
    expect(() => readSafetensorsHeader(file, { expected: { a: [2, 2] } })).toThrow(`${file}, field "b"`);
  });
});

describe('refusing to write what cannot be read back', () => {
  const one = (over: Partial<TensorToWrite>): TensorToWrite[] => [{ name: 'w', shape: [2], data: Float32Array.of(1, 2), ...over }];

  test.each<[string, TensorToWrite[], object, string]>([
    ['data of another length than the shape', one({ shape: [3] }), { dtype: 'F32' }, 'expected 3 values for shape [3], found "2 values"'],
    ['a negative dimension', one({ shape: [-2] }), { dtype: 'F32' }, 'non-negative integers'],
    ['two tensors with one name', [...one({}), ...one({})], { dtype: 'F32' }, 'a tensor name used once'],
    ['an empty name', one({ name: '' }), { dtype: 'F32' }, 'a non-empty tensor name'],
    ['a tensor named __metadata__', one({ name: '__metadata__' }), { dtype: 'F32' }, 'other than __metadata__'],
    ['plain numbers instead of a Float32Array', one({ data: [1, 2] as unknown as Float32Array }), { dtype: 'F32' }, 'a Float32Array'],
    ['an unwritable dtype', one({}), { dtype: 'F64' }, 'F32 or F16'],
    ['metadata that is not a string', one({}), { dtype: 'F32', metadata: { epoch: 3 } }, 'expected a string value'],
  ])('rejects %s', (_what, tensors, options, says) => {
    expect(() => serializeSafetensors(tensors, options as never, 'out.safetensors')).toThrow(FormatError);
    expect(() => serializeSafetensors(tensors, options as never, 'out.safetensors')).toThrow(says);
  });
});
