import { EMOJI, renderEmoji, type Bitmap, type EmojiSpec } from './emoji.js';

/** How a subject moves over a clip (video families) or where it sits (images). */
export const MOTIONS = ['moving left', 'moving right', 'moving up', 'moving down', 'growing', 'shrinking'] as const;
export const PLACEMENTS = ['on the left', 'on the right', 'at the top', 'at the bottom', 'small', 'large'] as const;

export interface ClipSpec {
  subject: EmojiSpec;
  /** Index into MOTIONS (video) or PLACEMENTS (image). */
  variant: number;
  caption: string;
  split: 'train' | 'heldout';
}

/** One clip: frames × height × width × 3 in [0, 1], frame-major, row-major, RGB. */
export interface Clip {
  spec: ClipSpec;
  frames: number;
  height: number;
  width: number;
  pixels: Float32Array;
}

/**
 * Every (subject, motion) caption of the data set. One motion per subject is held out (a Latin-square
 * pattern), so held-out captions combine a known subject and a known motion in a pair never trained on.
 */
export function clipSpecs(kind: 'video' | 'image'): ClipSpec[] {
  const names = kind === 'video' ? MOTIONS : PLACEMENTS;
  const specs: ClipSpec[] = [];
  EMOJI.forEach((subject, s) => {
    names.forEach((variantName, v) => {
      specs.push({
        subject, variant: v, caption: `${subject.name} ${variantName}`,
        split: v === s % names.length ? 'heldout' : 'train',
      });
    });
  });
  return specs;
}

/** Centre (x, y) and size of the subject at frame f of `frames`, in pixels of a size×size canvas. */
function placement(kind: 'video' | 'image', variant: number, f: number, frames: number, size: number): [number, number, number] {
  const u = frames > 1 ? f / (frames - 1) : 0;
  const mid = size / 2;
  const base = size * 0.55;
  const lo = size * 0.3;
  const hi = size * 0.7;
  if (kind === 'image') {
    return ([
      [lo, mid, base], [hi, mid, base], [mid, lo, base], [mid, hi, base], [mid, mid, size * 0.4], [mid, mid, size * 0.95],
    ] as [number, number, number][])[variant];
  }
  const path = (a: number, b: number) => a + (b - a) * u;
  switch (variant) {
    case 0: return [path(hi, lo), mid, base];
    case 1: return [path(lo, hi), mid, base];
    case 2: return [mid, path(hi, lo), base];
    case 3: return [mid, path(lo, hi), base];
    case 4: return [mid, mid, path(size * 0.35, size * 0.95)];
    default: return [mid, mid, path(size * 0.95, size * 0.35)];
  }
}

/** Bilinear sample of an RGBA bitmap at (x, y) in its pixel coordinates; outside is transparent. */
function sample(b: Bitmap, x: number, y: number): [number, number, number, number] {
  const x0 = Math.floor(x - 0.5);
  const y0 = Math.floor(y - 0.5);
  const fx = x - 0.5 - x0;
  const fy = y - 0.5 - y0;
  const out: [number, number, number, number] = [0, 0, 0, 0];
  for (const [dx, dy, w] of [[0, 0, (1 - fx) * (1 - fy)], [1, 0, fx * (1 - fy)], [0, 1, (1 - fx) * fy], [1, 1, fx * fy]] as const) {
    const px = x0 + dx;
    const py = y0 + dy;
    if (px < 0 || py < 0 || px >= b.width || py >= b.height || w === 0) continue;
    const i = (py * b.width + px) * 4;
    const a = b.rgba[i + 3] * w;
    out[0] += b.rgba[i] * a; out[1] += b.rgba[i + 1] * a; out[2] += b.rgba[i + 2] * a; out[3] += a;
  }
  return out;
}

const sources = new Map<string, Bitmap>();

/** Render one clip on a white background (the subject composited by its alpha). */
export function renderClip(spec: ClipSpec, kind: 'video' | 'image', frames: number, size: number): Clip {
  const sourceSize = 64;
  let src = sources.get(spec.subject.codepoint);
  if (!src) {
    src = renderEmoji(spec.subject, sourceSize);
    sources.set(spec.subject.codepoint, src);
  }
  const pixels = new Float32Array(frames * size * size * 3);
  for (let f = 0; f < frames; f++) {
    const [cx, cy, s] = placement(kind, spec.variant, f, frames, size);
    const scale = sourceSize / s;
    // Supersample 4×4 per pixel so a 64 px source shrinks without aliasing.
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let r = 0, g = 0, bl = 0, a = 0;
        for (let sy = 0; sy < 4; sy++) {
          for (let sx = 0; sx < 4; sx++) {
            const px = x + (sx + 0.5) / 4;
            const py = y + (sy + 0.5) / 4;
            const [pr, pg, pb, pa] = sample(src, (px - cx) * scale + sourceSize / 2, (py - cy) * scale + sourceSize / 2);
            r += pr; g += pg; bl += pb; a += pa;
          }
        }
        const o = ((f * size + y) * size + x) * 3;
        pixels[o] = (r + (16 - a)) / 16;
        pixels[o + 1] = (g + (16 - a)) / 16;
        pixels[o + 2] = (bl + (16 - a)) / 16;
      }
    }
  }
  return { spec, frames, height: size, width: size, pixels };
}

/** The data set of a family: every clip rendered, with its split. */
export function buildDataset(kind: 'video' | 'image', frames: number, size: number): Clip[] {
  return clipSpecs(kind).map((s) => renderClip(s, kind, frames, size));
}
