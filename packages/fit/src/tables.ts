import type { DegreeScore, IndicatorCorrelation } from '@teacache/core';
import type { PairRow } from './pairs.js';

// danfojs-node loads tfjs (a few seconds); import it only when a table is actually made.
type Danfo = typeof import('danfojs-node');
let danfo: Promise<Danfo> | undefined;
function loadDanfo(): Promise<Danfo> {
  danfo ??= import('danfojs-node');
  return danfo;
}

/** How many pairs and runs each prompt contributes. */
export interface PromptSummary {
  prompt: string;
  pairs: number;
  runs: number;
}

/** Pairs and runs per prompt, grouped with danfojs (sorted by prompt). */
export async function summarisePrompts(rows: readonly PairRow[]): Promise<PromptSummary[]> {
  if (rows.length === 0) return [];
  const dfd = await loadDanfo();
  const frame = new dfd.DataFrame({ prompt: rows.map((r) => r.prompt), runId: rows.map((r) => r.runId), step: rows.map((r) => r.step) });
  const values = (f: { column(name: string): { values: unknown } }, column: string) => f.column(column).values as unknown[];
  const perPrompt = frame.groupby(['prompt']).col(['step']).count();
  const perRun = frame.groupby(['prompt', 'runId']).col(['step']).count();
  const runsPerPrompt = perRun.groupby(['prompt']).col(['step_count']).count();
  const runsOf = new Map(values(runsPerPrompt, 'prompt').map((p, i) => [String(p), Number(values(runsPerPrompt, 'step_count_count')[i])]));
  const pairCounts = values(perPrompt, 'step_count');
  return values(perPrompt, 'prompt')
    .map((p, i) => ({ prompt: String(p), pairs: Number(pairCounts[i]), runs: runsOf.get(String(p)) ?? 0 }))
    .sort((a, b) => (a.prompt < b.prompt ? -1 : a.prompt > b.prompt ? 1 : 0));
}

function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return 'n/a';
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(digits) : v.toExponential(2);
}

async function render(columns: Record<string, string[]>): Promise<string> {
  const dfd = await loadDanfo();
  return new dfd.DataFrame(columns).toString();
}

/** The seed's comparison of inputs: every indicator's correlation with the target, as a printable table (the chosen one starred). */
export async function correlationTable(rows: readonly IndicatorCorrelation[], chosen: string): Promise<string> {
  return render({
    indicator: rows.map((r) => (r.indicator === chosen ? `${r.indicator} *` : r.indicator)),
    // danfo cuts headers at 17 characters: keep them short; the caller's title names the target.
    pearson: rows.map((r) => fmt(r.pearson)),
    spearman: rows.map((r) => fmt(r.spearman)),
    pairs: rows.map((r) => String(r.count)),
  });
}

/** Train and cross-validated errors per degree, the chosen one starred. */
export async function degreeTable(scores: readonly DegreeScore[], chosen: number): Promise<string> {
  return render({
    degree: scores.map((s) => (s.degree === chosen ? `${s.degree} *` : String(s.degree))),
    'train RMSE': scores.map((s) => fmt(s.train.rmse, 5)),
    'train R²': scores.map((s) => fmt(s.train.r2)),
    'CV RMSE mean': scores.map((s) => fmt(s.crossValidation?.rmseMean, 5)),
    'CV RMSE se': scores.map((s) => fmt(s.crossValidation?.rmseStandardError, 5)),
    'CV R²': scores.map((s) => fmt(s.crossValidation?.r2)),
  });
}

/** Pairs and runs per prompt as a printable table. */
export async function promptTable(summary: readonly PromptSummary[]): Promise<string> {
  return render({
    prompt: summary.map((s) => (s.prompt.length > 40 ? s.prompt.slice(0, 37) + '...' : s.prompt)),
    runs: summary.map((s) => String(s.runs)),
    pairs: summary.map((s) => String(s.pairs)),
  });
}
