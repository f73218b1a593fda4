import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { FormatError } from './errors.js';

type AjvInstance = { compile(schema: object): ValidateFunction };
// ajv ships CommonJS; under ESM the class may sit on `.default`.
const AjvClass = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (o: object) => AjvInstance;
// verbose: errors carry their schema, so a bounded value's message can give its whole range.
const ajv = new AjvClass({ allErrors: false, strict: false, verbose: true });
const compiled = new Map<object, ValidateFunction>();

/**
 * Validate a parsed JSON value against a JSON Schema; throw a FormatError naming the file and the
 * first offending field (as a JSON pointer) otherwise.
 */
export function validateWithSchema<T>(schema: object, value: unknown, file: string): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return value as T;
  const e = validate.errors![0];
  const field = e.instancePath === '' ? (e.params as { missingProperty?: string }).missingProperty ?? '(root)'
    : e.instancePath.slice(1).replace(/\//g, '.') +
      ((e.params as { missingProperty?: string }).missingProperty ? '.' + (e.params as { missingProperty: string }).missingProperty : '');
  const found = e.instancePath === '' ? undefined : pointerGet(value, e.instancePath);
  throw new FormatError({ file, field }, rangeOf(e) ?? `a value that ${e.message ?? 'matches the schema'}`, e.keyword === 'required' ? 'it missing' : found);
}

/** A number's whole range ("a whole number from 0 to 9") when its schema bounds it on both sides and it broke the type or a bound. */
function rangeOf(e: ErrorObject): string | undefined {
  const s = e.parentSchema as { type?: unknown; minimum?: unknown; maximum?: unknown } | undefined;
  if (!['type', 'minimum', 'maximum'].includes(e.keyword) || typeof s?.minimum !== 'number' || typeof s.maximum !== 'number') return undefined;
  return `${s.type === 'integer' ? 'a whole number' : 'a number'} from ${s.minimum} to ${s.maximum}`;
}

function pointerGet(value: unknown, pointer: string): unknown {
  let v: unknown = value;
  for (const part of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

const ajvAll = new AjvClass({ allErrors: true, strict: false, verbose: true });
const compiledAll = new Map<object, ValidateFunction>();

/**
 * Every way a parsed JSON value breaks a JSON Schema, as FormatErrors naming the file and field (allowed
 * values listed where the schema has a closed set); empty when the value is valid.
 */
export function schemaProblems(schema: object, value: unknown, file: string): FormatError[] {
  let validate = compiledAll.get(schema);
  if (!validate) {
    validate = ajvAll.compile(schema);
    compiledAll.set(schema, validate);
  }
  if (validate(value)) return [];
  const seen = new Set<string>();
  const problems: FormatError[] = [];
  for (const e of validate.errors!) {
    const params = e.params as { missingProperty?: string; allowedValues?: unknown[]; allowedValue?: unknown };
    const base = e.instancePath.slice(1).replace(/\//g, '.');
    const field = params.missingProperty ? (base ? `${base}.${params.missingProperty}` : params.missingProperty) : base || '(root)';
    if (seen.has(field)) continue;
    seen.add(field);
    const expected = e.keyword === 'enum' ? `one of ${params.allowedValues!.map((v) => JSON.stringify(v)).join(', ')}`
      : e.keyword === 'const' ? `${JSON.stringify(params.allowedValue)}`
      : rangeOf(e) ?? `a value that ${e.message ?? 'matches the schema'}`;
    problems.push(new FormatError({ file, field }, expected, e.keyword === 'required' ? 'it missing' : pointerGet(value, e.instancePath)));
  }
  return problems;
}
