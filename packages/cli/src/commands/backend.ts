import type { CommandModule } from 'yargs';
import { backendRequestFrom, selectBackend } from '@teacache/models';

/** `teacache backend`: which tfjs backend runs here and why. */
export const backendCommand: CommandModule<object, { backend?: string }> = {
  command: 'backend',
  describe: 'Say which tfjs backend runs and why (tfjs-node-gpu, tfjs-node, wasm; cpu only when named)',
  handler: async (argv) => {
    const request = backendRequestFrom(argv.backend ?? process.env.TEACACHE_BACKEND);
    const choice = await selectBackend(request);
    process.stdout.write(`requested: ${request}${argv.backend ? ' (--backend)' : process.env.TEACACHE_BACKEND ? ' (TEACACHE_BACKEND)' : ' (default)'}\n`);
    for (const a of choice.attempts) process.stdout.write(`  ${a.ok ? 'ok  ' : 'no  '} ${a.provider}: ${a.detail}\n`);
    process.stdout.write(`running: ${choice.name} (${choice.provider}) because ${choice.reason}\n`);
  },
};
