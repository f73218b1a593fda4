import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { encodePngRgb, readJsonFile, tileGrid, writeFileAtomic, writeJsonAtomic, Progress } from '@teacache/core';
import { buildDataset, nearestClip, type Clip } from '@teacache/models';
import { defaultSteps, MAX_SEED, sampleRun } from '@teacache/trace';
import { renderPng, renderSvg } from '@teacache/report';
import { openModel } from './model-source.js';
import { samplingModelFor } from '@teacache/models';
import { printWritten, startCompute } from './common.js';
import { checkGuidance, checkOutputPath, checkSteps, checkWhole } from './args.js';
import { lossSpec, type LossEntry, type StageNote } from './loss-chart.js';
import { COMMAND_SUMMARIES } from './summaries.js';

interface SamplesArgs { model: string; out?: string; seed: number; repeats: number; guidance: number; steps?: number; train: number; backend?: string; engine?: string }

/** Frames of a clip (or sample) as tiles. */
function frameTiles(pixels: Float32Array, frames: number, per: number): Float32Array[] {
  return Array.from({ length: frames }, (_, f) => pixels.subarray(f * per, (f + 1) * per));
}

/** `teacache samples`: sample held-out (and some training) captions of a model, beside the clips they describe. */
export const samplesCommand: CommandModule<object, SamplesArgs> = {
  ...COMMAND_SUMMARIES.samples,
  builder: (y) => y
    .option('model', { type: 'string', demandOption: true, describe: 'built-in model name or a model directory' })
    .option('out', { type: 'string', describe: 'output directory (default reports/models/<name>)' })
    .option('seed', { type: 'number', default: 0, describe: 'seed of the grid\'s samples' })
    .option('repeats', { type: 'number', default: 1, describe: 'seeds per caption the accuracy counts (seed, seed+1, ...); the grid shows the first' })
    .option('guidance', { type: 'number', default: 4 })
    .option('steps', { type: 'number' })
    .option('train', { type: 'number', default: 4, describe: 'training captions to sample as well' }),
  handler: async (argv) => {
    if (argv.out !== undefined) checkOutputPath(argv.out, 'directory');
    if (argv.steps !== undefined) checkSteps(argv.steps);
    checkGuidance(argv.guidance);
    checkWhole(argv.repeats, 'repeats', 1, 1000);
    checkWhole(argv.seed, 'seed', 0, MAX_SEED - (argv.repeats - 1));
    checkWhole(argv.train, 'train', 0, 1000);
    const { engine } = await startCompute(argv);
    const { loaded, name } = openModel(argv.model, undefined, engine);
    const model = samplingModelFor(loaded.model, engine);
    const cfg = loaded.config;
    const out = resolve(argv.out ?? join('reports', 'models', name));
    const steps = argv.steps ?? defaultSteps(cfg.prediction);
    const all = buildDataset(cfg.family === 'dit' ? 'image' : 'video', cfg.frames, cfg.height);
    const chosen: Clip[] = [...all.filter((c) => c.spec.split === 'heldout'), ...all.filter((c) => c.spec.split === 'train').filter((_, i) => i % 11 === 0).slice(0, argv.train)];
    const per = cfg.height * cfg.width * cfg.channels;
    const tiles: Float32Array[][] = [];
    const results: { caption: string; seed: number; split: string; nearest: string; subjectMatch: boolean; exactMatch: boolean; mse: number }[] = [];
    const bar = new Progress({ label: `samples ${name}`, total: chosen.length * argv.repeats, unit: 'samples', logEverySeconds: 10 });
    for (let k = 0; k < argv.repeats; k++) {
      const seed = argv.seed + k;
      for (const clip of chosen) {
        const r = sampleRun({ model, caption: clip.spec.caption, seed, steps, guidance: argv.guidance });
        const near = nearestClip(r.video, all);
        results.push({
          caption: clip.spec.caption, seed, split: clip.spec.split, nearest: near.clip.spec.caption,
          subjectMatch: near.clip.spec.subject.name === clip.spec.subject.name, exactMatch: near.clip.spec.caption === clip.spec.caption, mse: near.mse,
        });
        // One row per caption: the sample's frames, then the clip the caption describes (first seed only).
        if (k === 0) tiles.push([...frameTiles(r.video, cfg.frames, per), new Float32Array(per).fill(1), ...frameTiles(clip.pixels, cfg.frames, per)]);
        bar.tick(1, `${clip.spec.caption} (seed ${seed})`);
      }
    }
    bar.finish();
    if (model !== loaded.model) model.dispose();
    loaded.model.dispose();
    const grid = tileGrid(tiles, cfg.height, cfg.width, { scale: 4, gap: 2, background: 0.85 });
    const gridPath = join(out, 'samples.png');
    writeFileAtomic(gridPath, encodePngRgb(grid.rgb, grid.width, grid.height));
    const heldout = results.filter((r) => r.split === 'heldout');
    const summary = {
      model: name, seed: argv.seed, seeds: argv.repeats, steps, guidance: argv.guidance,
      layout: `one row per caption: generated frames (seed ${argv.seed}) | blank | the clip the caption describes`,
      heldoutSubjectAccuracy: heldout.filter((r) => r.subjectMatch).length / heldout.length,
      heldoutExactAccuracy: heldout.filter((r) => r.exactMatch).length / heldout.length,
      samples: results,
    };
    const summaryPath = join(out, 'samples.json');
    writeJsonAtomic(summaryPath, summary);
    const written = [gridPath, summaryPath];
    const manifest = join(loaded.dir, 'manifest.json');
    if (existsSync(manifest)) {
      const m = readJsonFile(manifest, 'model manifest.json') as { lossHistory: LossEntry[]; untrainedValidationLoss: number; stages?: StageNote[] };
      const svg = await renderSvg(lossSpec(m.lossHistory, m.untrainedValidationLoss, name, m.stages), 'loss');
      const lossPath = join(out, 'loss.png');
      writeFileAtomic(lossPath, renderPng(svg, { scale: 2 }));
      written.push(lossPath);
    }
    const what = cfg.family === 'dit' ? 'placement' : 'motion';
    process.stdout.write(`${name}: nearest data-set clip has the captioned subject for ${heldout.filter((r) => r.subjectMatch).length}/${heldout.length} ` +
      `held-out samples, subject and ${what} for ${heldout.filter((r) => r.exactMatch).length}/${heldout.length}` +
      `${argv.repeats > 1 ? ` (${heldout.length / argv.repeats} captions × seeds ${argv.seed}-${argv.seed + argv.repeats - 1})` : ''}\n`);
    printWritten(written);
  },
};
