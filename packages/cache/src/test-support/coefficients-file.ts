import { coefficientsFromHighestFirst, type CoefficientsFile } from '@teacache/core';

/** A complete, valid coefficients file of a published-style set (no fit evidence) for tests; fields overridable. */
export function coefficientsFileOf(highestFirst: number[], overrides: Partial<CoefficientsFile> = {}): CoefficientsFile {
  return {
    format: 'teacache-coefficients', version: 1, origin: 'published', model: 'test-model', weightsHash: '',
    indicator: 'modulated', target: 'output', degree: highestFirst.length - 1, coefficients: coefficientsFromHighestFirst(highestFirst),
    xRange: null, sampleCount: null, statistics: null, sources: [], provenance: 'test set',
    reference: { integration: 'test', repository: 'test/none', path: 'none.py', commit: null, publishedText: JSON.stringify(highestFirst), indicatorDetail: 'modulated input' },
    toolkitVersion: '0.0.0', createdAt: '2026-01-01T00:00:00Z', ...overrides,
  };
}
