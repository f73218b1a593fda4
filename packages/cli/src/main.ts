import yargs from 'yargs';
import { commands } from './commands/index.js';

/** Entry point of the `teacache` command. */
export async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv)
    .scriptName('teacache')
    .usage('$0 <command> [options]\n\nCalibrate training-free caches (TeaCache and peers) on diffusion transformers.')
    .option('backend', {
      type: 'string',
      choices: ['auto', 'tensorflow', 'wasm', 'cpu'],
      describe: 'tfjs backend (env TEACACHE_BACKEND); cpu only when named',
    })
    .option('engine', {
      type: 'string',
      choices: ['auto', 'tfjs', 'onnx'],
      describe: 'engine that samples (env TEACACHE_ENGINE): onnx (ONNX Runtime) or tfjs; auto takes onnx when it loads; training always runs on tfjs',
    })
    .demandCommand(1, 'Name a command; see --help.')
    .strict()
    .recommendCommands()
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      if (err) {
        process.stderr.write(`teacache: ${err.message}\n`);
        if (process.env.TEACACHE_DEBUG) process.stderr.write(`${err.stack}\n`);
      } else {
        process.stderr.write(`teacache: ${msg}\n(see teacache --help)\n`);
      }
      process.exit(1);
    });
  for (const command of commands) cli = cli.command(command);
  await cli.parseAsync();
}
