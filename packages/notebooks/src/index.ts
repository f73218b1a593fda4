export * from './kernel-spec.js';
export * from './notebook-tools.js';
export * from './list-notebooks.js';
export * from './notebook-file.js';
export * from './run-notebook.js';
export * from './install-kernel.js';
