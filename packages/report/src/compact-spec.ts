import type { TopLevelSpec } from 'vega-lite';

/** Significant digits kept in embedded chart data: 1 part in 10⁴, finer than a pixel of any chart drawn here. */
export const CHART_DATA_DIGITS = 4;

/**
 * A copy of a chart spec whose embedded data (`data.values` anywhere in the spec) keeps `digits` significant
 * digits. Traces are float32 and a chart is a few hundred pixels wide, so the dropped digits never move a mark;
 * they only made the committed report several times larger than it needs to be.
 */
export function roundChartData(spec: TopLevelSpec, digits = CHART_DATA_DIGITS): TopLevelSpec {
  const round = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(digits)) : v;
    if (Array.isArray(v)) return v.map(round);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x)]));
    return v;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) =>
      [k, k === 'data' && x !== null && typeof x === 'object' && 'values' in x ? { ...x, values: round((x as { values: unknown }).values) } : walk(x)]));
  };
  return walk(spec) as TopLevelSpec;
}

/**
 * A chart spec as readable JSON: indented like `JSON.stringify(spec, null, 2)`, except that each row of embedded
 * data sits on one line (a chart with ten thousand points stays a file one can scroll).
 */
export function specJson(spec: TopLevelSpec): string {
  const emit = (v: unknown, indent: string, rowsInline: boolean): string => {
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      const inner = indent + '  ';
      const items = v.map((x) => inner + (rowsInline ? JSON.stringify(x) : emit(x, inner, false)));
      return `[\n${items.join(',\n')}\n${indent}]`;
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      if (entries.length === 0) return '{}';
      const inner = indent + '  ';
      const items = entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${emit(x, inner, k === 'values' && Array.isArray(x))}`);
      return `{\n${items.join(',\n')}\n${indent}}`;
    }
    return JSON.stringify(v);
  };
  return emit(spec, '', false) + '\n';
}

/**
 * An SVG whose mark geometry (`transform` and `d` attributes) keeps two decimals of a pixel: the renderer writes
 * full float64 positions, which only add bytes. Text, labels and every other attribute are left as they are.
 */
export function roundSvgGeometry(svg: string): string {
  return svg.replace(/ (transform|d)="([^"]*)"/g, (_, name: string, value: string) =>
    ` ${name}="${value.replace(/-?\d+\.\d{3,}(?:e-?\d+)?/g, (n) => String(Number(Number(n).toFixed(2))))}"`);
}
