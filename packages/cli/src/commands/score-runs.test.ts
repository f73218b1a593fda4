import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng, encodePngRgb, parseNpy } from '@teacache/core';
import { writeSafetensors } from '@teacache/models';
import { scoreRuns } from './score-runs.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'teacache.js');

/** A NumPy .npy file (format 1.0) of little-endian float32 or uint8, written by hand from the format's description. */
function npy(shape: number[], values: ArrayLike<number>, dtype: '<f4' | '|u1' = '<f4'): Buffer {
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const data = dtype === '<f4' ? Buffer.from(Float32Array.from(values).buffer) : Buffer.from(Uint8Array.from(values));
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1'); head[6] = 1; head[7] = 0; head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
}

const H = 12; const W = 12; const C = 3;
function frame(seed: number): number[] {
  return Array.from({ length: H * W * C }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.37 + seed));
}
function record(dir: string, name: string, fields: Record<string, unknown>): string {
  const path = join(dir, `${name}.run.json`);
  writeFileSync(path, JSON.stringify({
    format: 'teacache-run', version: 1, model: 'm', policy: 'teacache', params: { threshold: 0.1 }, threshold: 0.1, prompt: 'p', seed: 0,
    steps: 4, schedule: { cond: 'CRRC' }, wallSeconds: 1, output: `${name}.npy`, backend: 'pytorch-cpu', ...fields,
  }));
  return path;
}
function setup(): string {
  const dir = mkdtempSync(join(tmpdir(), 'score-'));
  writeFileSync(join(dir, 'ref.npy'), npy([2, H, W, C], [...frame(0), ...frame(1)]));
  writeFileSync(join(dir, 'fast.npy'), npy([2, H, W, C], [...frame(0.05), ...frame(1.05)]));
  record(dir, 'ref', { policy: 'none', params: {}, threshold: null, schedule: { cond: 'CCCC' }, wallSeconds: 2 });
  record(dir, 'fast', {});
  return dir;
}

describe('scoring runs made elsewhere', () => {
  test('a cached run against its reference: counts, speedups and both quality protocols', () => {
    const dir = setup();
    const rows = scoreRuns([join(dir, 'ref.run.json'), join(dir, 'fast.run.json')]);
    // An identical run: pooled PSNR Infinity, the paper's protocol 100 dB (its evaluation code's value for identical frames).
    expect(rows[0]).toMatchObject({ policy: 'none', psnr: Infinity, psnrFrames8bit: 100, ssim: 1, wallSpeedup: 1, source: 'score' });
    expect(rows[1]).toMatchObject({ policy: 'teacache', computedSteps: 2, skippedSteps: 2, stepSpeedup: 2, wallSpeedup: 2, schedule: 'CRRC' });
    // pooled float MSE by hand
    const a = [...frame(0), ...frame(1)].map(Math.fround);
    const b = [...frame(0.05), ...frame(1.05)].map(Math.fround);
    const mse = a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;
    expect(rows[1].psnr).toBeCloseTo(10 * Math.log10(1 / mse), 9);
    expect(rows[1].psnrFrames8bit).toBeGreaterThan(20);
  });

  test('PNG frames and a safetensors output read as the same values', () => {
    const dir = setup();
    const f0 = frame(0);
    writeFileSync(join(dir, 'f0.png'), encodePngRgb(f0, W, H));
    writeFileSync(join(dir, 'f1.png'), encodePngRgb(frame(1), W, H));
    const png = decodePng(readFileSync(join(dir, 'f0.png')), 'f0.png');
    expect(png.shape).toEqual([H, W, C]);
    png.data.forEach((v, i) => expect(v).toBe(Math.round(f0[i] * 255) / 255));
    record(dir, 'frames', { output: ['f0.png', 'f1.png'] });
    writeSafetensors(join(dir, 'out.safetensors'), [{ name: 'video', shape: [2, H, W, C], data: Float32Array.from([...frame(0.05), ...frame(1.05)]) }], { dtype: 'F32' });
    record(dir, 'st', { output: 'out.safetensors', threshold: 0.2, params: { threshold: 0.2 } });
    const rows = scoreRuns([join(dir, 'ref.run.json'), join(dir, 'frames.run.json'), join(dir, 'st.run.json'), join(dir, 'fast.run.json')]);
    expect(rows[2].psnr).toBeCloseTo(rows[3].psnr, 12); // safetensors holds the same floats as fast.npy
    expect(rows[1].psnr).toBeGreaterThan(40); // PNG frames: only 8-bit rounding away from the reference
  });

  test('uint8 .npy frames read as v/255', () => {
    const back = parseNpy(npy([2, 2, 1], [0, 51, 255, 128], '|u1'), 'u.npy');
    expect(Array.from(back.data)).toEqual([0, 0.2, 1, 128 / 255]);
  });

  test('a shape mismatch names the cached output, the reference and both shapes', () => {
    const dir = setup();
    writeFileSync(join(dir, 'fast.npy'), npy([1, H, W, C], frame(0)));
    expect(() => scoreRuns([join(dir, 'ref.run.json'), join(dir, 'fast.run.json')]))
      .toThrow(/fast\.npy, field "shape": expected 2 frames of 12x12x3, as the reference .*ref\.npy, found "1 frames of 12x12x3"/);
  });

  test('NaN frames are refused naming the file and the frame', () => {
    const dir = setup();
    const bad = [...frame(0), ...frame(1)];
    bad[H * W * C + 7] = NaN;
    writeFileSync(join(dir, 'fast.npy'), npy([2, H, W, C], bad));
    expect(() => scoreRuns([join(dir, 'ref.run.json'), join(dir, 'fast.run.json')])).toThrow(/fast\.npy, field "frame 1": expected finite values, found "NaN at value 7"/);
  });

  test('a cached run without its reference, and a schedule of the wrong length, are named', () => {
    const dir = setup();
    expect(() => scoreRuns([join(dir, 'fast.run.json')])).toThrow(/fast\.run\.json, field "policy": expected an uncached reference run \(policy none\) of model "m", prompt "p", seed 0, 4 steps/);
    record(dir, 'short', { schedule: { cond: 'CRC' } });
    expect(() => scoreRuns([join(dir, 'ref.run.json'), join(dir, 'short.run.json')])).toThrow(/short\.run\.json, field "schedule\.cond": expected one letter per step \(4\), found "3 letters"/);
  });

  test('the command writes nothing when any input is bad, and keeps rows it already has on a second run', () => {
    const dir = setup();
    const out = join(dir, 'sweep.jsonl');
    writeFileSync(join(dir, 'fast.npy'), npy([1, H, W, C], frame(0)));
    const bad = spawnSync(process.execPath, [bin, 'score', '--runs', dir, '--out', out], { encoding: 'utf8', timeout: 120000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/teacache: .*fast\.npy, field "shape"/);
    expect(existsSync(out)).toBe(false);
    writeFileSync(join(dir, 'fast.npy'), npy([2, H, W, C], [...frame(0.05), ...frame(1.05)]));
    for (const expected of [/2 new rows, 0 already/, /0 new rows, 2 already/]) {
      const ok = spawnSync(process.execPath, [bin, 'score', '--runs', dir, '--out', out], { encoding: 'utf8', timeout: 120000 });
      expect(ok.status).toBe(0);
      expect(ok.stderr).toMatch(expected);
    }
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(2);
  });
});
