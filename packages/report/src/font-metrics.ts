// Kept hand-written (four tables, advance widths only): opentype.js 2.0 took 0.5 s to parse DejaVu Sans here and its
// getAdvanceWidth throws on DejaVu's GSUB (lookup type 6, format 2); vega needs widths, not shaping.
import { readFileSync } from 'node:fs';

/** Horizontal advance widths of a TrueType font, enough to measure a line of text without a renderer. */
export interface FontMetrics {
  unitsPerEm: number;
  /** Advance width of a Unicode code point in font units (the missing glyph's when the font lacks it). */
  advance(codePoint: number): number;
}

/** Parse the `head`, `hhea`, `hmtx` and `cmap` (format 4) tables of a TrueType font file. */
export function readFontMetrics(path: string): FontMetrics {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes.length >= 12 ? view.getUint32(0) : 0;
  // TrueType outlines: version 1.0 or Apple's 'true'
  if (version !== 0x00010000 && version !== 0x74727565) throw new Error(`${path}: not a TrueType font (.ttf)`);
  const tables = new Map<string, number>();
  const numTables = view.getUint16(4);
  for (let i = 0; i < numTables; i++) {
    const record = 12 + 16 * i;
    tables.set(bytes.toString('latin1', record, record + 4), view.getUint32(record + 8));
  }
  const table = (tag: string) => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`${path}: not a TrueType font with a "${tag}" table`);
    return offset;
  };
  const unitsPerEm = view.getUint16(table('head') + 18);
  const hMetricCount = view.getUint16(table('hhea') + 34);
  const hmtx = table('hmtx');
  const advanceOfGlyph = (glyph: number) => view.getUint16(hmtx + 4 * Math.min(glyph, hMetricCount - 1));
  const glyphOf = unicodeCmap(view, table('cmap'), path);
  const cache = new Map<number, number>();
  return {
    unitsPerEm,
    advance(codePoint) {
      let width = cache.get(codePoint);
      if (width === undefined) cache.set(codePoint, width = advanceOfGlyph(glyphOf(codePoint)));
      return width;
    },
  };
}

/** The glyph lookup of the font's Unicode BMP cmap subtable (format 4); glyph 0 for unmapped code points. */
function unicodeCmap(view: DataView, cmap: number, path: string): (codePoint: number) => number {
  const count = view.getUint16(cmap + 2);
  let sub = -1;
  for (let i = 0; i < count; i++) {
    const platform = view.getUint16(cmap + 4 + 8 * i);
    const encoding = view.getUint16(cmap + 6 + 8 * i);
    const offset = cmap + view.getUint32(cmap + 8 + 8 * i);
    if (((platform === 3 && encoding === 1) || platform === 0) && view.getUint16(offset) === 4) { sub = offset; break; }
  }
  if (sub < 0) throw new Error(`${path}: no Unicode cmap subtable of format 4`);
  const segments = view.getUint16(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  return (codePoint) => {
    if (codePoint > 0xffff) return 0;
    for (let s = 0; s < segments; s++) {
      if (codePoint > view.getUint16(ends + 2 * s)) continue;
      const start = view.getUint16(starts + 2 * s);
      if (codePoint < start) return 0;
      const delta = view.getInt16(deltas + 2 * s);
      const rangeOffsetAt = rangeOffsets + 2 * s;
      const rangeOffset = view.getUint16(rangeOffsetAt);
      if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
      const glyph = view.getUint16(rangeOffsetAt + rangeOffset + 2 * (codePoint - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}

/** Width of one line of text in pixels at `fontSize` px, from advance widths (no kerning). */
export function textWidth(metrics: FontMetrics, text: string, fontSize: number): number {
  let units = 0;
  for (const ch of text) units += metrics.advance(ch.codePointAt(0)!);
  return (units * fontSize) / metrics.unitsPerEm;
}
