import type { CommandModule } from 'yargs';
import { CHEAP_INDICATORS, readSweepRows, readTraceDir } from '@teacache/core';
import { buildSpecs, defaultRetention, gridSpecs, parseCutoff, parseRetention, replayAgreement } from '@teacache/cache';
import { COMMAND_SUMMARIES } from './summaries.js';

interface ReplayArgs {
  traces: string; 'mag-traces'?: string; policies: string[]; thresholds?: string[]; intervals?: string; coefficients?: string; indicator: string; sweep?: string;
  retention?: string; cutoff?: string;
}

/** `teacache replay`: predict skip schedules from recorded traces, and check them against real cached runs. */
export const replayCommand: CommandModule<object, ReplayArgs> = {
  ...COMMAND_SUMMARIES.replay,
  builder: (y) => y
    .option('traces', { type: 'string', demandOption: true, describe: 'directory of trace CSVs with sidecars' })
    .option('policies', { type: 'string', array: true, default: ['teacache'], describe: 'policies (comma or space separated)' })
    .option('thresholds', { type: 'string', array: true, describe: 'settings, as for teacache sweep' })
    .option('intervals', { type: 'string' })
    .option('coefficients', { type: 'string', describe: 'teacache coefficients file (teacache fit); required when --policies includes teacache' })
    .option('indicator', { type: 'string', default: 'modulated', choices: CHEAP_INDICATORS })
    .option('retention', { type: 'string', describe: 'teacache steps always computed at the start, one variant each, e.g. 1,5 (default: as teacache sweep, 1, 10% and 20% of the steps)' })
    .option('cutoff', { type: 'string', describe: 'teacache steps always computed at the end (default: 1 with retention 1, 0 with more, as the published Wan2.1 rule)' })
    .option('mag-traces', { type: 'string', describe: 'traces to calibrate magcache from (default --traces); use the sweep\'s' })
    .option('sweep', { type: 'string', describe: 'sweep results (JSON Lines) of the same prompts and seeds, to measure agreement' }),
  handler: async (argv) => {
    const runs = readTraceDir(argv.traces);
    const policies = argv.policies.flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p && p !== 'none' && p !== 'oracle');
    // the sweep's default variants, so every retention row of a default sweep has its prediction
    const steps = runs[0].metadata.steps;
    const retention = argv.retention !== undefined ? parseRetention(argv.retention) : defaultRetention(steps);
    const cutoff = argv.cutoff !== undefined ? parseCutoff(argv.cutoff) : undefined;
    const specs = gridSpecs(buildSpecs({ ...argv, policies, retention, cutoff, traces: argv['mag-traces'] ?? argv.traces })).filter((s) => s.policy !== 'none');
    const sweep = argv.sweep ? readSweepRows(argv.sweep) : [];
    const results = replayAgreement(runs, specs, sweep);
    const out = (s: string) => process.stdout.write(s + '\n');
    // forced: steps always computed at the start / at the end (retention / cut-off), for teacache
    out('policy        setting  forced  runs  predicted step-x  matched runs  step agreement  exact');
    let totalAgree = 0;
    let totalCompared = 0;
    for (const r of results) {
      const d = r.description;
      const matched = r.agreements.length;
      const agreed = r.agreements.reduce((a, b) => a + b, 0);
      totalAgree += agreed;
      totalCompared += matched;
      const forced = d.params.retentionSteps !== undefined ? `${d.params.retentionSteps}/${d.params.cutoffSteps}` : '-';
      out(`${d.policy.padEnd(13)} ${String(d.threshold).padStart(7)}  ${forced.padStart(6)}  ${String(r.runs).padStart(4)}  ${r.predictedStepSpeedup.toFixed(2).padStart(16)}  ` +
        `${String(matched).padStart(12)}  ${matched ? (100 * (agreed / matched)).toFixed(1).padStart(13) + '%' : '           --'}  ${r.exact ? 'yes' : 'approx.'}`);
    }
    if (argv.sweep) {
      out(totalCompared
        ? `\nacross ${totalCompared} run(s) found in ${argv.sweep}: predicted and real schedules agree on ${(100 * totalAgree / totalCompared).toFixed(1)}% of steps`
        : `\nno run of ${argv.sweep} matches these traces' model, prompts, seeds and steps with these settings`);
    }
  },
};
