export * from './chart.js';
export * from './trace-runs.js';
export * from './coefficients-input.js';
export * from './sweep-rows.js';
export * from './per-step-chart.js';
export * from './correlation-chart.js';
export * from './speed-quality-chart.js';
export * from './skip-schedule-chart.js';
export * from './coefficient-curves-chart.js';
export * from './summary-table.js';
export * from './summary-markdown.js';
export * from './models-table.js';
export * from './render-svg.js';
export * from './render-png.js';
export * from './svg-marks.js';
export * from './html-page.js';
export * from './build-report.js';
export * from './wall-speedup-chart.js';
export * from './policy-palette.js';
// The sweep analysis lives in @teacache/cache (one home for the report, the CLI and refinement); the report's API
// keeps offering it, so notebooks and scripts importing it from here read the same functions.
export {
  bestAtTarget, bestSettingRule, summaryRows, sweepPoints, thresholdLabel, costSpeedup, allHaveFlops, variantLabels, forcedStepsLabel,
  checkSweepRows, ORACLE_POLICY, DEFAULT_PSNR_CAP, DEFAULT_PSNR_PROTOCOL, PSNR_PROTOCOLS, parsePsnrProtocol,
  psnrProtocolLabel, psnrShortLabel, rowPsnr, rowSsim,
  type SummaryRow, type SummaryOptions, type SweepPoint, type SweepPointOptions, type PsnrProtocol,
} from '@teacache/cache';
