import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder } from './onnx/graph.js';
import { OnnxOps } from './onnx/onnx-ops.js';
import { loadOrt, ortLibraryDir, ortLoadError, OrtSession } from './onnx/runtime.js';

/**
 * Engines that sample: `tfjs` (the tfjs backend chosen by selectBackend; also what trains) and `onnx` (ONNX
 * Runtime through onnxruntime-node, graphs built from the same model definition). `auto` takes onnx when it loads.
 */
export type EngineRequest = 'auto' | 'tfjs' | 'onnx';
export const ENGINE_REQUESTS: readonly EngineRequest[] = ['auto', 'tfjs', 'onnx'];

/** The engine that runs, why, and for onnx its execution providers and threads. */
export interface EngineChoice {
  name: 'tfjs' | 'onnx';
  requested: EngineRequest;
  reason: string;
  /** ONNX Runtime execution providers in the order sessions use them (empty for tfjs). */
  providers: string[];
  /** Every provider tried, with the outcome. */
  attempts: { provider: string; ok: boolean; detail: string }[];
  /** Intra-op threads of each ONNX Runtime session (1 for tfjs, whose wasm backend is single-threaded in Node). */
  threads: number;
}

/** Read the engine request from a CLI value or TEACACHE_ENGINE; defaults to auto. */
export function engineRequestFrom(value: string | undefined = process.env.TEACACHE_ENGINE): EngineRequest {
  const v = (value ?? '').trim().toLowerCase() || 'auto';
  if (!(ENGINE_REQUESTS as readonly string[]).includes(v)) {
    throw new Error(`engine "${value}" is not one of ${ENGINE_REQUESTS.join(', ')} (from --engine or TEACACHE_ENGINE)`);
  }
  return v as EngineRequest;
}

/** Cores this process may use (its CPU affinity, as libuv reports it). */
export function coresAvailable(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Intra-op threads per process when `processes` of them share the cores: cores / processes, at least 1, so
 * workers × threads never exceeds the cores. TEACACHE_THREADS overrides (a sweep sets it for its workers).
 */
export function threadsPerProcess(processes = 1, env: string | undefined = process.env.TEACACHE_THREADS): number {
  if (env !== undefined && env.trim() !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new Error(`TEACACHE_THREADS "${env}": expected a whole number >= 1`);
    return n;
  }
  return Math.max(1, Math.floor(coresAvailable() / Math.max(1, processes)));
}

/** Sweep workers and threads each: workers capped at the cores, threads = cores / workers. */
export function workerPlan(requestedWorkers: number | undefined, jobs: number): { workers: number; threads: number } {
  const cores = coresAvailable();
  const workers = Math.max(0, Math.min(requestedWorkers ?? cores, cores, jobs));
  return { workers, threads: Math.max(1, Math.floor(cores / Math.max(1, workers))) };
}

/** Whether an execution provider starts here: builds and runs a one-node graph on it alone. */
function probeProvider(provider: string): { ok: boolean; detail: string } {
  try {
    const g = new GraphBuilder('probe');
    const o = new OnnxOps(g, () => { throw new Error('probe has no weights'); });
    g.output('y', o.add(g.input('x', [1, 2]), 1));
    const s = new OrtSession(g.encode(), { providers: [provider], threads: 1 });
    const y = s.run({ x: { data: Float32Array.of(1, 2), dims: [1, 2] } }).y;
    s.dispose();
    if (y.data[1] !== 3) throw new Error(`probe computed ${y.data[1]} for 2 + 1`);
    return { ok: true, detail: 'loaded' };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { ok: false, detail: msg.split('\n')[0].slice(0, 160) };
  }
}

let cached: { key: string; choice: EngineChoice } | null = null;

/**
 * Choose the engine: onnx when asked for (throws naming why it cannot start) or, for auto, when onnxruntime-node
 * loads; tfjs otherwise. For onnx, GPU providers (CUDA, TensorRT) are tried first and CPU always ends the list.
 */
export function selectEngine(request: EngineRequest = engineRequestFrom(), threads = threadsPerProcess()): EngineChoice {
  const key = `${request}/${threads}`;
  if (cached?.key === key) return cached.choice;
  const attempts: EngineChoice['attempts'] = [];
  let choice: EngineChoice;
  if (request === 'tfjs') {
    choice = { name: 'tfjs', requested: request, reason: 'asked for by name', providers: [], attempts, threads: 1 };
  } else {
    const ort = loadOrt();
    if (!ort) {
      attempts.push({ provider: 'onnxruntime-node', ok: false, detail: ortLoadError() ?? 'not loaded' });
      if (request === 'onnx') throw new Error(`the onnx engine cannot start: ${ortLoadError()}`);
      choice = { name: 'tfjs', requested: request, reason: `onnxruntime-node did not load (${ortLoadError()})`, providers: [], attempts, threads: 1 };
    } else {
      const listed = new Set(ort.binding.listSupportedBackends().map((b) => b.name));
      const providers: string[] = [];
      const dir = ortLibraryDir();
      for (const gpu of ['tensorrt', 'cuda']) {
        if (!listed.has(gpu)) continue;
        // Probed only when its library is there: a failed load makes ONNX Runtime print errors of its own.
        const r = dir && existsSync(join(dir, `libonnxruntime_providers_${gpu}.so`))
          ? probeProvider(gpu)
          : { ok: false, detail: 'not installed (scripts/onnx-cuda.sh adds it on a machine with CUDA 12)' };
        attempts.push({ provider: gpu, ...r });
        if (r.ok) providers.push(gpu);
      }
      attempts.push({ provider: 'cpu', ok: true, detail: 'bundled with onnxruntime-node' });
      providers.push('cpu');
      const why = request === 'onnx' ? 'asked for by name' : 'onnxruntime-node loaded';
      choice = { name: 'onnx', requested: request, reason: why, providers, attempts, threads };
    }
  }
  cached = { key, choice };
  return choice;
}

/** One line for logs: which engine runs, on which providers and threads. */
export function describeEngine(c: EngineChoice): string {
  if (c.name === 'tfjs') return `engine: tfjs (${c.reason})`;
  return `engine: onnx (ONNX Runtime ${c.providers.join(' > ')}, ${c.threads} thread${c.threads === 1 ? '' : 's'}; ${c.reason})`;
}

/** Short label of the engine for trace and sweep records: the tfjs backend's name, or onnx-<first provider>. */
export function engineLabel(c: EngineChoice, tfjsBackend: string): string {
  return c.name === 'tfjs' ? tfjsBackend : `onnx-${c.providers[0]}`;
}
