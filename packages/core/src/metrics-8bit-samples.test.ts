import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FormatError } from './errors.js';
import { psnrFrames } from './metrics.js';
import { frameTo8bit, psnrFrames8bit, ssimFrames8bit } from './metrics-8bit.js';

// Expected values from numpy and scikit-image (packages/core/scripts/frames8bit_samples_reference.py) on real samples
// of two built-in models (uncached and TeaCache-cached, packages/trace/scripts/dump-sample-pair.ts) and a synthetic case.
const dir = new URL('./fixtures/frames8bit-samples/', import.meta.url);
interface Case { name: string; shape: [number, number, number, number]; psnr: number | null; ssim: number; files?: [string, string]; a?: number[]; b?: number[]; pooledFloatPsnr?: number }
const expected = JSON.parse(readFileSync(fileURLToPath(new URL('expected.json', dir)), 'utf8')) as { cases: Case[] };

function video(c: Case, which: 0 | 1): Float64Array[] {
  const flat = c.files
    ? Float64Array.from(new Float32Array(new Uint8Array(readFileSync(fileURLToPath(new URL(c.files[which], dir)))).buffer))
    : Float64Array.from(which === 0 ? c.a! : c.b!);
  const [frames, h, w, ch] = c.shape;
  const per = h * w * ch;
  expect(flat.length).toBe(frames * per);
  return Array.from({ length: frames }, (_, f) => flat.subarray(f * per, (f + 1) * per));
}

describe('the TeaCache paper quality protocol (per-frame 8-bit PSNR and SSIM, averaged) on real samples', () => {
  test.each(expected.cases.map((c) => [c.name, c] as const))('matches numpy and scikit-image: %s', (_name, c) => {
    const a = video(c, 0);
    const b = video(c, 1);
    const [, height, width, channels] = c.shape;
    expect(psnrFrames8bit(a, b)).toBeCloseTo(c.psnr!, 9);
    expect(ssimFrames8bit(a, b, { height, width, channels })).toBeCloseTo(c.ssim, 9);
    // and differs from the pooled-float PSNR the toolkit reports beside it
    if (c.pooledFloatPsnr !== undefined) expect(psnrFrames(a, b, 1)).toBeCloseTo(c.pooledFloatPsnr, 4);
  });

  test('counts an identical frame as 100 dB, as the paper\'s evaluation code does, so an identical run is 100 dB', () => {
    const f = [new Float64Array([0.1, 0.2, 0.3]), new Float64Array([0.2, 0.2, 0.2])];
    expect(psnrFrames8bit(f, f)).toBe(100);
    const g = [f[0], new Float64Array([0.2, 0.2, 0.2 + 1 / 255])];
    // frame 1 identical: 100; frame 2: one value off by one level of 3 → MSE 1/3 level² → 10·log10(3·255²)
    expect(psnrFrames8bit(f, g)).toBeCloseTo((100 + 10 * Math.log10(3 * 255 * 255)) / 2, 12);
  });

  test('rounds like numpy: clipped to [0, 1], halves to even', () => {
    expect(Array.from(frameTo8bit([-0.5, 1.5, 0.5, 2.5 / 255, 3.5 / 255, 1 / 255]))).toEqual([0, 255, 128, 2, 4, 1]);
  });

  test('refuses NaN pixels, unequal frame counts and unequal frame sizes, naming the field', () => {
    const f = [new Float64Array([0.1, 0.2])];
    expect(() => psnrFrames8bit([new Float64Array([NaN, 0])], [new Float64Array([0, 0])])).toThrow(/NaN at value 0/);
    expect(() => psnrFrames8bit(f, [...f, ...f])).toThrow(FormatError);
    expect(() => psnrFrames8bit(f, [new Float64Array(3)])).toThrow(/frame 0/);
    expect(() => psnrFrames8bit([], [])).toThrow(/at least one frame/);
  });
});
