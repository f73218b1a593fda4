import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { float16BitsToFloat32, float32ToFloat16Bits } from './float16.js';

// Written by packages/models/scripts/safetensors_ref.py with numpy's float32 <-> float16 casts.
interface NumpyFixture {
  numpy_version: string;
  single_bits: number[];
  half_bits: number[];
  every_half_to_single_sha256: string;
  sample_half_bits: number[];
  sample_single_bits: number[];
}
const fixture: NumpyFixture = JSON.parse(
  readFileSync(new URL('./fixtures/float16-numpy.json', import.meta.url), 'utf8'),
);

const singlesFromBits = (bits: number[]): Float32Array => new Float32Array(Uint32Array.from(bits).buffer);
const bitsOfSingles = (values: Float32Array): number[] => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
const isHalfNaN = (h: number): boolean => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
const everyHalf = (): Uint16Array => Uint16Array.from({ length: 0x10000 }, (_, i) => i);

/** The binary16 definition, evaluated in float64: (-1)^s * 2^(e-15) * 1.m, or 2^-14 * 0.m when e = 0. */
function halfValueByDefinition(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * Math.pow(2, -14) * (m / 1024);
  return sign * Math.pow(2, e - 15) * (1 + m / 1024);
}

describe('float32ToFloat16Bits', () => {
  test('rounds every fixture value to the same half bits as numpy, ties to even and overflow included', () => {
    const ours = float32ToFloat16Bits(singlesFromBits(fixture.single_bits));
    const mismatches: string[] = [];
    fixture.half_bits.forEach((expected, i) => {
      const same = isHalfNaN(expected)
        ? isHalfNaN(ours[i]) && (ours[i] & 0x8000) === (expected & 0x8000)
        : ours[i] === expected;
      if (!same) mismatches.push(`single 0x${fixture.single_bits[i].toString(16)}: numpy 0x${expected.toString(16)}, ours 0x${ours[i].toString(16)}`);
    });
    expect(fixture.half_bits.length).toBeGreaterThan(3000);
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  test.each([
    ['the largest finite half', 65504, 0x7bff],
    ['a value just under the overflow threshold', 65519.99, 0x7bff],
    ['the overflow threshold (a tie that rounds to even, i.e. to Infinity)', 65520, 0x7c00],
    ['a float32 far above the half range', 3.4e38, 0x7c00],
    ['negative infinity', -Infinity, 0xfc00],
    ['negative zero', -0, 0x8000],
    ['the smallest normal half 2^-14', 2 ** -14, 0x0400],
    ['the smallest subnormal half 2^-24', 2 ** -24, 0x0001],
    ['2^-25, a tie between zero and 2^-24 (rounds to even: zero)', 2 ** -25, 0x0000],
    ['3 * 2^-25, a tie between 1 and 2 subnormal units (rounds to even: 2)', 3 * 2 ** -25, 0x0002],
    ['a value below half the smallest subnormal', 1e-8, 0x0000],
    ['a float32 subnormal', 1e-45, 0x0000],
    ['1 + 2^-11, a tie between 1 and 1 + 2^-10 (rounds to even: 1)', 1 + 2 ** -11, 0x3c00],
    ['1 + 3 * 2^-11, a tie between 1 + 2^-10 and 1 + 2^-9 (rounds to even: 1 + 2^-9)', 1 + 3 * 2 ** -11, 0x3c02],
    ['2049, a tie that rounds down to 2048', 2049, 0x6800],
    ['2051, a tie that rounds up to 2052', 2051, 0x6802],
    ['the largest subnormal rounded up into the smallest normal', (2 ** -14) - 2 ** -26, 0x0400],
  ])('converts %s', (_name, value, expected) => {
    expect(float32ToFloat16Bits(Float32Array.of(value))[0]).toBe(expected);
  });

  test('turns NaN into a half NaN with the same sign, never into Infinity', () => {
    // 0x7f800001 is a signalling NaN whose payload lies entirely in the bits half precision drops.
    const nans = singlesFromBits([0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001]);
    const halves = Array.from(float32ToFloat16Bits(nans));
    expect(halves.map(isHalfNaN)).toEqual([true, true, true, true]);
    expect(halves.map((h) => h >> 15)).toEqual([0, 1, 0, 1]);
  });

  test('reads a subarray that starts inside a larger buffer', () => {
    const whole = Float32Array.of(7, 1.5, -2, 9);
    expect(Array.from(float32ToFloat16Bits(whole.subarray(1, 3)))).toEqual([0x3e00, 0xc000]);
  });
});

describe('float16BitsToFloat32', () => {
  test('decodes all 65536 half patterns to the float32 bytes numpy gives', () => {
    const ours = float16BitsToFloat32(everyHalf());
    const digest = createHash('sha256').update(new Uint8Array(ours.buffer)).digest('hex');
    const sample = Uint16Array.from(fixture.sample_half_bits);
    expect(bitsOfSingles(float16BitsToFloat32(sample))).toEqual(fixture.sample_single_bits);
    expect(digest).toBe(fixture.every_half_to_single_sha256);
  });

  test('decodes every half pattern to the value the binary16 definition gives', () => {
    const halves = everyHalf();
    const ours = float16BitsToFloat32(halves);
    const wrong = Array.from(halves).filter((h, i) => !Object.is(ours[i], halfValueByDefinition(h)));
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  test('round trips every non-NaN half through float32 unchanged', () => {
    const halves = Uint16Array.from(Array.from(everyHalf()).filter((h) => !isHalfNaN(h)));
    expect(Array.from(float32ToFloat16Bits(float16BitsToFloat32(halves)))).toEqual(Array.from(halves));
  });
});
