import { installFatalHandlers } from '@teacache/core/fatal';
import { main } from './main.js';

export { namedCommands } from './commands/index.js';

/** Start the `teacache` command on its arguments (the words after the script's path) and exit with its code. */
export async function start(argv: string[]): Promise<void> {
  installFatalHandlers();
  await main(argv);
}
