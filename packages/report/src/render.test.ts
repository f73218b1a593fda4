import type { TopLevelSpec } from 'vega-lite';
import { offlineLoader, renderSvg } from './render-svg.js';
import { renderPng, reportFontFiles } from './render-png.js';
import { countDataMarks } from './svg-marks.js';

const points: TopLevelSpec = {
  data: { values: [{ a: 1, b: 2 }, { a: 2, b: 3 }, { a: 3, b: 1 }] },
  mark: 'point',
  encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
};

/** Width and height of a PNG from its IHDR chunk. */
function pngSize(png: Uint8Array): [number, number] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

describe('renderSvg', () => {
  test('renders a vega-lite spec to SVG in node, with one mark per datum', async () => {
    const svg = await renderSvg(points);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(countDataMarks(svg)).toBe(3);
  });

  test('refuses a chart that would draw no data marks', async () => {
    await expect(renderSvg({ ...points, data: { values: [] } } as TopLevelSpec, 'empty-chart'))
      .rejects.toThrow(/empty-chart: the chart rendered without any data marks/);
  });

  test('refuses to load data from the network or the disk', async () => {
    const remote = { ...points, data: { url: 'https://example.com/data.json' } } as TopLevelSpec;
    await expect(renderSvg(remote)).rejects.toThrow();
    await expect(offlineLoader().load('https://example.com/x')).rejects.toThrow(/offline report: refusing to load "https:\/\/example.com\/x"/);
    await expect(offlineLoader().file('/etc/passwd')).rejects.toThrow(/refusing to load/);
  });
});

describe('countDataMarks', () => {
  test('counts shapes in role-mark groups only, not axes or legends', () => {
    const svg = '<svg><g class="mark-rule role-axis-grid"><line/><line/></g>' +
      '<g class="mark-symbol role-mark marks" role="graphics-object"><path d="M0"/><path d="M1"/></g>' +
      '<g class="mark-text role-mark labels"><text>a</text></g><g class="mark-line role-mark empty"></g></svg>';
    expect(countDataMarks(svg)).toBe(3);
  });
});

describe('renderPng', () => {
  test('renders at the requested scale', async () => {
    const svg = await renderSvg(points);
    const [w, h] = [Number(svg.match(/width="(\d+)"/)![1]), Number(svg.match(/height="(\d+)"/)![1])];
    const png = renderPng(svg, { scale: 2 });
    expect([...png.slice(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(pngSize(png)).toEqual([2 * w, 2 * h]);
  });

  test('draws text with the loaded font (a label changes the picture)', () => {
    const svg = (text: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30">` +
      `<text x="5" y="20" font-family="sans-serif" font-size="14">${text}</text></svg>`;
    expect(Buffer.from(renderPng(svg('PSNR (dB)'))).equals(Buffer.from(renderPng(svg(''))))).toBe(false);
  });

  test('says which package to install when the font is missing', () => {
    expect(() => reportFontFiles(['/nonexistent/DejaVuSans.ttf'])).toThrow(/apt-get install -y fonts-dejavu-core/);
  });
});
