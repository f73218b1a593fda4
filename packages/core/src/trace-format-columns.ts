/** The per-step signals a trace may record, named by what they are. */
export const SIGNALS = ['noisy', 'timestep', 'modulated', 'residual', 'output'] as const;
export type Signal = (typeof SIGNALS)[number];

/** Classifier-free guidance branch of a row: `cond` only when the run is unguided. */
export const BRANCHES = ['cond', 'uncond'] as const;
export type Branch = (typeof BRANCHES)[number];

/** Families of the built-in models; a trace may name any other family (a known value, not an enum). */
export const KNOWN_FAMILIES = ['dit', 'stdit', 'latte', 'osp'] as const;
/** Samplers of the built-in sampling loop; traces from elsewhere name their own. */
export const KNOWN_SAMPLERS = ['ddim', 'euler-rf', 'euler-ancestral'] as const;

/**
 * One row of a trace: one (run, step, branch). relL1 is null at a run's first step; relL1 and meanAbs are
 * null for a signal whose column the trace leaves out (a framework that lacks the signal).
 */
export interface TraceRow {
  runId: string;
  /** The run's prompt and seed when the CSV carries them (trace CSVs written since 0.2 do). */
  prompt?: string;
  seed?: number;
  step: number;
  timestep: number;
  branch: Branch;
  /** 1 when the block stack ran at this step, 0 when a cached residual was reused. */
  computed: 0 | 1;
  relL1: Record<Signal, number | null>;
  meanAbs: Record<Signal, number | null>;
}

/** Columns every trace CSV has. `computed` may be left out (then every step computed). */
export const REQUIRED_TRACE_COLUMNS: readonly string[] = ['run_id', 'step', 'timestep', 'branch'];

/** Every column a trace CSV may have, in the order the toolkit writes them. */
export const TRACE_COLUMNS: readonly string[] = [
  'run_id', 'prompt', 'seed', 'step', 'timestep', 'branch', 'computed',
  ...SIGNALS.map((s) => `rel_l1_${s}`),
  ...SIGNALS.map((s) => `mean_abs_${s}`),
];
