import type { CommandModule } from 'yargs';
import { COMMAND_SUMMARIES, type CommandName } from './summaries.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<any, any>;

// Each command module imports what it runs (tfjs among them), so it is loaded only when its command is named.
const LOADERS: Record<CommandName, () => Promise<AnyCommand>> = {
  calibrate: async () => (await import('./calibrate.js')).calibrateCommand,
  trace: async () => (await import('./trace.js')).traceCommand,
  fit: async () => (await import('./fit.js')).fitCommand,
  sweep: async () => (await import('./sweep.js')).sweepCommand,
  replay: async () => (await import('./replay.js')).replayCommand,
  score: async () => (await import('./score.js')).scoreCommand,
  report: async () => (await import('./report.js')).reportCommand,
  train: async () => (await import('./train.js')).trainCommand,
  samples: async () => (await import('./samples.js')).samplesCommand,
  convert: async () => (await import('./convert.js')).convertCommand,
  models: async () => (await import('./models.js')).modelsCommand,
  backend: async () => (await import('./backend.js')).backendCommand,
  worker: async () => (await import('./worker.js')).workerCommand,
};

const COMMAND_NAMES = Object.keys(COMMAND_SUMMARIES) as CommandName[];

/** The commands whose names appear among the words of argv: each is loaded in full, the others only summarised. */
export function namedCommands(argv: readonly string[]): CommandName[] {
  return COMMAND_NAMES.filter((name) => argv.includes(name));
}

/**
 * Every `teacache` subcommand, in the order `--help` lists them: in full (options and handler) when `argv` names
 * it, else only its name and description, which is all the top-level help prints. A word of argv that happens to
 * equal a command name (an option's value) loads that command too, which costs time, never correctness.
 */
export async function commandsFor(argv: readonly string[]): Promise<AnyCommand[]> {
  const named = namedCommands(argv);
  return Promise.all(COMMAND_NAMES.map(async (name) => (named.includes(name)
    ? LOADERS[name]()
    : { ...COMMAND_SUMMARIES[name], handler: () => { throw new Error(`teacache ${name} was run without being loaded`); } })));
}
