import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { countDataMarks } from './svg-marks.js';
import { useReportFontMetrics } from './text-metrics.js';

/** A vega loader that refuses every load: report specs embed their data, so any load is a bug or a leak. */
export function offlineLoader(): vega.Loader {
  const refuse = (what: string) => Promise.reject(new Error(`offline report: refusing to load "${what}" (data must be embedded)`));
  return {
    load: (uri) => refuse(uri),
    sanitize: (uri) => refuse(uri),
    http: (uri) => refuse(uri),
    file: (filename) => refuse(filename),
  };
}

/** Compile a vega-lite spec to a vega spec; vega-lite's warnings are collected rather than printed. */
export function compileToVega(spec: TopLevelSpec): { vegaSpec: vega.Spec; warnings: string[] } {
  const warnings: string[] = [];
  const logger: vega.LoggerInterface = {
    level() { return this; },
    error(...m: unknown[]) { throw new Error(`vega-lite: ${m.join(' ')}`); },
    warn(...m: unknown[]) { warnings.push(m.join(' ')); return this; },
    info() { return this; },
    debug() { return this; },
  };
  const { spec: vegaSpec } = compile(spec, { logger });
  return { vegaSpec, warnings };
}

/**
 * Render a vega-lite spec to SVG text in node (no browser, no canvas), refusing network access; text is
 * measured with DejaVu Sans (see useReportFontMetrics).
 * Throws when the chart draws no data marks, so an empty chart never reaches a report.
 */
export async function renderSvg(spec: TopLevelSpec, name = 'chart'): Promise<string> {
  // Lay text out with the metrics of the font the PNG is drawn with, so nothing overlaps or clips.
  useReportFontMetrics();
  const { vegaSpec } = compileToVega(spec);
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', loader: offlineLoader(), logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    if (countDataMarks(svg) === 0) throw new Error(`${name}: the chart rendered without any data marks`);
    return svg;
  } finally {
    view.finalize();
  }
}
