import { existsSync, readFileSync } from 'node:fs';
import { FormatError } from '@teacache/core';
import { clipSpecs } from '@teacache/models';

/**
 * Prompts from a file (one per line; blank lines and lines starting with # ignored) or a built-in set:
 * `builtin:heldout-video`, `builtin:train-video`, `builtin:heldout-image`, `builtin:train-image`.
 */
export function readPrompts(source: string): string[] {
  const m = /^builtin:(heldout|train)-(video|image)$/.exec(source);
  if (m) return clipSpecs(m[2] as 'video' | 'image').filter((c) => c.split === m[1]).map((c) => c.caption);
  if (source.startsWith('builtin:')) {
    throw new FormatError({ file: source }, 'builtin:heldout-video, builtin:train-video, builtin:heldout-image or builtin:train-image');
  }
  if (!existsSync(source)) throw new FormatError({ file: source }, 'a prompts file (one prompt per line)', 'no such file');
  const prompts = readFileSync(source, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (prompts.length === 0) throw new FormatError({ file: source }, 'at least one prompt line', 'none');
  return prompts;
}

/** The calibration prompts of a built-in family: held-out captions, so calibration never sees training pairs. */
export function defaultPromptSource(family: string): string {
  return family === 'dit' ? 'builtin:heldout-image' : 'builtin:heldout-video';
}

/** Parse a seed list: "0-3", "0,2,5", "7" or a mix ("0-2,9"). */
export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a) throw new FormatError({ field: 'seeds' }, 'a range low-high with low <= high', part);
      for (let s = a; s <= b; s++) seeds.push(s);
    } else if (/^\d+$/.test(part)) seeds.push(Number(part));
    else throw new FormatError({ field: 'seeds' }, 'seeds like 0-3 or 0,2,5', part);
  }
  if (seeds.length === 0) throw new FormatError({ field: 'seeds' }, 'at least one seed', text);
  return [...new Set(seeds)];
}

/** A file-name-safe slug of a prompt. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'empty';
}
