import { basename, join, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { FormatError, type SweepRow } from '@teacache/core';
import { replaceDirectory } from './replace-dir.js';
import type { ReportChart } from './chart.js';
import type { CoefficientsInput } from './coefficients-input.js';
import { coefficientCurvesChart } from './coefficient-curves-chart.js';
import { correlationChart } from './correlation-chart.js';
import { reportHtml, type PageChart } from './html-page.js';
import { perStepChart } from './per-step-chart.js';
import { roundChartData, roundSvgGeometry, specJson } from './compact-spec.js';
import { renderPng } from './render-png.js';
import { renderSvg } from './render-svg.js';
import { skipScheduleChart } from './skip-schedule-chart.js';
import { speedQualityChart } from './speed-quality-chart.js';
import { summaryMarkdown } from './summary-markdown.js';
import { modelsHtml, reportModels, type BuiltinModelFacts } from './models-table.js';
import { summaryHtmlTable } from './summary-table.js';
import type { TraceInput } from './trace-runs.js';
import { wallSpeedupChart } from './wall-speedup-chart.js';
import { DEFAULT_PSNR_PROTOCOL, parsePsnrProtocol, summaryRows, type PsnrProtocol } from '@teacache/cache';

/** Inputs and options of a report; every input is optional, but at least one must be given. */
export interface BuildReportOptions {
  /** Trace rows with their runs' metadata (uncached runs). */
  traces?: TraceInput;
  /** Coefficient sets fitted by the toolkit. */
  coefficients?: readonly CoefficientsInput[];
  /** Published reference coefficient sets. */
  references?: readonly CoefficientsInput[];
  /** Sweep rows: cached runs, each measured against its uncached reference run. */
  sweeps?: readonly SweepRow[];
  /** The toolkit's built-in models: a model of the inputs with the same name and weights is named as one, with the caveat that goes with it. */
  builtinModels?: readonly BuiltinModelFacts[];
  /** Directory to write into, e.g. reports/<name>; created if missing. */
  outDir: string;
  /** Report name for titles; default the out directory's name. */
  name?: string;
  /** Quality target of the summary table, dB of PSNR (default 30). */
  targetPsnr?: number;
  /** PSNR (dB) identical outputs count as (default 60). */
  psnrCap?: number;
  /** Which PSNR the target, the summary and the charts read (default the paper's per-frame 8-bit protocol). */
  psnrProtocol?: PsnrProtocol;
  /** Indicator range for reference sets that record none (see CoefficientCurvesOptions). */
  fallbackXRange?: readonly [number, number];
  /** PNG pixels per SVG pixel (default 2). */
  pngScale?: number;
  /** Told about each chart as it is drawn or skipped. */
  onProgress?: (event: ReportProgress) => void;
  /** Time stamp written in the report (default now). */
  now?: Date;
}

/** One step of building a report. */
export interface ReportProgress {
  chart: string;
  /** 1-based position among all charts the report knows. */
  index: number;
  total: number;
  status: 'drawn' | 'skipped';
  /** For skipped charts: why. */
  reason?: string;
}

interface ChartPlan {
  id: string;
  /** Why the chart cannot be drawn from the given inputs, or null when it can. */
  missing: string | null;
  build: () => ReportChart;
}

/**
 * Build a report: every chart its inputs allow as an SVG and a PNG (plus its vega-lite spec), an offline
 * index.html and summary.md. The report is built beside outDir and swapped in as a whole, so a failure or a
 * kill leaves the previous report intact. Returns the paths written, index.html last.
 */
export async function buildReport(options: BuildReportOptions): Promise<string[]> {
  const { traces, sweeps } = options;
  const coefficients = options.coefficients ?? [];
  const references = options.references ?? [];
  if (!traces && !sweeps && coefficients.length === 0 && references.length === 0) {
    throw new FormatError({ file: 'report input' }, 'at least one of traces, coefficients, references or sweeps', 'none');
  }
  const targetPsnr = options.targetPsnr ?? 30;
  if (!Number.isFinite(targetPsnr)) throw new FormatError({ file: 'options', field: 'targetPsnr' }, 'a finite PSNR in dB', targetPsnr);
  const psnrProtocol = parsePsnrProtocol(options.psnrProtocol ?? DEFAULT_PSNR_PROTOCOL, 'psnrProtocol');
  if (options.psnrCap !== undefined && !(Number.isFinite(options.psnrCap) && options.psnrCap > 0)) {
    throw new FormatError({ file: 'options', field: 'psnrCap' }, 'a finite PSNR in dB > 0', options.psnrCap);
  }
  if (sweeps) checkOneWeightsPerModel(sweeps);
  const outDir = resolve(options.outDir);
  const name = options.name ?? basename(outDir);
  const generatedAt = (options.now ?? new Date()).toISOString();
  const plans = chartPlans({ ...options, psnrProtocol }, coefficients, references, targetPsnr);

  return replaceDirectory(outDir, async (staging) => {
  const written: string[] = [];
  const write = (file: string, data: string | Uint8Array) => { writeFileSync(join(staging, file), data); written.push(file); };
  const drawn: PageChart[] = [];
  const skipped: string[] = [];
  for (const [i, plan] of plans.entries()) {
    const event = { chart: plan.id, index: i + 1, total: plans.length };
    if (plan.missing !== null) {
      skipped.push(`${plan.id}: skipped, ${plan.missing}`);
      options.onProgress?.({ ...event, status: 'skipped', reason: plan.missing });
      continue;
    }
    const built = plan.build();
    const chart = { ...built, spec: roundChartData(built.spec) };
    const svg = roundSvgGeometry(await renderSvg(chart.spec, chart.id));
    const page = { chart, svgFile: `${chart.id}.svg`, pngFile: `${chart.id}.png` };
    write(`${chart.id}.vl.json`, specJson(chart.spec));
    write(page.svgFile, svg);
    write(page.pngFile, renderPng(svg, { scale: options.pngScale }));
    drawn.push(page);
    options.onProgress?.({ ...event, status: 'drawn' });
  }

  const summary = sweeps ? summaryRows(sweeps, { targetPsnr, psnrCap: options.psnrCap, psnrProtocol }) : null;
  const models = reportModels(traces, sweeps, options.builtinModels);
  write('summary.md', summaryMarkdown({ name, generatedAt, targetPsnr, psnrProtocol, models, summary, charts: drawn, skipped }));
  write('index.html', reportHtml({
    name, generatedAt, targetPsnr, psnrProtocol, charts: drawn, skipped, modelsHtml: models.length > 0 ? modelsHtml(models) : null,
    summaryHtml: summary === null ? null : summaryHtmlTable(summary, targetPsnr, psnrProtocol),
  }));
  return written;
  });
}

/**
 * Sweep rows of one model name made with different weights (a retrained model swept into the same file, or
 * files of two models that share a name) must not be averaged as one model: refused, naming both hashes.
 */
export function checkOneWeightsPerModel(rows: readonly SweepRow[],
  where: (index: number) => { file: string; row: number } = (index) => ({ file: 'sweep rows', row: index + 1 })): void {
  const seen = new Map<string, { hash: string; index: number }>();
  rows.forEach((r, index) => {
    if (r.weightsHash === undefined) return;
    const first = seen.get(r.model);
    if (!first) seen.set(r.model, { hash: r.weightsHash, index });
    else if (first.hash !== r.weightsHash) {
      const a = where(first.index);
      throw new FormatError({ ...where(index), field: 'weightsHash' },
        `${first.hash}, the weights of model ${JSON.stringify(r.model)} in ${a.file} row ${a.row} (one model name, one set of weights: ` +
        'report the two sweeps separately or rename one model)', r.weightsHash);
    }
  });
}

/** Every chart the report knows, in page order, with what it needs. */
function chartPlans(options: BuildReportOptions, coefficients: readonly CoefficientsInput[], references: readonly CoefficientsInput[],
  targetPsnr: number): ChartPlan[] {
  const { traces, sweeps, psnrCap, psnrProtocol } = options;
  const needsTraces = traces ? null : 'needs traces (--traces)';
  const needsSweeps = sweeps ? null : 'needs sweep rows (--sweep)';
  return [
    { id: 'per-step', missing: needsTraces, build: () => perStepChart(traces!) },
    { id: 'correlation', missing: needsTraces, build: () => correlationChart(traces!, coefficients) },
    { id: 'speed-psnr', missing: needsSweeps, build: () => speedQualityChart(sweeps!, 'psnr', { targetPsnr, psnrCap, psnrProtocol }) },
    { id: 'speed-ssim', missing: needsSweeps, build: () => speedQualityChart(sweeps!, 'ssim', { targetPsnr, psnrCap, psnrProtocol }) },
    { id: 'wall-speedup', missing: needsSweeps, build: () => wallSpeedupChart(sweeps!, { psnrCap, psnrProtocol }) },
    { id: 'skip-schedule', missing: needsSweeps, build: () => skipScheduleChart(sweeps!) },
    {
      id: 'coefficient-curves',
      missing: coefficients.length + references.length > 0 ? null : 'needs coefficient files (--coefficients) or reference sets (--references)',
      build: () => coefficientCurvesChart(coefficients, references, { fallbackXRange: options.fallbackXRange }),
    },
  ];
}
