/**
 * Name and one-line description of every `teacache` command, in the order `--help` lists them. Kept apart from the
 * command modules, which import tfjs: `teacache --help` reads only this file and loads a command when it is named.
 */
export const COMMAND_SUMMARIES = {
  calibrate: { command: 'calibrate', describe: 'Trace, fit, sweep and report in one go; prints the coefficients and the best threshold for a PSNR target' },
  trace: { command: 'trace', describe: 'Sample a model and record, per step and guidance branch, how much each signal changed' },
  fit: { command: 'fit', describe: 'Fit the rescaling polynomial (indicator relative L1 -> output relative L1) from a directory of traces' },
  sweep: { command: 'sweep', describe: 'Measure speed and quality of cache policies against uncached sampling (parallel, resumable)' },
  replay: { command: 'replay', describe: 'Apply policies to recorded traces (no sampling) to predict skip schedules; compare with a sweep' },
  score: { command: 'score', describe: 'Score cached runs made elsewhere against their uncached references and write sweep rows (PSNR/SSIM pooled float and per-frame 8-bit)' },
  report: { command: 'report', describe: 'Draw the report (per-step curves, correlation, speed vs quality, skip schedules, coefficient curves, summary)' },
  train: { command: 'train', describe: 'Train a built-in model on the shipped emoji clips (continues with the stages its directory lacks; resumes checkpoints)' },
  samples: { command: 'samples', describe: 'Sample a model on held-out captions; write a grid beside the clips they describe, and the loss curve' },
  convert: { command: 'convert', describe: 'Convert a published checkpoint (safetensors) into a model directory (config.json + weights.safetensors)' },
  models: { command: 'models', describe: 'List the model families and the built-in models with their sizes' },
  backend: { command: 'backend', describe: 'Say which engine samples (onnx: execution providers, threads; tfjs) and which tfjs backend runs, and why' },
  worker: { command: 'worker', describe: 'Run sweep jobs submitted with sweep --queue (one job at a time; SIGTERM finishes the job, a second SIGTERM or SIGINT returns it)' },
} as const;

/** A command's name as typed after `teacache`. */
export type CommandName = keyof typeof COMMAND_SUMMARIES;
