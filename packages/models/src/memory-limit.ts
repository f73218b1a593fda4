import { totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { FormatError } from '@teacache/core';
import { tokenCounts, type ModelConfig } from './config.js';
import { forwardGemms } from './flops.js';

/** Bytes per float32 value. */
const F32 = 4;
/** The wasm backend addresses at most 4 GiB (32-bit WebAssembly memory). */
const WASM_BYTES = 4 * 1024 ** 3;
/** No tfjs backend holds one tensor of more elements than a typed array index can reach. */
const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** A model's memory need, bytes: its parameters, and the activations of one guided forward pass. */
export interface MemoryEstimate {
  parameterBytes: number;
  activationBytes: number;
  /** Elements of the largest single tensor a forward pass makes. */
  largestTensor: number;
}

/**
 * A simple, deliberately rough estimate (a bound of the right order, not an exact count) of what a model of
 * this config needs in float32: the weights of every linear layer, text encoder and position table, and for
 * activations four live copies of the largest tensor of a forward pass plus sixteen token-sized tensors (the
 * sampling loop keeps several for the cache), at `batch` samples (2 with guidance).
 */
export function estimateModelMemory(cfg: ModelConfig, batch = 2): MemoryEstimate {
  // Blocks repeat with a period dividing 4: a deep config is estimated from depth 8 and 4, linearly, not block by block.
  if (cfg.depth > 8) {
    const [a, b] = [estimateModelMemory({ ...cfg, depth: 4 }, batch), estimateModelMemory({ ...cfg, depth: 8 }, batch)];
    return { ...b, parameterBytes: b.parameterBytes + ((b.parameterBytes - a.parameterBytes) / 4) * (cfg.depth - 8) };
  }
  const d = cfg.hiddenSize;
  const { total } = tokenCounts(cfg);
  const gemms = forwardGemms(cfg, 1);
  // Linear layers are the GEMMs run once per batch (count 1); attention products (count = heads·seqs) hold no weights.
  const linear = gemms.filter((g) => g.count === 1).reduce((s, g) => s + g.k * g.n, 0);
  const tw = cfg.textWidth;
  const text = cfg.vocabulary.length * tw + cfg.textLength * tw + cfg.textLayers * (4 * tw * tw + 4 * tw * tw);
  const parameters = linear + text + total * d;
  const largestTensor = forwardGemms(cfg, batch).reduce((m, g) => Math.max(m, g.m * g.n * g.count), 0);
  const activations = 4 * largestTensor + 16 * batch * total * Math.max(d, Math.round(d * cfg.mlpRatio));
  return { parameterBytes: F32 * parameters, activationBytes: F32 * activations, largestTensor };
}

/** What the active backend can hold, bytes: 80% of the machine's memory, and at most 4 GiB on wasm. */
export function memoryLimitBytes(backend: string = safeBackendName()): number {
  const machine = 0.8 * totalmem();
  return backend === 'wasm' ? Math.min(WASM_BYTES, machine) : machine;
}

function safeBackendName(): string {
  try {
    return tf.getBackend() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const SIZE_FIELDS = ['depth', 'hiddenSize', 'mlpRatio', 'frames', 'height', 'width', 'textWidth', 'textLayers', 'textLength', 'timestepFrequencies'] as const;

/** The size field whose growth costs the most: the estimate shrinks most when it alone is set to its smallest value. */
function costliestField(cfg: ModelConfig): string {
  const need = (c: ModelConfig) => { const e = estimateModelMemory(c); return e.parameterBytes + e.activationBytes; };
  let best: string = SIZE_FIELDS[0];
  let bestNeed = Infinity;
  for (const f of SIZE_FIELDS) {
    const small = f === 'height' || f === 'width' ? cfg.patchSize : f === 'hiddenSize' ? cfg.heads : 1;
    const n = need({ ...cfg, [f]: small });
    if (n < bestNeed) { bestNeed = n; best = f; }
  }
  return best;
}

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toPrecision(3)} GiB`;

/**
 * Refuse, before anything is allocated, a config whose model would not fit: an error naming the file, the size
 * field that costs the most, the estimate and the limit. `limitBytes` defaults to what the active backend can hold.
 */
export function checkModelFits(cfg: ModelConfig, file = '<config>', limitBytes = memoryLimitBytes()): MemoryEstimate {
  const e = estimateModelMemory(cfg);
  const need = e.parameterBytes + e.activationBytes;
  if (need > limitBytes || e.largestTensor > MAX_TENSOR_ELEMENTS || !Number.isFinite(need)) {
    const field = costliestField(cfg);
    throw new FormatError({ file, field },
      `a model that fits in memory: about ${gb(e.parameterBytes)} of parameters and ${gb(e.activationBytes)} of activations ` +
      `(largest tensor ${e.largestTensor.toPrecision(3)} values) against a limit of ${gb(limitBytes)} and ${MAX_TENSOR_ELEMENTS} values per tensor`,
      (cfg as unknown as Record<string, unknown>)[field]);
  }
  return e;
}
