export * from './psnr-protocol.js';
export * from './check-rows.js';
export * from './pareto-front.js';
export * from './sweep-points.js';
export * from './best.js';
export * from './spec-grid.js';
export * from './refine.js';
