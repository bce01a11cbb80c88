/**
 * The API's response contract is strict: `strictDeep` returns the same schema with every object
 * strict, so the response serializer (fastify-type-provider-zod encodes with the schema) refuses
 * an unexpected key instead of dropping it. Objects that are loose on purpose (a user's manifest,
 * `manifestSchema`) stay loose. The domain schemas themselves do not change, so what they parse
 * elsewhere stays the same.
 */
import { z } from 'zod';

type Def = z.core.$ZodTypeDef & Record<string, unknown>;
type Schema = z.core.$ZodType;

/** The fields of a definition that hold one schema, by the definition's type. */
const SCHEMA_FIELDS: Readonly<Record<string, readonly string[]>> = {
  array: ['element'],
  optional: ['innerType'],
  nullable: ['innerType'],
  default: ['innerType'],
  prefault: ['innerType'],
  nonoptional: ['innerType'],
  readonly: ['innerType'],
  catch: ['innerType'],
  record: ['valueType'],
  pipe: ['in', 'out'],
  intersection: ['left', 'right'],
};

/** The fields of a definition that hold a list of schemas. */
const SCHEMA_LIST_FIELDS: Readonly<Record<string, readonly string[]>> = {
  union: ['options'],
  tuple: ['items'],
};

const done = new WeakMap<Schema, Schema>();

/** Whether an object schema takes keys it does not name: `.loose()` / z.looseObject (a user's manifest). */
const isLooseObject = (def: Def): boolean => {
  const catchall = def.catchall as Schema | undefined;
  return catchall !== undefined && catchall._zod.def.type !== 'never';
};

function changesOf(def: Def): Record<string, unknown> {
  if (def.type === 'object') {
    if (isLooseObject(def)) return {};
    const shape = Object.fromEntries(Object.entries(def.shape as Record<string, Schema>).map(([key, value]) => [key, strictDeep(value)]));
    return { shape, catchall: z.never() };
  }
  const changes: Record<string, unknown> = {};
  for (const field of SCHEMA_FIELDS[def.type] ?? []) changes[field] = strictDeep(def[field] as Schema);
  for (const field of SCHEMA_LIST_FIELDS[def.type] ?? []) changes[field] = (def[field] as Schema[]).map(strictDeep);
  if (def.type === 'tuple' && def.rest) changes.rest = strictDeep(def.rest as Schema);
  return changes;
}

export function strictDeep<T extends Schema>(schema: T): T {
  const known = done.get(schema);
  if (known) return known as T;
  const def = schema._zod.def as Def;
  const changes = changesOf(def);
  const strict = Object.keys(changes).length
    ? (new schema._zod.constr(z.core.util.mergeDefs(def, changes)) as T) // the same kind of schema (checks kept), strict inside
    : schema;
  done.set(schema, strict);
  done.set(strict, strict);
  return strict;
}
