import { backendRequestFrom, selectBackend, type BackendChoice, type BackendRequest } from './backend.js';
import { engineLabel, engineRequestFrom, selectEngine, threadsPerProcess, type EngineChoice, type EngineRequest } from './engine.js';

/** What computes in this process: the tfjs backend (training, text encoder) and the engine that samples. */
export interface Compute {
  backend: BackendChoice;
  engine: EngineChoice;
}

/**
 * Select the tfjs backend and the sampling engine once for this process, from requests (absent: TEACACHE_BACKEND,
 * TEACACHE_ENGINE, else auto); `threads` is each ONNX Runtime session's intra-op thread count.
 */
export async function selectCompute(backend?: string, engine?: string, threads = threadsPerProcess(1)): Promise<Compute> {
  const backendChoice = await selectBackend(backendRequestFrom(backend));
  return { backend: backendChoice, engine: selectEngine(engineRequestFrom(engine), threads) };
}

/** The label rows and sidecars record for a compute choice: the tfjs backend name, or onnx-<first provider> (engineLabel). */
export function computeLabel(c: Compute): string {
  return engineLabel(c.engine, c.backend.name);
}

/** The requests another process (a sweep worker) repeats to select as this one did. */
export function computeRequests(c: Compute): { backend: BackendRequest; engine: EngineRequest } {
  return { backend: c.backend.requested, engine: c.engine.requested };
}
