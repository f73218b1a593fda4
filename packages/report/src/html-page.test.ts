import { reportHtml } from './html-page.js';
import { inlineScriptText, readVendorBundles } from './vendor-bundles.js';
import type { ReportChart } from './chart.js';

const chart: ReportChart = {
  id: 'tricky',
  title: 'A <b> title',
  description: 'data with </script> inside',
  spec: { data: { values: [{ label: '</script><script>alert(1)</script>' }] }, mark: 'point' },
};

describe('reportHtml', () => {
  const html = reportHtml({
    name: 'x & y', charts: [{ chart, svgFile: 'tricky.svg', pngFile: 'tricky.png' }], summaryHtml: null, targetPsnr: 30,
    skipped: ['per-step: skipped, needs traces'], generatedAt: '2025-01-01T00:00:00.000Z',
  });

  test('inlines vega, vega-lite and vega-embed in that order', () => {
    const order = ['/* vega */', '/* vega-lite */', '/* vega-embed */'].map((m) => html.indexOf(m));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('embeds the spec so no data can close its script element, and it parses back', () => {
    const embedded = html.match(/<script type="application\/json" id="spec-tricky">([^<]*)<\/script>/)![1];
    expect(JSON.parse(embedded)).toEqual(chart.spec);
    expect(html.split('</script><script>alert(1)').length).toBe(1);
  });

  test('escapes text, lists skipped charts, and leaves out the summary without sweeps', () => {
    expect(html).toContain('<title>TeaCache report: x &amp; y</title>');
    expect(html).toContain('<h2>A &lt;b&gt; title</h2>');
    expect(html).toContain('<li>per-step: skipped, needs traces</li>');
    expect(html).not.toContain('id="summary"');
  });
});

describe('vendor bundles', () => {
  test('are read from node_modules and hold nothing that ends a script element', () => {
    const bundles = readVendorBundles();
    expect(bundles.map((b) => b.name)).toEqual(['vega', 'vega-lite', 'vega-embed']);
    for (const b of bundles) expect(inlineScriptText(b.source)).not.toMatch(/<\/script/i);
  });

  test('an end tag inside script text is escaped', () => {
    expect(inlineScriptText('var s = "</SCRIPT>";')).toBe('var s = "<\\/SCRIPT>";');
  });
});
