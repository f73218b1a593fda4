import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from './backend.js';
import type { ModelConfig } from './config.js';
import { checkMemory, estimateMemory, estimateOnnxMemory, WASM_HEAP_LIMIT_BYTES } from './memory.js';
import { loadModel, readModelConfig } from './weights/model-io.js';
import { GRAPH_WEIGHT_BYTES } from './onnx/limits.js';

const GIB = 1024 ** 3;

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Open-Sora 1.2's STDiT3-XL/2 at its released 240p, 51-frame setting (about 1.1 billion parameters). */
const stdit3: ModelConfig = {
  family: 'stdit', hiddenSize: 1152, depth: 56, heads: 16, mlpRatio: 4, patchSize: 2, frames: 15, height: 30, width: 54,
  channels: 4, textWidth: 4096, textLayers: 1, textHeads: 1, textLength: 300, vocabulary: [], prediction: 'velocity',
  timestepFrequencies: 256, textEncoder: 'external', captionProjection: true, nullCaption: true, qkNorm: true, temporalRope: true,
};

test('a model past the wasm heap is refused on the tfjs engine but passes on the onnx engine, which holds it in machine memory', () => {
  const machine = 24 * GIB;
  expect(estimateMemory(stdit3, 2, 'wasm').parameterBytes).toBeGreaterThan(WASM_HEAP_LIMIT_BYTES);
  expect(() => checkMemory(stdit3, 'wasm', 2, 'tfjs', machine)).toThrow(/^stdit model \(hidden 1152, depth 56, .*\) needs about .* GiB .* backend wasm holds at most 4\.00 GiB \(the wasm heap stops at 4 GiB/);
  const both = checkMemory(stdit3, 'wasm', 2, 'onnx', machine);
  const { tfjs, ort } = estimateOnnxMemory(stdit3, 2, 'wasm');
  expect(tfjs.totalBytes).toBeLessThan(WASM_HEAP_LIMIT_BYTES);
  expect(ort.parameterBytes).toBeGreaterThan(WASM_HEAP_LIMIT_BYTES);
  expect(both.totalBytes).toBe(tfjs.totalBytes + ort.totalBytes);
  // Every parameter is held once, by one of the two, and ONNX Runtime keeps no packed copies.
  expect(tfjs.parameterBytes + ort.parameterBytes).toBe(estimateMemory(stdit3).parameterBytes);
  expect(ort.packedWeightBytes).toBe(0);
  // Its 4 GiB of stack weights are built as several graphs, each passing through two transient copies.
  expect(ort.graphBuildBytes).toBe(2 * GRAPH_WEIGHT_BYTES);
});

test('on the onnx engine a model over the machine memory is refused, naming both holders\' figures and the limit', () => {
  const { tfjs, ort } = estimateOnnxMemory(stdit3, 2, 'tensorflow');
  const machine = Math.floor((tfjs.totalBytes + ort.totalBytes) / GIB) * GIB;
  expect(() => checkMemory(stdit3, 'tensorflow', 2, 'onnx', machine)).toThrow(new RegExp(
    `^stdit model \\(hidden 1152, .*\\) on the onnx engine needs about ${(ort.totalBytes / GIB).toFixed(2)} GiB \\(.*\\) in ONNX Runtime ` +
    `and ${(tfjs.totalBytes / GIB).toFixed(2)} GiB \\(.*\\) on tfjs backend tensorflow; together .* against this machine's memory of ${machine / GIB}\\.00 GiB`));
  expect(() => checkMemory(stdit3, 'tensorflow', 2, 'onnx', machine + GIB)).not.toThrow();
});

test('the onnx engine\'s shares of a tiny class-conditional dit are as counted by hand', () => {
  const cfg: ModelConfig = {
    family: 'dit', hiddenSize: 8, depth: 2, heads: 2, mlpRatio: 4, patchSize: 2, frames: 1, height: 4, width: 4, channels: 4,
    textWidth: 1, textLayers: 1, textHeads: 1, textLength: 1, vocabulary: [], prediction: 'epsilon', timestepFrequencies: 16, numClasses: 3,
  };
  // tfjs: the label table (3 classes + the null label) × 8 = 32 values; not a matrix weight, so no packed copy on wasm.
  // Between the parts tfjs keeps the embed term and the head term. With guidance n = 2 × (4/2)² = 8 tokens, d = 8:
  // embed = 2·n·p²·C (input and patches) + 2·4·d (positions) + 4·n·d (embed outputs) + 2·2·8 (label tokens, width max(1, d))
  //       = 256 + 64 + 256 + 32 = 608; head = 8·n·d + 3·n·16 (p²·C out) = 512 + 384 = 896.
  // ONNX Runtime: patch 16·8+8 = 136; timestep 16·8+8 + 8·8+8 = 208; final adaLN 8·16+16 = 144, linear 144;
  // per block adaLN 8·48+48 = 432, qkv 216, proj 72, fc1 8·32+32 = 288, fc2 32·8+8 = 264 → 1272, two blocks 2544:
  // 3176 values. One forward's peak: embed + block (56·n·d + 10·n·32 + scores 2·2·2·4² = 3584 + 2560 + 128) + 2·n·d
  // = 608 + 6272 + 128 = 7008 values. Building its one graph passes its 3176 weights through two more copies.
  const { tfjs, ort } = estimateOnnxMemory(cfg, 2, 'wasm');
  expect(tfjs).toEqual({ parameterBytes: 32 * 4, packedWeightBytes: 0, activationBytes: (608 + 896) * 4, totalBytes: (32 + 608 + 896) * 4 });
  expect(ort).toEqual({ parameterBytes: 3176 * 4, packedWeightBytes: 0, activationBytes: 7008 * 4, graphBuildBytes: 2 * 3176 * 4, totalBytes: (3 * 3176 + 7008) * 4 });
});

test('a config of depth 1e6 is refused on the onnx engine too, though its weights would fit the machine: its tensors would not fit the JS heap', () => {
  const cfg: ModelConfig = {
    family: 'osp', hiddenSize: 16, depth: 1_000_000, heads: 2, mlpRatio: 2, patchSize: 4, frames: 2, height: 12, width: 12, channels: 3,
    textWidth: 8, textLayers: 1, textHeads: 2, textLength: 4, vocabulary: ['<pad>', '<unk>', 'cat'], prediction: 'epsilon', timestepFrequencies: 16,
  };
  // The check itself lists no block: estimated from depths 4 and 8.
  expect(checkMemory(cfg, 'tensorflow', 2, 'onnx', 2 ** 50).parameterBytes).toBeGreaterThan(1e9);
  const dir = mkdtempSync(join(tmpdir(), 'teacache-mem-deep-'));
  try {
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    expect(() => readModelConfig(dir, 'onnx')).toThrow(/config\.json, field "depth": expected a model that fits in memory: 1\.\d+e\+7 parameter tensors take about .* GiB of JavaScript objects against a JS heap of .* GiB, found 1000000/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('loading for an engine', () => {
  let dir = '';
  // DiT-XL/2 at 1024² pixels' latent: 2.5 GiB of parameters, over 4 GiB on wasm with its packed copies.
  const xl: ModelConfig = {
    family: 'dit', hiddenSize: 1152, depth: 28, heads: 16, mlpRatio: 4, patchSize: 2, frames: 1, height: 32, width: 32, channels: 4,
    textWidth: 1152, textLayers: 1, textHeads: 2, textLength: 8, vocabulary: ['<pad>', '<unk>', 'cat'], prediction: 'epsilon', timestepFrequencies: 256,
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'teacache-mem-engine-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(xl));
    // An empty weights file: a load that passes the memory check stops at it, before allocating anything.
    writeFileSync(join(dir, 'weights.safetensors'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('on wasm the tfjs engine refuses a model over the heap before reading weights, the onnx engine reads on', () => {
    expect(estimateMemory(xl, 2, 'wasm').totalBytes).toBeGreaterThan(WASM_HEAP_LIMIT_BYTES);
    expect(() => loadModel(dir)).toThrow(/expected a model that fits in memory.*against a limit of 4\.00 GiB/);
    expect(() => loadModel(dir, { engine: 'onnx' })).not.toThrow(/fits in memory|holds at most/);
    expect(() => loadModel(dir, { engine: 'onnx' })).toThrow(new RegExp(`${join(dir, 'weights.safetensors')}.*(header|bytes|short|empty)`, 'i'));
  });
});
