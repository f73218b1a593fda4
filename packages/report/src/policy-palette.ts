import { policyRank } from '@teacache/cache';

// One hue per policy, darkest first, so variants of one policy read as one family and policies stay apart
// (ColorBrewer sequential ramps, light ends dropped so every shade shows on white).
const RAMPS: Record<string, readonly string[]> = {
  teacache: ['#08306b', '#2171b5', '#4292c6', '#6baed6', '#9ecae1'],
  interval: ['#a63603', '#e6550d', '#fd8d3c', '#fdae6b'],
  'first-block': ['#006d2c', '#31a354', '#74c476', '#a1d99b'],
  magcache: ['#54278f', '#756bb1', '#9e9ac8', '#bcbddc'],
  oracle: ['#737373', '#969696', '#525252', '#bdbdbd'],
};
const OTHER = ['#8c2d04', '#cc4c02', '#ec7014'];

/** One entry of a legend: the label drawn and the policy it belongs to. */
export interface LegendEntry {
  legend: string;
  policy: string;
}

/**
 * Colours for legend entries: each policy its own hue, its variants shades of that hue in the order given.
 * Returns the domain (entries in order, policies as the cache package lists them) and the matching range.
 */
export function policyPalette(entries: readonly LegendEntry[]): { domain: string[]; range: string[] } {
  const unique = [...new Map(entries.map((e) => [e.legend, e])).values()];
  const ordered = unique.map((e, i) => ({ e, i })).sort((a, b) => policyRank(a.e.policy) - policyRank(b.e.policy) || a.i - b.i).map((x) => x.e);
  const used = new Map<string, number>();
  const range = ordered.map((e) => {
    const ramp = RAMPS[e.policy] ?? OTHER;
    const k = used.get(e.policy) ?? 0;
    used.set(e.policy, k + 1);
    return ramp[k % ramp.length];
  });
  return { domain: ordered.map((e) => e.legend), range };
}

/** The vega-lite colour encoding of legend entries by policy (hues from `policyPalette`), shared by the charts. */
export function policyColorEncoding(entries: readonly LegendEntry[]) {
  const palette = policyPalette(entries);
  return {
    field: 'legend', type: 'nominal' as const, title: 'policy', sort: palette.domain, scale: palette,
    legend: { symbolOpacity: 1, orient: 'bottom' as const, columns: 2, labelLimit: 520 },
  };
}
