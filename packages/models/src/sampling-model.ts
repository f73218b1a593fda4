import type { EngineChoice } from './engine.js';
import type { DiffusionTransformer } from './model.js';
import { OnnxTransformer, type SamplingModel } from './onnx/onnx-model.js';

/** The model as the chosen engine runs it: the tfjs model itself, or ONNX Runtime graphs of it. */
export function samplingModelFor(model: DiffusionTransformer, engine: EngineChoice): SamplingModel {
  if (engine.name === 'tfjs') return model;
  return new OnnxTransformer(model, { providers: engine.providers, threads: engine.threads });
}
