import { FormatError, readJsonFile } from '@teacache/core';

/**
 * What a built-in model's manifest.json says about which model it is: enough to name it in a report. Read without
 * tfjs (subpath export `@teacache/models/manifest`), so a report can say which of its models are the toolkit's own.
 */
export interface ManifestIdentity {
  name: string;
  family: string;
  /** Parameters of the model (count). */
  parameters: number;
  /** SHA-256 (hex) of the model's weights.safetensors, as traces and sweep rows record it. */
  weightsSha256: string;
  /** What the model learned from. */
  data: string;
}

/** Read a manifest.json and check the fields that name its model; the rest is returned as stored. */
export function readModelManifest(file: string): ManifestIdentity & Record<string, unknown> {
  const m = readJsonFile(file, 'model manifest') as Record<string, unknown>;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new FormatError({ file }, 'a JSON object', JSON.stringify(m));
  for (const field of ['name', 'family', 'data'] as const) {
    if (typeof m[field] !== 'string' || m[field] === '') throw new FormatError({ file, field }, 'a non-empty string', m[field]);
  }
  if (!Number.isInteger(m.parameters) || (m.parameters as number) < 1) throw new FormatError({ file, field: 'parameters' }, 'a whole number >= 1', m.parameters);
  if (typeof m.weightsSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.weightsSha256)) {
    throw new FormatError({ file, field: 'weightsSha256' }, 'a SHA-256 in 64 lowercase hex digits', m.weightsSha256);
  }
  return m as ManifestIdentity & Record<string, unknown>;
}
