import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readModelManifest } from '@teacache/models/manifest';
import type { BuiltinModelFacts } from '@teacache/report';
import { REPO_ROOT } from './repo-root.js';

/** The built-in models shipped in `dir` (default datasets/models), as their manifests name them; none without it. */
export function builtinModelFacts(dir = join(REPO_ROOT, 'datasets', 'models')): BuiltinModelFacts[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'manifest.json')))
    .map((d) => {
      const m = readModelManifest(join(dir, d.name, 'manifest.json'));
      return { name: m.name, family: m.family, parameters: m.parameters, weightsSha256: m.weightsSha256, data: m.data };
    });
}
