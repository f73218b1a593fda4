import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { BUILTIN_MODELS, DiffusionTransformer, FAMILIES, tokenCounts } from '@teacache/models';
import { readJsonFile } from '@teacache/core';
import { builtinModelDir } from './model-source.js';
import { startBackend } from './common.js';
import { COMMAND_SUMMARIES } from './summaries.js';

const FAMILY_TEXT: Record<string, string> = {
  dit: 'image DiT: adaLN-Zero in every block, conditioned on timestep + pooled text',
  stdit: 'Open-Sora 1.2 style: spatial/temporal blocks alternating, adaLN-single, cross-attention to text',
  latte: 'Latte style: spatial/temporal blocks alternating, adaLN-single, cross-attention in spatial blocks',
  osp: 'Open-Sora-Plan style: full 3D attention over space-time tokens, adaLN-single, cross-attention',
};

/** `teacache models`: the families and the built-in models with their sizes. */
export const modelsCommand: CommandModule<object, { backend?: string }> = {
  ...COMMAND_SUMMARIES.models,
  handler: async (argv) => {
    await startBackend(argv);
    process.stdout.write('families:\n');
    for (const f of FAMILIES) process.stdout.write(`  ${f.padEnd(6)} ${FAMILY_TEXT[f]}\n`);
    process.stdout.write('\nbuilt-in models:\n');
    for (const b of BUILTIN_MODELS) {
      const c = b.config;
      const m = new DiffusionTransformer(c, { seed: 0 });
      const params = m.params.count();
      m.dispose();
      const dir = builtinModelDir(b.name);
      const manifest = join(dir, 'manifest.json');
      let state = 'not trained yet (teacache train --model ' + b.name + ')';
      if (existsSync(manifest)) {
        const mf = readJsonFile(manifest, 'model manifest.json') as { steps: number; finalValidationLoss: number; untrainedValidationLoss: number };
        state = `trained ${mf.steps} steps, validation loss ${mf.finalValidationLoss.toFixed(4)} (untrained ${mf.untrainedValidationLoss.toFixed(4)})`;
      }
      process.stdout.write(`  ${b.name.padEnd(11)} ${b.family.padEnd(6)} ${(params / 1e6).toFixed(2)}M params, ` +
        `${c.frames}x${c.height}x${c.width}x${c.channels}, patch ${c.patchSize}, ${tokenCounts(c).total} tokens, ` +
        `hidden ${c.hiddenSize}, depth ${c.depth}, heads ${c.heads}, ${c.prediction}\n      ${b.description}; ${state}\n`);
    }
  },
};
