import yargs from 'yargs';
import { describeFatal } from '@teacache/core';
import { commands } from './commands/index.js';
import { argumentError, repeatedSingleOption, unreadableNumberOption } from './commands/args.js';

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
    .demandCommand(1, 'Name a command; see --help.')
    .strict()
    .recommendCommands()
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      if (err) {
        process.stderr.write(describeFatal(err));
      } else {
        process.stderr.write(`teacache: ${msg}\n(see teacache --help)\n`);
      }
      process.exit(1);
    });
  // Checked for every command before its handler starts: one value per single-valued option, numbers that read.
  // yargs passes itself as a second argument its types do not declare.
  const checkArguments = (argv: Record<string, unknown>, y: { getOptions(): { array: string[]; number: string[] } }) => {
    const options = y.getOptions();
    const repeated = repeatedSingleOption(argv, options.array);
    if (repeated) throw argumentError(repeated, 'one value (the option was given more than once)', argv[repeated]);
    const unreadable = unreadableNumberOption(argv, options.number);
    if (unreadable) throw argumentError(unreadable, 'a number', process.argv.slice(2).find((a, i, all) => all[i - 1] === `--${unreadable}`) ?? 'NaN');
  };
  cli = cli.middleware(checkArguments as never);
  for (const command of commands) cli = cli.command(command);
  await cli.parseAsync();
}
