// A sweep worker process: loads the model once, then runs the groups the parent sends, one at a time,
// sending each finished row back at once. One worker per core: the wasm backend runs on one thread.
import type { SweepRow } from '@teacache/core';
import {
  backendRequestFrom, engineLabel, engineRequestFrom, loadModel, samplingModelFor, selectBackend, selectEngine,
  type LoadedModel, type SamplingModel,
} from '@teacache/models';
import { ReferenceCache, runSweepGroup, warmUp, type SweepGroup } from './sweep-run.js';

/** Parent → worker messages. */
export type WorkerRequest =
  | { type: 'init'; modelDir: string; backend: string; engine: string; threads: number; guidance: number; conditioning?: string }
  | { type: 'group'; id: number; group: SweepGroup }
  | { type: 'stop' };

/** Worker → parent messages. */
export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'row'; id: number; row: SweepRow }
  | { type: 'group-done'; id: number }
  | { type: 'error'; message: string };

let loaded: LoadedModel | null = null;
let model: SamplingModel | null = null;
let backendName = '';
// Kept across groups: a queue delivers a (prompt, seed)'s runs one at a time.
const refs = new ReferenceCache();

function send(msg: WorkerReply): void {
  process.send!(msg);
}

// A worker whose parent died has no one to send rows to.
process.on('disconnect', () => process.exit(0));

process.on('message', async (msg: WorkerRequest) => {
  try {
    if (msg.type === 'init') {
      const choice = await selectBackend(backendRequestFrom(msg.backend));
      backendName = choice.name;
      // Each worker gets its share of the cores: workers × threads never exceeds them.
      const engine = selectEngine(engineRequestFrom(msg.engine), msg.threads);
      backendName = engineLabel(engine, choice.name);
      loaded = loadModel(msg.modelDir, { conditioning: msg.conditioning });
      model = samplingModelFor(loaded.model, engine);
      warmUp(model, msg.guidance);
      send({ type: 'ready', backend: backendName });
    } else if (msg.type === 'group') {
      runSweepGroup(model!, msg.group, backendName, (row) => send({ type: 'row', id: msg.id, row }), refs);
      send({ type: 'group-done', id: msg.id });
    } else if (msg.type === 'stop') {
      process.exit(0);
    }
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? `${err.message}` : String(err) });
    process.exit(1);
  }
});
