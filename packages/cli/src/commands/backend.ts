import type { CommandModule } from 'yargs';
import { backendRequestFrom, coresAvailable, engineRequestFrom, selectBackend, selectEngine, threadsPerProcess } from '@teacache/models';
import { COMMAND_SUMMARIES } from './summaries.js';

function source(flag: string | undefined, env: string): string {
  return flag ? '--' : process.env[env] ? env : 'default';
}

/** `teacache backend`: which engine samples (and its execution providers and threads) and which tfjs backend runs. */
export const backendCommand: CommandModule<object, { backend?: string; engine?: string }> = {
  ...COMMAND_SUMMARIES.backend,
  handler: async (argv) => {
    const out = (s: string) => process.stdout.write(s + '\n');
    const engineRequest = engineRequestFrom(argv.engine);
    const engine = selectEngine(engineRequest, threadsPerProcess(1));
    out(`engine requested: ${engineRequest} (${source(argv.engine, 'TEACACHE_ENGINE').replace('--', '--engine')})`);
    for (const a of engine.attempts) out(`  ${a.ok ? 'ok  ' : 'no  '} ${a.provider}: ${a.detail}`);
    if (engine.name === 'onnx') {
      out(`engine: onnx (ONNX Runtime) on ${engine.providers.join(' > ')}, ${engine.threads} intra-op thread(s) of ${coresAvailable()} core(s); ${engine.reason}`);
      out('  samples (trace, sweep, calibrate, samples) on ONNX Runtime; the text encoder (once per run) and training on tfjs');
    } else {
      out(`engine: tfjs; ${engine.reason}`);
    }
    const request = backendRequestFrom(argv.backend);
    const choice = await selectBackend(request);
    out(`tfjs backend requested: ${request} (${source(argv.backend, 'TEACACHE_BACKEND').replace('--', '--backend')})`);
    for (const a of choice.attempts) out(`  ${a.ok ? 'ok  ' : 'no  '} ${a.provider}: ${a.detail}`);
    out(`tfjs backend: ${choice.name} (${choice.provider}) because ${choice.reason}`);
  },
};
