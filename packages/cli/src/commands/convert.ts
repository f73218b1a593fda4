import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { Progress } from '@teacache/core';
import { CONFIG_FILE, CONVERT_SOURCES, WEIGHTS_FILE, convertCheckpoint } from '@teacache/models';
import { printWritten } from './common.js';
import { COMMAND_SUMMARIES } from './summaries.js';

interface ConvertArgs {
  from: string;
  checkpoint: string;
  out: string;
  heads?: number;
  size?: number;
  height?: number;
  width?: number;
  frames?: number;
  fps?: number;
  skiparse?: number;
  'text-length'?: number;
  dtype: string;
}

/** `teacache convert`: a published checkpoint (safetensors) to a toolkit model directory. */
export const convertCommand: CommandModule<object, ConvertArgs> = {
  ...COMMAND_SUMMARIES.convert,
  builder: (y) => y
    .option('from', { type: 'string', choices: CONVERT_SOURCES, demandOption: true, describe: 'which published model the checkpoint is' })
    .option('checkpoint', { type: 'string', demandOption: true, describe: 'the upstream .safetensors file (original or diffusers naming)' })
    .option('out', { type: 'string', demandOption: true, describe: 'model directory to write (new or empty)' })
    .option('heads', { type: 'number', describe: 'attention heads (not stored in the weights; default: the released model\'s)' })
    .option('size', { type: 'number', describe: 'latent height and width (default: from the checkpoint or the released model)' })
    .option('height', { type: 'number', describe: 'latent height (overrides --size)' })
    .option('width', { type: 'number', describe: 'latent width (overrides --size)' })
    .option('frames', { type: 'number', describe: 'frames per sample for video models (default: the released model\'s)' })
    .option('fps', { type: 'number', describe: 'frame rate an Open-Sora 1.2 model is conditioned on (default 24; 120 for one frame)' })
    .option('skiparse', { type: 'number', describe: 'Skiparse sparse ratio of an Open-Sora-Plan v1.3 model (default 4; 0: dense)' })
    .option('text-length', { type: 'number', describe: 'text-encoder tokens per caption (default: the released model\'s)' })
    .option('dtype', { type: 'string', choices: ['f32', 'f16'], default: 'f32', describe: 'element type of the written weights' }),
  handler: (argv) => {
    let bar: Progress | undefined;
    const result = convertCheckpoint({
      from: argv.from, checkpoint: argv.checkpoint, out: argv.out,
      dtype: argv.dtype === 'f16' ? 'F16' : 'F32',
      options: {
        heads: argv.heads, height: argv.height ?? argv.size, width: argv.width ?? argv.size, frames: argv.frames,
        textLength: argv['text-length'], fps: argv.fps, skiparse: argv.skiparse,
      },
      onProgress: (done, total) => {
        bar ??= new Progress({ label: `convert ${argv.from}`, total, unit: 'tensors', logEverySeconds: 10 });
        bar.set(done);
      },
    });
    bar?.finish();
    const c = result.config;
    process.stdout.write(`${argv.checkpoint} (${result.naming} naming): ${result.tensors} tensors, ${(result.parameters / 1e6).toFixed(1)}M parameters; `
      + `${c.family} hidden ${c.hiddenSize}, depth ${c.depth}, heads ${c.heads}, ${c.frames}x${c.height}x${c.width}x${c.channels}\n`);
    for (const i of result.ignored) process.stdout.write(`  left out ${i.name}: ${i.why}\n`);
    printWritten([join(result.dir, CONFIG_FILE), join(result.dir, WEIGHTS_FILE)]);
  },
};
