import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * ONNX Runtime through onnxruntime-node's native binding, called synchronously. The package's public
 * `InferenceSession.run` only wraps this same synchronous call in a Promise (setImmediate); the sampling loop
 * is synchronous (as tfjs is), so it calls the binding directly. The package version is pinned exactly
 * because this file reads its dist/binding.js.
 */

/** A float32 tensor as ONNX Runtime takes and returns it. */
export interface OrtTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
  readonly type: string;
}

interface BindingSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, null>, options: object): Record<string, OrtTensor>;
  dispose(): void;
  readonly inputMetadata: { name: string }[];
  readonly outputMetadata: { name: string }[];
}

interface OrtModule {
  binding: {
    InferenceSession: new () => BindingSession;
    listSupportedBackends: () => { name: string; bundled: boolean }[];
    initOrtOnce: (logLevel: number, tensorConstructor: unknown, isMainThread: boolean) => void;
  };
}

/**
 * The tensor the binding reads inputs from and builds outputs with. Our own small class rather than
 * onnxruntime-common's: that one checks `instanceof Float32Array`, which fails across realms (jest's vm).
 */
export class PlainTensor implements OrtTensor {
  readonly location = 'cpu';
  constructor(readonly type: string, readonly data: Float32Array, readonly dims: readonly number[]) {}
}

let loaded: OrtModule | null = null;
let loadError: string | null = null;

/** Load onnxruntime-node (once); null with the reason kept when it cannot be loaded here. */
export function loadOrt(): OrtModule | null {
  if (loaded || loadError) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const b = require('onnxruntime-node/dist/binding.js') as Pick<OrtModule, 'binding'>;
    // Log level 3: errors only (ONNX Runtime's warnings about unused initializers are expected here).
    b.binding.initOrtOnce(3, PlainTensor, isMainThread);
    loaded = { binding: b.binding };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    loadError = /Cannot find module/.test(msg) ? 'onnxruntime-node is not installed' : msg.split('\n')[0].slice(0, 200);
  }
  return loaded;
}

/** The folder of onnxruntime-node's native libraries for this platform (where GPU providers are installed). */
export function ortLibraryDir(): string | null {
  try {
    const binding = createRequire(import.meta.url).resolve('onnxruntime-node/dist/binding.js');
    return join(dirname(binding), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/** Why onnxruntime-node could not be loaded (null when it loaded or was not tried). */
export function ortLoadError(): string | null {
  return loadError;
}

/** How a session runs: execution providers in order of preference, and threads. */
export interface SessionSettings {
  /** e.g. ['cuda', 'cpu'] or ['cpu']. */
  providers: string[];
  /** Intra-op threads (one operator's work split over this many). */
  threads: number;
}

/** One loaded ONNX model, run synchronously. */
export class OrtSession {
  private readonly session: BindingSession;
  readonly inputNames: string[];
  readonly outputNames: string[];

  constructor(model: Uint8Array, settings: SessionSettings) {
    const ort = loadOrt();
    if (!ort) throw new Error(`the onnx engine cannot start: ${loadError}`);
    this.session = new ort.binding.InferenceSession();
    this.session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, {
      executionProviders: settings.providers,
      intraOpNumThreads: settings.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      // No spinning between operators: on a shared machine idle threads would burn the others' cores.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
    this.inputNames = this.session.inputMetadata.map((m) => m.name);
    this.outputNames = this.session.outputMetadata.map((m) => m.name);
  }

  /** Run on float32 inputs by name; returns every output by name. */
  run(inputs: Record<string, { data: Float32Array; dims: readonly number[] }>): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    for (const name of this.inputNames) {
      const v = inputs[name];
      if (!v) throw new Error(`onnx session: input "${name}" not given (inputs: ${this.inputNames.join(', ')})`);
      feeds[name] = v instanceof PlainTensor ? v : new PlainTensor('float32', v.data, v.dims);
    }
    const fetches: Record<string, null> = {};
    for (const name of this.outputNames) fetches[name] = null;
    const out = this.session.run(feeds, fetches, {});
    // Outputs are made in Node's own realm; under jest's vm a copy makes them this realm's Float32Array.
    for (const [name, t] of Object.entries(out)) {
      if (!(t.data instanceof Float32Array)) out[name] = new PlainTensor('float32', new Float32Array(t.data), t.dims);
    }
    return out;
  }

  dispose(): void {
    this.session.dispose();
  }
}
