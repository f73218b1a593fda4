import yargs from 'yargs';
import { describeFatal } from '@teacache/core/fatal';
import { commandsFor } from './commands/index.js';
import { argumentError, repeatedSingleOption, unreadableNumberOption } from './commands/option-checks.js';

/** Thrown by the failure handler once the message is printed, so runCli can return 1 instead of exiting. */
class CliFailure extends Error {}

/**
 * Run the `teacache` command line in this process and return its exit code (0 or 1). Errors are printed as one
 * message (see describeFatal), never thrown; tests call this directly instead of spawning the CLI.
 */
export async function runCli(argv: string[]): Promise<number> {
  // yargs can hand one handler error to the failure handler twice: it is printed once.
  let reported = false;
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
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      if (err instanceof CliFailure) throw err;
      if (!reported) process.stderr.write(err ? describeFatal(err) : `teacache: ${msg}\n(see teacache --help)\n`);
      reported = true;
      throw new CliFailure(msg ?? err?.message);
    });
  // Checked for every command before its handler starts: one value per single-valued option, numbers that read.
  // yargs passes itself as a second argument its types do not declare (hence optional here).
  const checkArguments = (parsed: Record<string, unknown>, y?: { getOptions(): { array: string[]; number: string[] } }) => {
    if (!y) throw new Error('teacache: yargs did not pass its options to the argument check');
    const options = y.getOptions();
    const repeated = repeatedSingleOption(parsed, options.array);
    if (repeated) throw argumentError(repeated, 'one value (the option was given more than once)', parsed[repeated]);
    const unreadable = unreadableNumberOption(parsed, options.number);
    if (unreadable) throw argumentError(unreadable, 'a number', argv.find((a, i, all) => all[i - 1] === `--${unreadable}`) ?? 'NaN');
  };
  cli = cli.middleware(checkArguments);
  for (const command of await commandsFor(argv)) cli = cli.command(command);
  try {
    await cli.parseAsync();
    return 0;
  } catch (err) {
    if (!(err instanceof CliFailure) && !reported) process.stderr.write(describeFatal(err));
    return 1;
  }
}

/** Entry point of the `teacache` command: runs it and exits with its code. */
export async function main(argv: string[]): Promise<void> {
  const code = await runCli(argv);
  if (code !== 0) process.exit(code);
}
