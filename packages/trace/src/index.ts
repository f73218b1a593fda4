export * from './samplers.js';
export * from './signals.js';
export * from './sample-loop.js';
export * from './prompts.js';
export * from './strip.js';
export * from './trace-runs.js';
export * from './sweep-run.js';
export * from './sweep.js';
