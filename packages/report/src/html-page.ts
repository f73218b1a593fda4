import { TOOLKIT_VERSION } from '@teacache/core';
import type { ReportChart } from './chart.js';
import { bestSettingRule, DEFAULT_PSNR_PROTOCOL, psnrShortLabel, type PsnrProtocol } from '@teacache/cache';
import { escapeHtml } from './summary-table.js';
import { inlineScriptText, readVendorBundles } from './vendor-bundles.js';

/** A chart as the page shows it, with the file names of its pictures (relative to the page). */
export interface PageChart {
  chart: ReportChart;
  svgFile: string;
  pngFile: string;
}

/** What the page is made of. */
export interface PageContent {
  name: string;
  charts: readonly PageChart[];
  /** The table of the models the report shows (with the built-in caveat), or null when no input names a model. */
  modelsHtml?: string | null;
  /** The summary table as HTML, or null without sweep input. */
  summaryHtml: string | null;
  /** Quality target the summary uses, dB. */
  targetPsnr: number;
  /** The PSNR protocol of the target (default the paper's). */
  psnrProtocol?: PsnrProtocol;
  /** Lines saying which charts were skipped and why. */
  skipped: readonly string[];
  /** ISO time the report was made. */
  generatedAt: string;
}

/** JSON placed in a <script type="application/json">: "<" escaped so no tag can end the element early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

// Everything loads from this file; the policy makes the browser refuse any network access the page might try.
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; " +
  "img-src 'self' data:; connect-src 'none'; font-src 'self'";

const STYLE = `
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2rem auto; max-width: 1400px; padding: 0 1.5rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.5rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
p.meta, p.files { color: #555; font-size: .9rem; }
nav { display: flex; flex-wrap: wrap; gap: .3rem 1rem; } nav a { white-space: nowrap; }
section p { max-width: 80rem; overflow-wrap: anywhere; }
table.summary, table.models { border-collapse: collapse; font-size: .92rem; } table.summary th, table.summary td, table.models th, table.models td { border: 1px solid #ccc; padding: .35rem .6rem; }
table.models th { background: #f3f5f8; text-align: left; } p.caveat { font-weight: 600; }
table.summary th { background: #f3f5f8; text-align: left; } table.summary td.num { text-align: right; font-variant-numeric: tabular-nums; }
.view { max-width: 100%; overflow-x: auto; } .view svg { max-width: none; } .error { color: #b00020; }
table.summary { display: block; max-width: 100%; overflow-x: auto; }
`;

// Runs in the browser: draw each chart with vega-embed from its embedded spec, refusing any data loading.
const RENDER_SCRIPT = `
(function () {
  function refuse(what) { return Promise.reject(new Error('offline report: refusing to load ' + what)); }
  var offlineLoader = { load: refuse, sanitize: refuse, http: refuse, file: refuse };
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var spec = JSON.parse(document.getElementById('spec-' + el.getAttribute('data-chart')).textContent);
    vegaEmbed(el, spec, { renderer: 'svg', actions: false, loader: offlineLoader })
      .then(function () { el.setAttribute('data-rendered', 'true'); })
      .catch(function (err) {
        el.setAttribute('data-rendered', 'error');
        el.innerHTML = '<p class="error"></p>';
        el.firstChild.textContent = 'This chart failed to draw: ' + err.message;
        console.error(err);
      });
  });
})();
`;

/**
 * The report as one self-contained HTML page: vega, vega-lite and vega-embed inlined, every chart's spec and
 * data embedded, the summary table, and links to each chart's SVG and PNG. Opens offline.
 */
export function reportHtml(content: PageContent): string {
  const bundles = readVendorBundles().map((b) => `<script>/* ${b.name} */\n${inlineScriptText(b.source)}\n</script>`);
  const nav = [
    ...(content.modelsHtml ? ['<a href="#models">Models</a>'] : []),
    ...(content.summaryHtml !== null ? ['<a href="#summary">Summary</a>'] : []),
    ...content.charts.map(({ chart }) => `<a href="#chart-${escapeHtml(chart.id)}">${escapeHtml(chart.title)}</a>`),
  ];
  const sections = content.charts.map(({ chart, svgFile, pngFile }) => [
    `<section id="chart-${escapeHtml(chart.id)}">`,
    `<h2>${escapeHtml(chart.title)}</h2>`,
    `<p>${escapeHtml(chart.description)}</p>`,
    `<div class="view" data-chart="${escapeHtml(chart.id)}"></div>`,
    `<p class="files">Files: <a href="${escapeHtml(svgFile)}">${escapeHtml(svgFile)}</a> · <a href="${escapeHtml(pngFile)}">${escapeHtml(pngFile)}</a></p>`,
    `<script type="application/json" id="spec-${escapeHtml(chart.id)}">${scriptJson(chart.spec)}</script>`,
    '</section>',
  ].join('\n'));
  const models = content.modelsHtml ? ['<section id="models">', '<h2>Models</h2>', content.modelsHtml, '</section>'] : [];
  const summary = content.summaryHtml === null ? [] : [
    '<section id="summary">',
    `<h2>Summary: best setting per model at ${escapeHtml(psnrShortLabel(content.psnrProtocol ?? DEFAULT_PSNR_PROTOCOL))} ≥ ${content.targetPsnr} dB</h2>`,
    `<p>${escapeHtml(bestSettingRule(content.targetPsnr, content.psnrProtocol ?? DEFAULT_PSNR_PROTOCOL))} The headline speedup is in FLOPs and steps; ` +
      'the oracle\'s step speedup at the same target is given for scale.</p>',
    content.summaryHtml,
    '</section>',
  ];
  const skipped = content.skipped.length === 0 ? [] : [
    '<section id="skipped"><h2>Not drawn</h2><ul>',
    ...content.skipped.map((s) => `<li>${escapeHtml(s)}</li>`),
    '</ul></section>',
  ];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>TeaCache report: ${escapeHtml(content.name)}</title>`,
    `<style>${STYLE}</style>`,
    ...bundles,
    '</head>',
    '<body>',
    `<h1>TeaCache report: ${escapeHtml(content.name)}</h1>`,
    `<p class="meta">Made ${escapeHtml(content.generatedAt)} by teacache-toolkit ${escapeHtml(TOOLKIT_VERSION)}. ` +
      'This page works offline: its scripts and data are inside it.</p>',
    `<nav>${nav.join('')}</nav>`,
    ...models,
    ...summary,
    ...sections,
    ...skipped,
    `<script>${RENDER_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
