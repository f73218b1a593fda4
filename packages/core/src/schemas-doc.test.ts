import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRACE_METADATA_SCHEMA } from './trace-format.js';
import { COEFFICIENTS_SCHEMA } from './coefficients-format.js';
import { SWEEP_ROW_SCHEMA } from './sweep-format.js';
import { RUN_RECORD_SCHEMA } from './run-record-format.js';

const docs = join(import.meta.dirname, '..', '..', '..', 'docs', 'schemas');

test.each([
  ['trace-metadata-v1.json', TRACE_METADATA_SCHEMA],
  ['coefficients-v1.json', COEFFICIENTS_SCHEMA],
  ['sweep-row-v1.json', SWEEP_ROW_SCHEMA],
  ['run-record-v1.json', RUN_RECORD_SCHEMA],
])('the documented schema %s is the one the code validates with', (file, schema) => {
  const documented = JSON.parse(readFileSync(join(docs, file), 'utf8'));
  expect(documented).toEqual(JSON.parse(JSON.stringify(schema)));
});
