import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BUILTIN_MODELS, loadModel, readConditioning, type EngineChoice, type LoadedModel } from '@teacache/models';
import { defaultPromptSource, readPrompts } from '@teacache/trace';
import { REPO_ROOT } from './repo-root.js';

/** Where a built-in model's trained weights live. */
export function builtinModelDir(name: string): string {
  return join(REPO_ROOT, 'datasets', 'models', name);
}

/**
 * Load a model named by a built-in name (datasets/models/<name>) or by a directory holding config.json and
 * weights.safetensors (a user's own model). Returns the model and the name to record in traces. For the onnx engine
 * only the text side is loaded on tfjs (ONNX Runtime reads the other weights from the file), and memory is checked
 * for what each holds; without `engine`, the tfjs engine.
 */
export function openModel(nameOrDir: string, conditioning?: string, engine?: EngineChoice): { loaded: LoadedModel; name: string } {
  const options = { conditioning, engine: engine?.name ?? 'tfjs' } as const;
  if (existsSync(join(nameOrDir, 'config.json'))) {
    return { loaded: loadModel(nameOrDir, options), name: resolve(nameOrDir).split('/').pop()! };
  }
  const builtin = BUILTIN_MODELS.find((b) => b.name === nameOrDir);
  if (!builtin) {
    throw new Error(`"${nameOrDir}" is neither a built-in model (${BUILTIN_MODELS.map((b) => b.name).join(', ')}) ` +
      'nor a directory with config.json and weights.safetensors');
  }
  const dir = builtinModelDir(builtin.name);
  if (!existsSync(join(dir, 'weights.safetensors'))) {
    throw new Error(`built-in model ${builtin.name} has no trained weights at ${dir}; make them with: teacache train --model ${builtin.name}`);
  }
  return { loaded: loadModel(dir, options), name: builtin.name };
}

/**
 * The prompts to run: from --prompts when given; else the captions of the model's conditioning file (a model
 * on external text can only run the captions it has encoder outputs for); else the family's default set.
 */
export function promptsFor(loaded: LoadedModel, promptsArg: string | undefined): string[] {
  if (promptsArg !== undefined) return readPrompts(promptsArg);
  if (loaded.conditioning) return readConditioning(loaded.conditioning).prompts;
  if (loaded.config.numClasses !== undefined) {
    throw new Error(`a class-conditional model takes class indices as prompts: give --prompts FILE with one index from 0 to ${loaded.config.numClasses - 1} per line`);
  }
  return readPrompts(defaultPromptSource(loaded.config.family));
}
