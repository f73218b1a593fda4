import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';

/** An emoji from the Twemoji set (graphics CC-BY 4.0, shipped by the npm package @twemoji/svg). */
export interface EmojiSpec {
  name: string;
  codepoint: string;
}

/** The built-in subjects: distinct colours and shapes, so a 16×16 sample is recognisable. */
export const EMOJI: readonly EmojiSpec[] = [
  { name: 'apple', codepoint: '1f34e' },
  { name: 'frog', codepoint: '1f438' },
  { name: 'fox', codepoint: '1f98a' },
  { name: 'sun', codepoint: '1f31e' },
  { name: 'whale', codepoint: '1f433' },
  { name: 'grapes', codepoint: '1f347' },
  { name: 'pig', codepoint: '1f437' },
  { name: 'panda', codepoint: '1f43c' },
  { name: 'cherries', codepoint: '1f352' },
  { name: 'cat', codepoint: '1f431' },
];

/** An RGBA bitmap with values in [0, 1], row-major. */
export interface Bitmap {
  width: number;
  height: number;
  rgba: Float32Array;
}

let svgDir: string | null = null;

function twemojiDir(): string {
  if (!svgDir) {
    const require = createRequire(import.meta.url);
    svgDir = dirname(require.resolve('@twemoji/svg/package.json'));
  }
  return svgDir;
}

/** Render an emoji's SVG to a size×size RGBA bitmap with resvg (deterministic, no browser). */
export function renderEmoji(spec: EmojiSpec, size: number): Bitmap {
  const file = join(twemojiDir(), `${spec.codepoint}.svg`);
  const svg = readFileSync(file, 'utf8');
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' }).render();
  const pixels = png.pixels;
  const rgba = new Float32Array(size * size * 4);
  // resvg returns premultiplied RGBA bytes; un-premultiply so sampling and compositing are straightforward.
  for (let i = 0; i < size * size; i++) {
    const a = pixels[i * 4 + 3] / 255;
    rgba[i * 4 + 3] = a;
    for (let k = 0; k < 3; k++) rgba[i * 4 + k] = a > 0 ? Math.min(1, pixels[i * 4 + k] / 255 / a) : 0;
  }
  return { width: png.width, height: png.height, rgba };
}
