import { FormatError, MAX_SEED, readTextFile } from '@teacache/core';
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
  const prompts = readTextFile(source, 'prompts file (one prompt per line)').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (prompts.length === 0) throw new FormatError({ file: source }, 'at least one prompt line', 'none');
  return prompts;
}

/** The default prompts of a family's built-in captions: held-out ones, never trained on. */
export function defaultPromptSource(family: string, split: 'heldout' | 'calibration' | 'evaluation' = 'heldout'): string {
  return `builtin:${split}-${family === 'dit' ? 'image' : 'video'}`;
}

/** The largest seed (core's: the sampler's generator takes 32 bits, so larger seeds would repeat smaller ones). */
export { MAX_SEED };
/** Most seeds one command may ask for (each is at least one full sampling run). */
export const MAX_SEEDS = 100_000;

/** Parse a seed list: "0-3", "0,2,5", "7" or a mix ("0-2,9"); whole numbers 0..MAX_SEED, at most MAX_SEEDS. */
export function parseSeeds(text: string, argument = 'seeds'): number[] {
  const where = { file: `argument --${argument}` };
  if (typeof text !== 'string') throw new FormatError(where, 'one list of seeds like 0-3 or 0,2,5', text);
  const seed = (digits: string) => {
    const n = Number(digits);
    if (n > MAX_SEED) throw new FormatError(where, `seeds from 0 to ${MAX_SEED} (the generator takes 32 bits)`, digits);
    return n;
  };
  const seeds = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [seed(range[1]), seed(range[2])];
      if (b < a) throw new FormatError(where, 'a range low-high with low <= high', part);
      // Checked before expanding: a range like 0-1e11 must not be built first.
      if (b - a + 1 + seeds.size > MAX_SEEDS) throw new FormatError(where, `at most ${MAX_SEEDS} seeds`, part);
      for (let s = a; s <= b; s++) seeds.add(s);
    } else if (/^\d+$/.test(part)) seeds.add(seed(part));
    else throw new FormatError(where, 'seeds like 0-3 or 0,2,5', part);
    if (seeds.size > MAX_SEEDS) throw new FormatError(where, `at most ${MAX_SEEDS} seeds`, text);
  }
  if (seeds.size === 0) throw new FormatError(where, 'at least one seed', text);
  return [...seeds];
}

/** A file-name-safe slug of a prompt ("prompt" when it has no Latin letter or digit, e.g. emoji only). */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'prompt';
}
