import { join } from 'node:path';
import { readSweepRows } from '@teacache/core';
import { builtinCaveat, reportModels } from '@teacache/report';
import { builtinModelFacts } from './builtin-facts.js';
import { REPO_ROOT } from './repo-root.js';

test('the shipped built-in models are known by their manifests', () => {
  expect(builtinModelFacts().map((b) => b.name).sort()).toEqual(['dit-tiny', 'latte-tiny', 'osp-tiny', 'stdit-tiny']);
  expect(builtinModelFacts(join(REPO_ROOT, 'no-such-dir'))).toEqual([]);
});

test('the committed stdit-tiny sweep is recognised as a built-in model, and its report carries the caveat', () => {
  const rows = readSweepRows(join(REPO_ROOT, 'datasets', 'sweeps', 'stdit-tiny.jsonl'));
  const caveat = builtinCaveat(reportModels(undefined, rows, builtinModelFacts()));
  expect(caveat).toMatch(/^stdit-tiny is one of the toolkit's built-in models \(0\.27M parameters/);
});
