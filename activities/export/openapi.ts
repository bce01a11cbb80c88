/**
 * A policy's parameter schema (JSON Schema, policy.yaml `parameters`) as the structural
 * openAPIV3Schema a ConstraintTemplate declares for its Constraint's `parameters`:
 *
 * - `additionalProperties: false` beside `properties` is dropped (a CRD schema may not set both;
 *   structural schemas prune unknown fields anyway);
 * - `exclusiveMinimum: n` (JSON Schema) becomes `minimum: n, exclusiveMinimum: true` (OpenAPI 3.0);
 * - `anyOf` of different shapes (e.g. a port number or a range object) cannot be structural: that
 *   node keeps its description and accepts any value (`x-kubernetes-preserve-unknown-fields`); the
 *   policy itself still checks what it reads;
 * - a node without a type takes the type of its `enum` values, else accepts any value;
 * - `default` is dropped here: the exported Constraint states every default in its parameters.
 */
import { isObject } from '../../lib/json';

const KEPT = new Set([
  'type',
  'description',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'enum',
  'required',
  'minItems',
  'maxItems',
]);

export function structuralSchema(schema: unknown): Record<string, unknown> {
  if (!isObject(schema)) return { 'x-kubernetes-preserve-unknown-fields': true };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) if (KEPT.has(key)) out[key] = value;
  if (typeof schema.exclusiveMinimum === 'number') {
    out.minimum = schema.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    return {
      ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
      'x-kubernetes-preserve-unknown-fields': true,
    };
  }
  if (isObject(schema.properties)) {
    out.type = 'object';
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, child]) => [name, structuralSchema(child)]));
  } else if (isObject(schema.additionalProperties)) {
    out.additionalProperties = structuralSchema(schema.additionalProperties);
  }
  if (schema.items !== undefined) out.items = structuralSchema(schema.items);
  // a structural schema gives every node a type: from the enum's values, else any value is kept
  if (out.type === undefined) {
    const type = Array.isArray(schema.enum) ? enumType(schema.enum) : undefined;
    if (type) out.type = type;
    else out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  return out;
}

function enumType(values: readonly unknown[]): string | undefined {
  if (values.every((v) => typeof v === 'string')) return 'string';
  if (values.every((v) => Number.isInteger(v))) return 'integer';
  if (values.every((v) => typeof v === 'number')) return 'number';
  if (values.every((v) => typeof v === 'boolean')) return 'boolean';
  return undefined;
}
