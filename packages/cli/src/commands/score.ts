import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { FormatError, parseSweepRows, readSweepRows, sweepRowKey, sweepRowToJson, writeFileAtomic } from '@teacache/core';
import { printWritten } from './common.js';
import { listRunRecords, scoreRuns } from './score-runs.js';
import { COMMAND_SUMMARIES } from './summaries.js';

interface ScoreArgs {
  runs: string[];
  out: string;
}

/** `teacache score`: sweep rows from runs made elsewhere (the PyTorch bridge's runtime, or any tool writing run records). */
export const scoreCommand: CommandModule<object, ScoreArgs> = {
  ...COMMAND_SUMMARIES.score,
  builder: (y) => y
    .option('runs', { type: 'string', array: true, demandOption: true, describe: 'run records (*.run.json) or directories of them; references have policy "none"' })
    .option('out', { type: 'string', demandOption: true, describe: 'sweep file (JSON Lines) to write; rows already in it are kept and not scored again' }),
  handler: async (argv) => {
    if (!argv.out.endsWith('.jsonl')) throw new FormatError({ field: '--out' }, 'a .jsonl sweep file', argv.out);
    const paths = listRunRecords(argv.runs);
    const existing = existsSync(argv.out) ? readSweepRows(argv.out) : [];
    const say = (s: string) => process.stderr.write(s + '\n');
    say(`scoring ${paths.length} run records`);
    let n = 0;
    const rows = scoreRuns(paths, { onRun: (p) => say(`[${++n}/${paths.length}] ${p}`) });
    const known = new Set(existing.map(sweepRowKey));
    const fresh = rows.filter((r) => !known.has(sweepRowKey(r)));
    const lines = [...existing, ...fresh].map(sweepRowToJson);
    const text = lines.join('\n') + '\n';
    parseSweepRows(text, argv.out); // every row checked before the file is replaced
    writeFileAtomic(argv.out, text);
    say(`${fresh.length} new rows, ${rows.length - fresh.length} already in ${argv.out}`);
    for (const r of fresh.filter((x) => x.policy !== 'none')) {
      say(`  ${r.policy} ${r.threshold ?? ''} ${r.prompt} seed ${r.seed}: ${r.schedule}, ${r.stepSpeedup.toFixed(2)}x steps, ` +
        `${r.wallSpeedup.toFixed(2)}x wall, PSNR ${r.psnr.toFixed(2)} dB pooled / ${r.psnrFrames8bit!.toFixed(2)} dB per-frame 8-bit, SSIM ${r.ssim.toFixed(4)} / ${r.ssimFrames8bit!.toFixed(4)}`);
    }
    printWritten([argv.out]);
  },
};
