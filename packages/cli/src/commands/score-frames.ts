import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { decodePng, FormatError, parseNpy, type FrameArray, type RunRecord } from '@teacache/core';
import { readSafetensors } from '@teacache/models';

/** A run's output as frames: each frame an HWC array of values (8-bit files read as v/255). */
export interface Frames {
  height: number;
  width: number;
  channels: number;
  frames: Float64Array[];
  /** The file(s) read, for messages. */
  source: string;
}

function framesOf(array: FrameArray, layout: 'FHWC' | 'HWC' | undefined, file: string): Frames {
  const shape = array.shape;
  const use = layout ?? (shape.length === 3 ? 'HWC' : 'FHWC');
  if (shape.length !== use.length) {
    throw new FormatError({ file, field: 'shape' }, `${use.length} dimensions (${use}; set "layout" in the run record)`, `(${shape.join(', ')})`);
  }
  const [f, h, w, c] = use === 'HWC' ? [1, ...shape] : shape;
  const size = h * w * c;
  const frames = Array.from({ length: f }, (_, i) => array.data.subarray(i * size, (i + 1) * size));
  return { height: h, width: w, channels: c, frames, source: file };
}

function loadOne(path: string, record: RunRecord, recordPath: string): FrameArray {
  if (!existsSync(path)) throw new FormatError({ file: recordPath, field: 'output' }, `an existing output file ${path}`, 'no such file');
  const ext = extname(path).toLowerCase();
  if (ext === '.npy') return parseNpy(readFileSync(path), path);
  if (ext === '.png') return decodePng(readFileSync(path), path);
  if (ext === '.safetensors') {
    const { tensors } = readSafetensors(path);
    const names = [...tensors.keys()];
    const name = record.tensor ?? (names.length === 1 ? names[0] : undefined);
    const t = name === undefined ? undefined : tensors.get(name);
    if (!t) throw new FormatError({ file: recordPath, field: 'tensor' }, `the name of one tensor of ${path} (${names.join(', ')})`, record.tensor ?? 'none given');
    return { shape: t.shape, data: Float64Array.from(t.data) };
  }
  throw new FormatError({ file: recordPath, field: 'output' }, 'a .npy, .safetensors or .png file', path);
}

/** Load a run's output frames (paths relative to the record); NaN or infinite values are refused naming the frame. */
export function loadFrames(record: RunRecord, recordPath: string): Frames {
  const base = dirname(recordPath);
  const paths = (Array.isArray(record.output) ? record.output : [record.output]).map((p) => join(base, p));
  let frames: Frames;
  if (paths.length === 1 && extname(paths[0]).toLowerCase() !== '.png') {
    frames = framesOf(loadOne(paths[0], record, recordPath), record.layout, paths[0]);
  } else {
    const parts = paths.map((p) => framesOf(loadOne(p, record, recordPath), 'HWC', p));
    const first = parts[0];
    for (const p of parts) {
      if (p.height !== first.height || p.width !== first.width || p.channels !== first.channels) {
        throw new FormatError({ file: p.source, field: 'shape' }, `${first.height}x${first.width}x${first.channels} like ${first.source}`, `${p.height}x${p.width}x${p.channels}`);
      }
    }
    frames = { ...first, frames: parts.map((p) => p.frames[0]), source: paths.join(', ') };
  }
  frames.frames.forEach((f, i) => {
    const bad = f.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new FormatError({ file: frames.source, field: `frame ${i}` }, 'finite values', `${f[bad]} at value ${bad}`);
  });
  return frames;
}
