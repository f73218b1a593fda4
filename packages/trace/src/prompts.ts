import { existsSync, readFileSync } from 'node:fs';
import { FormatError } from '@teacache/core';
import { clipSpecs } from '@teacache/models';

/**
 * Prompts from a file (one per line; blank lines and lines starting with # ignored) or a built-in set:
 * `builtin:<split>-<video|image>` with split heldout, train, calibration (even held-out captions) or
 * evaluation (odd held-out captions).
 */
export function readPrompts(source: string): string[] {
  const m = /^builtin:(heldout|train|calibration|evaluation)-(video|image)$/.exec(source);
  if (m) {
    const split = m[1] === 'train' ? 'train' : 'heldout';
    const captions = clipSpecs(m[2] as 'video' | 'image').filter((c) => c.split === split).map((c) => c.caption);
    // Calibration and evaluation share no prompt: even and odd held-out captions.
    if (m[1] === 'calibration') return captions.filter((_, i) => i % 2 === 0);
    if (m[1] === 'evaluation') return captions.filter((_, i) => i % 2 === 1);
    return captions;
  }
  if (source.startsWith('builtin:')) {
    throw new FormatError({ file: source }, 'builtin:<heldout|train|calibration|evaluation>-<video|image>');
  }
  if (!existsSync(source)) throw new FormatError({ file: source }, 'a prompts file (one prompt per line)', 'no such file');
  const prompts = readFileSync(source, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (prompts.length === 0) throw new FormatError({ file: source }, 'at least one prompt line', 'none');
  return prompts;
}

/** The default prompts of a family's built-in captions: held-out ones, never trained on. */
export function defaultPromptSource(family: string, split: 'heldout' | 'calibration' | 'evaluation' = 'heldout'): string {
  return `builtin:${split}-${family === 'dit' ? 'image' : 'video'}`;
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
