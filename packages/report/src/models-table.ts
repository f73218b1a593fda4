import type { SweepRow } from '@teacache/core';
import { escapeHtml, escapeMarkdown } from './summary-table.js';
import type { TraceInput } from './trace-runs.js';

/** One of the toolkit's built-in models as its manifest names it (see @teacache/models/manifest). */
export interface BuiltinModelFacts {
  name: string;
  family: string;
  /** Parameters (count). */
  parameters: number;
  /** SHA-256 (hex) of its weights file. */
  weightsSha256: string;
  /** What it learned from. */
  data: string;
}

/** A model the report shows figures of, and what is known about it. */
export interface ReportModel {
  name: string;
  /** From its traces; undefined when only sweep rows name it. */
  family?: string;
  /** SHA-256 of its weights as its traces and rows record it (undefined in rows written before it was recorded). */
  weightsHash?: string;
  /** Parameters (count), as its traces or its built-in manifest record them. */
  parameters?: number;
  /** Set when the model is one of the toolkit's built-in models: same name, same weights. */
  builtin?: BuiltinModelFacts;
}

/**
 * The models of a report's traces and sweep rows, in name order. A model is taken for a built-in one only when its
 * name and its weights' hash both match (a user's model that happens to share a name is not).
 */
export function reportModels(traces: TraceInput | undefined, sweeps: readonly SweepRow[] | undefined,
  builtins: readonly BuiltinModelFacts[] = []): ReportModel[] {
  const byName = new Map<string, ReportModel>();
  const note = (name: string, family: string | undefined, hash: string | undefined, parameters: number | undefined) => {
    const m = byName.get(name) ?? { name };
    byName.set(name, { ...m, family: m.family ?? family, weightsHash: m.weightsHash ?? hash, parameters: m.parameters ?? parameters });
  };
  for (const t of traces?.metadata ?? []) note(t.model, t.family, t.weightsHash || undefined, t.parameters);
  for (const r of sweeps ?? []) note(r.model, undefined, r.weightsHash, undefined);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)).map((m) => {
    const builtin = builtins.find((b) => b.name === m.name && m.weightsHash === b.weightsSha256);
    return builtin ? { ...m, family: m.family ?? builtin.family, parameters: builtin.parameters, builtin } : m;
  });
}

/** "0.27M", "675M", "1.1B": a parameter count to read at a glance. */
export function parameterLabel(count: number): string {
  if (count >= 1e9) return `${Number((count / 1e9).toPrecision(2))}B`;
  if (count >= 1e6) return `${Number((count / 1e6).toPrecision(3))}M`;
  return `${(count / 1e6).toPrecision(2)}M`;
}

/**
 * The sentence a report must carry when it shows built-in models: figures from the toolkit's tiny models are
 * evidence about the toolkit, not about TeaCache on published models. Null when there is none.
 */
export function builtinCaveat(models: readonly ReportModel[]): string | null {
  const builtins = models.filter((m) => m.builtin !== undefined);
  if (builtins.length === 0) return null;
  const sizes = builtins.map((m) => m.builtin!.parameters);
  const [low, high] = [Math.min(...sizes), Math.max(...sizes)];
  const size = low === high ? parameterLabel(low) : `${parameterLabel(low)}–${parameterLabel(high)}`;
  const names = builtins.map((m) => m.name).join(', ');
  const verb = builtins.length === 1 ? 'is one of the toolkit\'s built-in models' : 'are the toolkit\'s built-in models';
  const their = builtins.length === 1 ? 'its' : 'their';
  return `${names} ${verb} (${size} parameters, trained by the toolkit on small emoji clips): ${their} figures are evidence that `
    + 'the toolkit measures what it says, not of how TeaCache does on published models.';
}

function cells(m: ReportModel): string[] {
  return [
    m.name, m.family ?? '–', m.parameters !== undefined ? parameterLabel(m.parameters) : '–',
    m.weightsHash ? m.weightsHash.slice(0, 12) : '–',
    m.builtin ? `built-in, trained on ${m.builtin.data}` : 'not a built-in model',
  ];
}

const HEADER = ['model', 'family', 'parameters', 'weights (SHA-256)', 'what it is'];

/** The models as a Markdown table, followed by the built-in caveat when it applies. */
export function modelsMarkdown(models: readonly ReportModel[]): string {
  const row = (c: readonly string[]) => `| ${c.map(escapeMarkdown).join(' | ')} |`;
  const caveat = builtinCaveat(models);
  return [row(HEADER), `| ${HEADER.map(() => '---').join(' | ')} |`, ...models.map((m) => row(cells(m))), ...(caveat ? ['', escapeMarkdown(caveat)] : [])].join('\n');
}

/** The models as an HTML table, followed by the built-in caveat when it applies. */
export function modelsHtml(models: readonly ReportModel[]): string {
  const row = (tag: string, c: readonly string[]) => `<tr>${c.map((v) => `<${tag}>${escapeHtml(v)}</${tag}>`).join('')}</tr>`;
  const caveat = builtinCaveat(models);
  return [
    '<table class="models">', `<thead>${row('th', HEADER)}</thead>`, `<tbody>${models.map((m) => row('td', cells(m))).join('')}</tbody>`, '</table>',
    ...(caveat ? [`<p class="caveat">${escapeHtml(caveat)}</p>`] : []),
  ].join('\n');
}
