import { rollup } from 'd3-array';
import type { DegreeScore, IndicatorCorrelation } from '@teacache/core';
import type { PairRow } from './pairs.js';

/** How many pairs and runs each prompt contributes. */
export interface PromptSummary {
  prompt: string;
  pairs: number;
  runs: number;
}

/** Pairs and runs per prompt, sorted by prompt. */
export function summarisePrompts(rows: readonly PairRow[]): PromptSummary[] {
  const byPrompt = rollup(rows, (group) => ({ pairs: group.length, runs: new Set(group.map((r) => r.runId)).size }), (r) => r.prompt);
  return [...byPrompt]
    .map(([prompt, counts]) => ({ prompt, ...counts }))
    .sort((a, b) => (a.prompt < b.prompt ? -1 : a.prompt > b.prompt ? 1 : 0));
}

function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return 'n/a';
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(digits) : v.toExponential(2);
}

/** Columns of text as aligned lines: the first column left-aligned, the others right-aligned (numbers). */
export function textTable(columns: Record<string, readonly string[]>): string {
  const names = Object.keys(columns);
  const rows = columns[names[0]]?.length ?? 0;
  const widths = names.map((n) => Math.max(n.length, ...columns[n].map((v) => v.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(names), rule, ...Array.from({ length: rows }, (_, r) => line(names.map((n) => columns[n][r])))].join('\n');
}

/** The comparison of inputs: every indicator's correlation with the target, as a printable table (the chosen one starred). */
export function correlationTable(rows: readonly IndicatorCorrelation[], chosen: string): string {
  return textTable({
    indicator: rows.map((r) => (r.indicator === chosen ? `${r.indicator} *` : r.indicator)),
    pearson: rows.map((r) => fmt(r.pearson)),
    spearman: rows.map((r) => fmt(r.spearman)),
    pairs: rows.map((r) => String(r.count)),
  });
}

/** Train and cross-validated errors per degree, the chosen one starred. */
export function degreeTable(scores: readonly DegreeScore[], chosen: number): string {
  return textTable({
    degree: scores.map((s) => (s.degree === chosen ? `${s.degree} *` : String(s.degree))),
    'train RMSE': scores.map((s) => fmt(s.train.rmse, 5)),
    'train R²': scores.map((s) => fmt(s.train.r2)),
    'CV RMSE mean': scores.map((s) => fmt(s.crossValidation?.rmseMean, 5)),
    'CV RMSE se': scores.map((s) => fmt(s.crossValidation?.rmseStandardError, 5)),
    'CV R²': scores.map((s) => fmt(s.crossValidation?.r2)),
  });
}

/** Pairs and runs per prompt as a printable table. */
export function promptTable(summary: readonly PromptSummary[]): string {
  return textTable({
    prompt: summary.map((s) => (s.prompt.length > 40 ? s.prompt.slice(0, 37) + '...' : s.prompt)),
    runs: summary.map((s) => String(s.runs)),
    pairs: summary.map((s) => String(s.pairs)),
  });
}
