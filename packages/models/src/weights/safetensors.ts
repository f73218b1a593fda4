/**
 * safetensors read and write on plain typed arrays, following the huggingface/safetensors specification:
 * an 8-byte little-endian u64 header length N; N bytes of UTF-8 JSON mapping tensor names to
 * {dtype, shape, data_offsets: [begin, end]} (relative to the byte buffer after the header), plus an
 * optional "__metadata__" string->string object; then the byte buffer, which the tensors cover exactly.
 * Every header field is checked before any tensor data is allocated.
 */
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { FormatError, writeFileAtomic } from '@teacache/core';
import { ProblemsError } from './problems.js';
import { float16BitsToFloat32, float32ToFloat16Bits } from './float16.js';

/** Element types this module reads; values always arrive in memory as float32. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';
/** Element types this module writes. */
export type WritableDtype = 'F32' | 'F16';

/** One tensor: its name, stored element type, shape (row-major) and values widened to float32. */
export interface NamedTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array;
}

/** A header entry: where a tensor lives, as byte offsets into the data buffer after the header. */
export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** A validated header: the tensors in file order and the free-form metadata. */
export interface SafetensorsHeader {
  headerLength: number;
  tensors: TensorEntry[];
  metadata: Record<string, string>;
}

/** Everything a file holds: tensors by name (file order) and the metadata ({} when absent). */
export interface SafetensorsContents {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

/** expected: tensor name -> shape; every one must be present with that shape, and no others unless allowExtra. */
export interface ReadOptions {
  expected?: Record<string, readonly number[]>;
  allowExtra?: boolean;
}

/** A tensor to write: values in row-major order, data.length equal to the product of the shape. */
export interface TensorToWrite {
  name: string;
  shape: readonly number[];
  data: Float32Array;
}

/** How to write: element type for every tensor, and optional string->string metadata. */
export interface WriteOptions {
  dtype: WritableDtype;
  metadata?: Record<string, string>;
}

/** The reference implementation refuses headers above this size (bytes) to avoid parsing huge JSON. */
export const MAX_HEADER_BYTES = 100_000_000;

// Every dtype of the specification, so a file with e.g. I64 is named as unsupported rather than unknown.
const ITEM_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
const READABLE = new Set<string>(['F32', 'F16', 'BF16']);
const LITTLE_ENDIAN_HOST = endianness() === 'LE';
const METADATA_KEY = '__metadata__';

// ---------------------------------------------------------------- reading

/**
 * Read a .safetensors file, checking the header (and expected names/shapes) before reading tensor data.
 * Reads one tensor at a time, so files over 2 GiB load (each tensor must be under 2 GiB).
 */
export function readSafetensors(path: string, options: ReadOptions = {}): SafetensorsContents {
  const file = openSafetensors(path, options);
  try {
    const tensors = new Map<string, NamedTensor>();
    for (const t of file.header.tensors) tensors.set(t.name, file.read(t.name));
    return { tensors, metadata: file.header.metadata };
  } finally {
    file.close();
  }
}

/** An open .safetensors file whose validated header is read and whose tensors are read one at a time. */
export interface SafetensorsFile {
  path: string;
  header: SafetensorsHeader;
  /** The entry of a tensor by name (undefined when absent). */
  entry(name: string): TensorEntry | undefined;
  /** Read one tensor's values (widened to float32) from disk. */
  read(name: string): NamedTensor;
  close(): void;
}

/** Open a .safetensors file for streaming: validates the header now, reads each tensor only when asked. */
export function openSafetensors(path: string, options: ReadOptions = {}): SafetensorsFile {
  const fd = openSync(path, 'r');
  let header: SafetensorsHeader;
  try {
    header = readHeaderFrom(fd, fstatSync(fd).size, path, options);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  const bufferStart = 8 + header.headerLength;
  let open = true;
  return {
    path, header,
    entry: (name) => byName.get(name),
    read(name: string): NamedTensor {
      if (!open) throw new Error(`${path}: read after close`);
      const t = byName.get(name);
      if (!t) throw new FormatError({ file: path, field: name }, 'a tensor of that name', 'no such tensor');
      const bytes = readExactly(fd, bufferStart + t.begin, t.end - t.begin);
      return { name, dtype: t.dtype, shape: t.shape, data: decodeValues(t.dtype, littleEndianCopy(bytes, ITEM_BYTES[t.dtype])) };
    },
    close(): void {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** Read and validate only the header of a .safetensors file (names, dtypes, shapes, offsets, metadata). */
export function readSafetensorsHeader(path: string, options: ReadOptions = {}): SafetensorsHeader {
  const fd = openSync(path, 'r');
  try {
    return readHeaderFrom(fd, fstatSync(fd).size, path, options);
  } finally {
    closeSync(fd);
  }
}

/** Parse safetensors bytes held in memory; file names the source in errors. */
export function parseSafetensors(bytes: Uint8Array, file: string, options: ReadOptions = {}): SafetensorsContents {
  const headerLength = headerLengthOf(bytes.subarray(0, 8), bytes.length, file);
  const bufferStart = 8 + headerLength;
  const header = parseHeader(bytes.subarray(8, bufferStart), bytes.length - bufferStart, file, options);
  return decodeTensors(header, bytes.subarray(bufferStart));
}

/** sha256 of a file's bytes, hex (the weights hash recorded in traces); reads in 1 MiB chunks. */
export function sha256OfFile(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function readHeaderFrom(fd: number, fileSize: number, file: string, options: ReadOptions): SafetensorsHeader {
  const headerLength = headerLengthOf(readExactly(fd, 0, Math.min(8, fileSize)), fileSize, file);
  return parseHeader(readExactly(fd, 8, headerLength), fileSize - 8 - headerLength, file, options);
}

function readExactly(fd: number, position: number, length: number): Uint8Array {
  const out = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, out, filled, length - filled, position + filled);
    if (n === 0) throw new Error(`file shrank while being read: wanted ${length} bytes at offset ${position}`);
    filled += n;
  }
  return out;
}

/** The header length N from the first 8 bytes, checked against the file size and the cap. */
function headerLengthOf(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8) {
    throw new FormatError({ file, field: 'header length' }, 'at least 8 bytes (a u64 header length)', `${fileSize} bytes`);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new FormatError({ file, field: 'header length' }, `at most ${MAX_HEADER_BYTES} bytes`, n.toString());
  }
  if (Number(n) > fileSize - 8) {
    throw new FormatError({ file, field: 'header length' },
      `at most ${fileSize - 8} bytes (the file is ${fileSize} bytes)`, Number(n));
  }
  return Number(n);
}

/** Decode and check the JSON header against a data buffer of bufferLength bytes. */
function parseHeader(headerBytes: Uint8Array, bufferLength: number, file: string, options: ReadOptions): SafetensorsHeader {
  const json = parseHeaderJson(headerBytes, file);
  const metadata = parseMetadata(json[METADATA_KEY], file);
  const tensors = Object.entries(json)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, value]) => parseEntry(name, value, file));
  checkLayout(tensors, bufferLength, file);
  checkExpected(tensors, options, file);
  return { headerLength: headerBytes.length, tensors, metadata };
}

function parseHeaderJson(headerBytes: Uint8Array, file: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw new FormatError({ file, field: 'header' }, 'UTF-8 text', 'invalid UTF-8 bytes');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FormatError({ file, field: 'header' }, 'valid JSON', `a JSON syntax error (${(err as Error).message})`);
  }
  if (!isPlainObject(json)) {
    throw new FormatError({ file, field: 'header' }, 'a JSON object mapping tensor names to entries', json);
  }
  return json;
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new FormatError({ file, field: METADATA_KEY }, 'an object of string to string', value);
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== 'string') {
      throw new FormatError({ file, field: `${METADATA_KEY}.${key}` }, 'a string value', text);
    }
  }
  return Object.fromEntries(Object.entries(value as Record<string, string>));
}

function parseEntry(name: string, value: unknown, file: string): TensorEntry {
  if (!isPlainObject(value)) throw new FormatError({ file, field: name }, 'an object {dtype, shape, data_offsets}', value);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string') throw new FormatError({ file, field: `${name}.dtype` }, 'a dtype string such as "F32"', dtype);
  if (!Object.hasOwn(ITEM_BYTES, dtype)) {
    throw new FormatError({ file, field: `${name}.dtype` }, `a safetensors dtype (${Object.keys(ITEM_BYTES).join(', ')})`, dtype);
  }
  if (!READABLE.has(dtype)) {
    throw new FormatError({ file, field: `${name}.dtype` }, 'a supported dtype (F32, F16 or BF16)', `unsupported ${dtype}`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new FormatError({ file, field: `${name}.shape` }, 'an array of non-negative integers', describeJson(shape));
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw new FormatError({ file, field: `${name}.data_offsets` }, '[begin, end] of non-negative integers', describeJson(offsets));
  }
  const [begin, end] = offsets as number[];
  if (begin > end) throw new FormatError({ file, field: `${name}.data_offsets` }, 'begin <= end', describeJson(offsets));
  const bytes = byteSizeOf(shape as number[], ITEM_BYTES[dtype]);
  if (bytes !== end - begin) {
    throw new FormatError({ file, field: `${name}.data_offsets` },
      `end - begin = ${bytes} bytes (shape ${describeJson(shape)} of ${dtype})`, `${end - begin} bytes`);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], begin, end };
}

/** Product of the shape times the item size; Infinity when it leaves the exact integer range. */
function byteSizeOf(shape: number[], itemBytes: number): number {
  let bytes = itemBytes;
  for (const dim of shape) bytes *= dim;
  return Number.isSafeInteger(bytes) ? bytes : Infinity;
}

/** Ranges inside the buffer, not overlapping, and covering every byte of it (the specification's rule). */
function checkLayout(tensors: TensorEntry[], bufferLength: number, file: string): void {
  const pastEnd = tensors.filter((t) => t.end > bufferLength);
  if (pastEnd.length > 0) {
    const wanted = Math.max(...pastEnd.map((t) => t.end));
    const names = pastEnd.map((t) => t.name);
    throw new ProblemsError(file, 'data buffer', `${wanted} bytes of tensor data as the header describes (the file is truncated: `
      + `${bufferLength} bytes after the header)`, names.map((n) => `tensor "${n}" extends past the end of the file`));
  }
  const ordered = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: TensorEntry | undefined;
  for (const t of ordered) {
    const field = `${t.name}.data_offsets`;
    if (t.end > bufferLength) {
      throw new FormatError({ file, field }, `a range inside the ${bufferLength}-byte data buffer`, `[${t.begin},${t.end}]`);
    }
    if (t.begin < cursor) {
      throw new FormatError({ file, field }, `a range not overlapping tensor "${previous?.name}" (bytes up to ${cursor})`,
        `[${t.begin},${t.end}]`);
    }
    if (t.begin > cursor) {
      throw new FormatError({ file, field }, `to begin at byte ${cursor}: the data buffer must have no bytes outside tensors`,
        `begin ${t.begin} (bytes ${cursor}..${t.begin - 1} belong to no tensor)`);
    }
    cursor = t.end;
    previous = t;
  }
  if (cursor !== bufferLength) {
    throw new FormatError({ file, field: 'data buffer' }, `tensors covering all ${bufferLength} bytes after the header`,
      `${bufferLength - cursor} trailing bytes that belong to no tensor`);
  }
}

function checkExpected(tensors: TensorEntry[], options: ReadOptions, file: string): void {
  const expected = options.expected;
  if (expected === undefined) return;
  const found = new Map(tensors.map((t) => [t.name, t]));
  for (const [name, shape] of Object.entries(expected)) {
    const tensor = found.get(name);
    if (tensor === undefined) {
      const missing = Object.keys(expected).filter((n) => !found.has(n)).length;
      throw new FormatError({ file, field: name }, `a tensor of shape ${describeJson(shape)}`,
        `no such tensor (${missing} expected tensors missing)`);
    }
    if (!sameShape(tensor.shape, shape)) {
      throw new FormatError({ file, field: `${name}.shape` }, describeJson(shape), describeJson(tensor.shape));
    }
  }
  if (options.allowExtra) return;
  const extra = tensors.filter((t) => !Object.hasOwn(expected, t.name));
  if (extra.length > 0) {
    throw new FormatError({ file, field: extra[0].name },
      `only the ${Object.keys(expected).length} expected tensors (allowExtra accepts others)`,
      `an unexpected tensor (${extra.length} in all)`);
  }
}

function decodeTensors(header: SafetensorsHeader, buffer: Uint8Array): SafetensorsContents {
  const tensors = new Map<string, NamedTensor>();
  for (const t of header.tensors) {
    const data = decodeValues(t.dtype, littleEndianCopy(buffer.subarray(t.begin, t.end), ITEM_BYTES[t.dtype]));
    tensors.set(t.name, { name: t.name, dtype: t.dtype, shape: t.shape, data });
  }
  return { tensors, metadata: header.metadata };
}

function decodeValues(dtype: SafetensorsDtype, bytes: Uint8Array): Float32Array {
  if (dtype === 'F32') return new Float32Array(bytes.buffer, 0, bytes.length / 4);
  const halves = new Uint16Array(bytes.buffer, 0, bytes.length / 2);
  if (dtype === 'F16') return float16BitsToFloat32(halves);
  // bfloat16 is the top half of a float32.
  const out = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = halves[i] << 16;
  return new Float32Array(out.buffer);
}

// ---------------------------------------------------------------- writing

/** Write tensors to a .safetensors file atomically (sorted by name, contiguous, header padded to 8 bytes). */
export function writeSafetensors(path: string, tensors: readonly TensorToWrite[], options: WriteOptions): void {
  writeFileAtomic(path, serializeSafetensors(tensors, options, path));
}

/** The bytes of a .safetensors file holding tensors (layout as the reference writer: see writeSafetensors). */
export function serializeSafetensors(tensors: readonly TensorToWrite[], options: WriteOptions, file = '<memory>'): Uint8Array {
  checkWritable(tensors, options, file);
  const itemBytes = ITEM_BYTES[options.dtype];
  const ordered = [...tensors].sort((a, b) => compareUtf8(a.name, b.name));
  const entries: string[] = [];
  if (options.metadata !== undefined) entries.push(`${JSON.stringify(METADATA_KEY)}:${metadataJson(options.metadata)}`);
  let offset = 0;
  for (const t of ordered) {
    const end = offset + t.data.length * itemBytes;
    entries.push(`${JSON.stringify(t.name)}:{"dtype":"${options.dtype}","shape":[${t.shape.join(',')}],` +
      `"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = Buffer.from(`{${entries.join(',')}}`, 'utf8');
  // Spaces pad the header to a multiple of 8 bytes so every tensor's data starts aligned.
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let cursor = 8 + headerLength;
  for (const t of ordered) {
    const values = options.dtype === 'F16' ? float32ToFloat16Bits(t.data) : t.data;
    out.set(littleEndianCopy(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), itemBytes), cursor);
    cursor += values.byteLength;
  }
  return out;
}

/** A tensor to stream out: its name and shape now, its values asked for when it is written. */
export interface TensorSlot {
  name: string;
  shape: readonly number[];
}

/**
 * Write a .safetensors file tensor by tensor (same layout as writeSafetensors) to a temporary sibling,
 * then rename it into place: `valuesOf(name)` is called once per tensor in file order, so only one
 * tensor's values are held at a time. Nothing is left behind if valuesOf throws.
 */
export function writeSafetensorsStreaming(path: string, slots: readonly TensorSlot[], options: WriteOptions,
  valuesOf: (name: string) => Float32Array): void {
  // The slots are checked as empty tensors of their shape would be (names, shapes, dtype, metadata).
  checkWritable([], options, path);
  const seen = new Set<string>();
  for (const t of slots) {
    if (typeof t.name !== 'string' || t.name === '' || t.name === METADATA_KEY || seen.has(t.name)) {
      throw new FormatError({ file: path, field: 'name' }, 'non-empty tensor names, each used once', t.name);
    }
    seen.add(t.name);
    if (!Array.isArray(t.shape) || !t.shape.every(isCount)) {
      throw new FormatError({ file: path, field: `${t.name}.shape` }, 'an array of non-negative integers', describeJson(t.shape));
    }
  }
  const itemBytes = ITEM_BYTES[options.dtype];
  const ordered = [...slots].sort((a, b) => compareUtf8(a.name, b.name));
  const entries: string[] = [];
  if (options.metadata !== undefined) entries.push(`${JSON.stringify(METADATA_KEY)}:${metadataJson(options.metadata)}`);
  let offset = 0;
  for (const t of ordered) {
    const end = offset + t.shape.reduce((a, b) => a * b, 1) * itemBytes;
    entries.push(`${JSON.stringify(t.name)}:{"dtype":"${options.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = Buffer.from(`{${entries.join(',')}}`, 'utf8');
  const headerLength = Math.ceil(json.length / 8) * 8;
  const head = Buffer.alloc(8 + headerLength, 0x20);
  head.writeBigUInt64LE(BigInt(headerLength), 0);
  json.copy(head, 8);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.partial`);
  const fd = openSync(tmp, 'w');
  try {
    let position = writeAll(fd, head, 0);
    for (const t of ordered) {
      const data = valuesOf(t.name);
      const count = t.shape.reduce((a, b) => a * b, 1);
      if (!(data instanceof Float32Array) || data.length !== count) {
        throw new FormatError({ file: path, field: `${t.name}.data` }, `${count} float32 values for shape ${describeJson(t.shape)}`, data?.length);
      }
      const values = options.dtype === 'F16' ? float32ToFloat16Bits(data) : data;
      position = writeAll(fd, littleEndianCopy(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), itemBytes), position);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    throw err;
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): number {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  return position + bytes.length;
}

function checkWritable(tensors: readonly TensorToWrite[], options: WriteOptions, file: string): void {
  if (options.dtype !== 'F32' && options.dtype !== 'F16') {
    throw new FormatError({ file, field: 'dtype' }, 'F32 or F16', options.dtype);
  }
  const seen = new Set<string>();
  for (const t of tensors) {
    if (typeof t.name !== 'string' || t.name === '' || t.name === METADATA_KEY) {
      throw new FormatError({ file, field: 'name' }, `a non-empty tensor name other than ${METADATA_KEY}`, t.name);
    }
    if (seen.has(t.name)) throw new FormatError({ file, field: t.name }, 'a tensor name used once', 'a duplicate');
    seen.add(t.name);
    if (!Array.isArray(t.shape) || !t.shape.every(isCount)) {
      throw new FormatError({ file, field: `${t.name}.shape` }, 'an array of non-negative integers', describeJson(t.shape));
    }
    if (!(t.data instanceof Float32Array)) throw new FormatError({ file, field: `${t.name}.data` }, 'a Float32Array', t.data);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new FormatError({ file, field: `${t.name}.data` }, `${count} values for shape ${describeJson(t.shape)}`, `${t.data.length} values`);
    }
  }
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    if (typeof value !== 'string') throw new FormatError({ file, field: `${METADATA_KEY}.${key}` }, 'a string value', value);
  }
}

/** Metadata as compact JSON with keys in UTF-8 byte order (built by hand: objects reorder integer-like keys). */
function metadataJson(metadata: Record<string, string>): string {
  const keys = Object.keys(metadata).sort(compareUtf8);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`;
}

// ---------------------------------------------------------------- helpers

/** An aligned copy of little-endian bytes, swapped into host order on a big-endian host. */
function littleEndianCopy(bytes: Uint8Array, itemBytes: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  if (!LITTLE_ENDIAN_HOST && itemBytes > 1) {
    for (let i = 0; i < copy.length; i += itemBytes) copy.subarray(i, i + itemBytes).reverse();
  }
  return copy;
}

/** Order by UTF-8 bytes (code points), as the reference writer and Python's sorted() do. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

/** Compact JSON of a header value for messages (arrays shown in full, unlike describeValue). */
function describeJson(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'nothing' : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
