export * from './redis-url.js';
export * from './jobs.js';
export * from './plan.js';
export * from './submit.js';
export * from './worker.js';
export * from './machine-share.js';
