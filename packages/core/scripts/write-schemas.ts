// Writes the JSON Schemas of the toolkit's JSON formats to docs/schemas/ (defined in src/).
import { join } from 'node:path';
import { COEFFICIENTS_SCHEMA, RUN_RECORD_SCHEMA, SWEEP_ROW_SCHEMA, TRACE_METADATA_SCHEMA, writeJsonAtomic } from '../src/index.js';

const dir = join(import.meta.dirname, '..', '..', '..', 'docs', 'schemas');
const written: string[] = [];
for (const [name, schema] of [['trace-metadata-v1.json', TRACE_METADATA_SCHEMA], ['coefficients-v1.json', COEFFICIENTS_SCHEMA], ['sweep-row-v1.json', SWEEP_ROW_SCHEMA], ['run-record-v1.json', RUN_RECORD_SCHEMA]] as const) {
  const path = join(dir, name);
  writeJsonAtomic(path, schema);
  written.push(path);
}
console.log(`wrote ${written.length} files:\n  ${written.join('\n  ')}`);
