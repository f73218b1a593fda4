import type { CommandModule } from 'yargs';
import { backendCommand } from './backend.js';
import { modelsCommand } from './models.js';
import { trainCommand } from './train.js';
import { traceCommand } from './trace.js';
import { sweepCommand } from './sweep.js';
import { samplesCommand } from './samples.js';
import { fitCommand } from './fit.js';
import { calibrateCommand } from './calibrate.js';
import { replayCommand } from './replay.js';
import { reportCommand } from './report.js';
import { scoreCommand } from './score.js';
import { convertCommand } from './convert.js';
import { workerCommand } from './worker.js';

/** Every `teacache` subcommand, in the order `--help` lists them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [calibrateCommand, traceCommand, fitCommand, sweepCommand, replayCommand, scoreCommand, reportCommand, trainCommand, samplesCommand, convertCommand, modelsCommand, backendCommand, workerCommand];
