import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport } from './build-report.js';
import { builtinCaveat, modelsHtml, modelsMarkdown, parameterLabel, reportModels, type BuiltinModelFacts } from './models-table.js';
import { syntheticSweep, syntheticTraces } from './synthetic-inputs.js';

// The synthetic inputs record weightsHash "synthetic" for dit-s and latte-s.
const builtin = (name: string, weightsSha256 = 'synthetic', parameters = 266_608): BuiltinModelFacts =>
  ({ name, family: 'dit', parameters, weightsSha256, data: 'emoji clips' });

test('a model is named built-in only when both its name and its weights match a built-in model', () => {
  const traces = syntheticTraces({ models: ['dit-s', 'latte-s'], steps: 4 });
  const models = reportModels(traces, undefined, [builtin('dit-s'), builtin('latte-s', 'other-weights')]);
  expect(models.map((m) => [m.name, m.builtin?.name ?? null])).toEqual([['dit-s', 'dit-s'], ['latte-s', null]]);
  expect(reportModels(traces, undefined, []).every((m) => m.builtin === undefined)).toBe(true);
});

test('sweep rows name their models too, each once, in name order', () => {
  const rows = syntheticSweep({ models: ['latte-s', 'dit-s'], steps: 4 }).map((r) => ({ ...r, weightsHash: 'synthetic' }));
  const models = reportModels(undefined, rows, [builtin('dit-s')]);
  // rows that do not record their weights are never taken for a built-in model's
  expect(reportModels(undefined, rows.map(({ weightsHash: _, ...r }) => r), [builtin('dit-s')]).some((m) => m.builtin)).toBe(false);
  expect(models.map((m) => m.name)).toEqual(['dit-s', 'latte-s']);
  expect(models[0].builtin?.parameters).toBe(266_608);
});

test('a model\'s size comes from its traces when it is not a built-in one', () => {
  const traces = syntheticTraces({ models: ['dit-s'], steps: 4 });
  const sized = { ...traces, metadata: traces.metadata.map((m) => ({ ...m, parameters: 674_800_000 })) };
  const [model] = reportModels(sized, undefined, []);
  expect(model.parameters).toBe(674_800_000);
  expect(modelsMarkdown([model])).toContain('| dit-s | dit | 675M | synthetic | not a built-in model |');
});

test('parameter counts read at a glance', () => {
  expect([266_608, 674_800_000, 1_124_000_000, 5_000].map(parameterLabel)).toEqual(['0.27M', '675M', '1.1B', '0.0050M']);
});

test('the caveat appears exactly when a built-in model is shown, naming it and its size', () => {
  const traces = syntheticTraces({ models: ['dit-s', 'latte-s'], steps: 4 });
  expect(builtinCaveat(reportModels(traces, undefined, []))).toBeNull();
  const one = builtinCaveat(reportModels(traces, undefined, [builtin('dit-s')]))!;
  expect(one).toMatch(/^dit-s is one of the toolkit's built-in models \(0\.27M parameters/);
  expect(one).toContain('): its figures are evidence that the toolkit measures what it says, not of how TeaCache does on published models.');
  const two = builtinCaveat(reportModels(traces, undefined, [builtin('dit-s'), builtin('latte-s', 'synthetic', 300_000)]))!;
  expect(two).toMatch(/^dit-s, latte-s are the toolkit's built-in models \(0\.27M–0\.30M parameters, .*\): their figures/);
});

test('the tables escape model names in Markdown and HTML', () => {
  const models = [{ name: 'a|b<i>', weightsHash: '0123456789abcdef' }];
  expect(modelsMarkdown(models)).toContain('| a\\|b&lt;i&gt; | – | – | 0123456789ab | not a built-in model |');
  expect(modelsHtml(models)).toContain('<td>a|b&lt;i&gt;</td>');
});

test('a report of built-in models says so in summary.md and index.html', async () => {
  const outDir = join(mkdtempSync(join(tmpdir(), 'report-models-')), 'r');
  const sweeps = syntheticSweep({ models: ['dit-s'], steps: 6 }).map((r) => ({ ...r, weightsHash: 'synthetic' }));
  await buildReport({ sweeps, builtinModels: [builtin('dit-s')], outDir });
  const md = readFileSync(join(outDir, 'summary.md'), 'utf8');
  expect(md).toContain('## Models');
  expect(md.indexOf('## Models')).toBeLessThan(md.indexOf('## Best setting'));
  expect(md).toContain("dit-s is one of the toolkit's built-in models");
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  expect(html).toContain('<section id="models">');
  expect(html).toContain('<p class="caveat">dit-s is one of the toolkit&#39;s built-in models');
});
