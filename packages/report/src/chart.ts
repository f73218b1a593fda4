import type { TopLevelSpec } from 'vega-lite';
import type { Config } from 'vega-lite/types_unstable/config.js';

/** One chart of a report: a vega-lite spec with its data embedded, and the words around it. */
export interface ReportChart {
  /** File-name-safe id: the chart's SVG/PNG are `<id>.svg` / `<id>.png`. */
  id: string;
  title: string;
  /** One or two sentences under the chart's heading: what is drawn and how to read it. */
  description: string;
  spec: TopLevelSpec;
}

/** Shared look of every chart: white background (PNG), readable type sizes, long legend labels allowed. */
export const CHART_CONFIG: Config = {
  background: 'white',
  padding: 12,
  font: 'sans-serif',
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start', offset: 10 },
  // labelOverlap drops every other label rather than letting neighbours touch
  axis: { titleFontSize: 12, labelFontSize: 11, titleFontWeight: 'normal', titlePadding: 8, labelOverlap: true, labelSeparation: 6 },
  legend: { titleFontSize: 12, labelFontSize: 11, labelLimit: 420, titleLimit: 420 },
  header: { titleFontSize: 12, labelFontSize: 12, labelFontWeight: 'bold' },
  view: { stroke: '#ccc' },
  // No per-mark ARIA labels: a scatter of ten thousand steps spoke each point's fields into the SVG (most of its
  // size); the page states what every chart draws, and axes and titles keep theirs.
  mark: { aria: false },
};

/** Vega-lite's schema URL, so editors and vega-embed know the spec's version. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
