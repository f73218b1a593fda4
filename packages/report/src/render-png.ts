import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';

/** Where Debian's fonts-dejavu-core puts DejaVu Sans (regular for labels, bold for titles). */
export const DEJAVU_SANS_FILES: readonly string[] = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

/**
 * The font files PNG rendering loads, by path, so the picture does not depend on what the system's
 * font lookup happens to find. Throws with the package to install when they are missing.
 */
export function reportFontFiles(files: readonly string[] = DEJAVU_SANS_FILES): string[] {
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(`PNG rendering needs the DejaVu Sans font; missing ${missing.join(', ')}. ` +
      'Install it with: apt-get install -y fonts-dejavu-core');
  }
  return [...files];
}

/** Render SVG text (as vega writes it) to PNG bytes with resvg, at `scale` × the SVG's pixel size. */
export function renderPng(svg: string, options: { scale?: number; fontFiles?: readonly string[] } = {}): Uint8Array {
  const fontFiles = reportFontFiles(options.fontFiles);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    background: 'white',
    font: {
      loadSystemFonts: false,
      fontFiles,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
    logLevel: 'off',
  });
  return new Uint8Array(resvg.render().asPng());
}
