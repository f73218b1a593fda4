/** One finished cached-sampling run of a sweep, compared with the uncached run of the same model, prompt and seed. */
export interface SweepRow {
  format: 'teacache-sweep-row';
  version: 1;
  model: string;
  policy: string;
  /** The policy's parameters as given (threshold, indicator, interval, coefficients file, ...). */
  params: Record<string, string | number | boolean | null>;
  /** The policy's main knob (threshold, or interval k), for plotting; null for `none`. */
  threshold: number | null;
  prompt: string;
  seed: number;
  steps: number;
  computedSteps: number;
  skippedSteps: number;
  /** Per step, `C` computed or `R` reused (per guidance branch pair when branches agree). */
  schedule: string;
  wallSeconds: number;
  referenceWallSeconds: number;
  wallSpeedup: number;
  stepSpeedup: number;
  /** Quality against the uncached output, on the decoded sample in [0, 1]. */
  psnr: number;
  ssim: number;
  mse: number;
  backend: string;
  createdAt: string;
}
