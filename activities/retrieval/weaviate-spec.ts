/**
 * The pure part of the Weaviate access module: the zod schemas of what callers hand in, the
 * comparison of a wanted collection spec with what the server holds, id derivation and the
 * per-object validation of inserts. Nothing here talks to a server.
 */
import { randomUUID } from 'node:crypto';
import { generateUuid5 } from 'weaviate-client';
import { z } from 'zod';

/** The one named vector every collection made by this module has; its vectors are supplied by us. */
export const VECTOR_NAME = 'default';

/** Weaviate refuses these as property names. */
const RESERVED_PROPERTY_NAMES = new Set(['id', '_id', '_additional']);

const DESCRIPTION_MARKER = /\s*\[pac-spec vectorDimensions=(\d+)\]$/;

// ---------------------------------------------------------------------------------------------
// Schemas (one per record) and their types
// ---------------------------------------------------------------------------------------------

/**
 * A string that can be sent as UTF-8: no lone UTF-16 surrogate (gRPC refuses the whole batch
 * for one, and REST would silently turn it into U+FFFD).
 */
export const utf8StringSchema = z
  .string({ error: 'expected a string' })
  .refine((s) => !/\p{Cs}/u.test(s), { error: 'contains a lone UTF-16 surrogate, which is not valid UTF-8' });

export const collectionNameSchema = z.string({ error: 'expected a collection name (a string)' }).regex(/^[A-Z][A-Za-z0-9_]{0,229}$/, {
  error: 'a collection name starts with an uppercase letter and has only letters, digits and "_" (at most 230 characters)',
});

export const propertyNameSchema = z
  .string({ error: 'expected a property name (a string)' })
  .regex(/^[a-z][A-Za-z0-9_]{0,229}$/, {
    error: 'a property name starts with a lowercase letter and has only letters, digits and "_" (at most 230 characters)',
  })
  .refine((name) => !RESERVED_PROPERTY_NAMES.has(name), { error: (issue) => `"${String(issue.input)}" is reserved by Weaviate` });

/**
 * text: tokenised into words, searched by BM25, filterable (equals matches a word of it);
 * keyword: kept whole, filterable by exact value, not searched by BM25;
 * number: a float, filterable.
 */
export const propertyTypeSchema = z.enum(['text', 'keyword', 'number'], { error: 'expected "text", "keyword" or "number"' });
export type PropertyType = z.infer<typeof propertyTypeSchema>;

export const propertySpecSchema = z.strictObject({
  name: propertyNameSchema,
  type: propertyTypeSchema,
});
export type PropertySpec = z.infer<typeof propertySpecSchema>;

export const distanceSchema = z.enum(['cosine', 'dot', 'l2-squared'], { error: 'expected "cosine", "dot" or "l2-squared"' });
export type Distance = z.infer<typeof distanceSchema>;

export const collectionSpecSchema = z
  .strictObject({
    name: collectionNameSchema,
    description: utf8StringSchema
      .max(2000)
      .refine((d) => !d.includes('[pac-spec'), { error: 'must not contain "[pac-spec" (used to record the vector dimension)' })
      .optional(),
    properties: z.array(propertySpecSchema),
    /** length of every vector stored in and searched against the collection */
    vectorDimensions: z
      .int({ error: 'expected a whole number of vector dimensions' })
      .min(1, { error: 'expected at least 1 vector dimension' })
      .max(65_536, { error: 'expected at most 65536 vector dimensions' }),
    distance: distanceSchema.default('cosine'),
  })
  .superRefine((spec, ctx) => {
    const seen = new Map<string, number>();
    spec.properties.forEach((property, index) => {
      // Weaviate compares property names case-insensitively
      const folded = property.name.toLowerCase();
      const first = seen.get(folded);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['properties', index, 'name'],
          message: `duplicate property name "${property.name}" (same as properties[${first}])`,
        });
      } else {
        seen.set(folded, index);
      }
    });
  });
/** A validated collection spec (defaults filled in). */
export type CollectionSpec = z.infer<typeof collectionSpecSchema>;
/** What callers may pass as a collection spec (`distance` may be left out). */
export type CollectionSpecInput = z.input<typeof collectionSpecSchema>;

export const uuidSchema = z
  .guid({ error: 'expected a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e' })
  .transform((id) => id.toLowerCase());

export const propertyValueSchema = z.union([utf8StringSchema, z.number()], { error: 'expected a string or a finite number' });
export type PropertyValue = z.infer<typeof propertyValueSchema>;

export const insertObjectSchema = z
  .strictObject({
    /** the object's id; re-inserting the same id replaces the object */
    id: uuidSchema.optional(),
    /** a stable key the id is derived from (uuid v5), for idempotent re-inserts; give this or id */
    key: z.string().min(1, { error: 'expected a non-empty key' }).optional(),
    properties: z.record(z.string(), propertyValueSchema),
    vector: z.array(z.number({ error: 'expected finite numbers' }), { error: 'expected an array of numbers' }),
  })
  .refine((o) => o.id === undefined || o.key === undefined, { error: 'give either id or key, not both', path: ['key'] });
export type InsertObject = z.infer<typeof insertObjectSchema>;
export type InsertObjectInput = z.input<typeof insertObjectSchema>;

export const insertOptionsSchema = z.strictObject({
  /** objects sent to the server per batch request */
  batchSize: z.int().min(1).max(10_000).default(100),
});
export type InsertOptions = z.infer<typeof insertOptionsSchema>;
export type InsertOptionsInput = z.input<typeof insertOptionsSchema>;

export const equalsFilterSchema = z.strictObject({
  property: z.string().min(1, { error: 'expected a property name' }),
  equals: propertyValueSchema,
});
export type EqualsFilter = z.infer<typeof equalsFilterSchema>;

export const hybridSearchOptionsSchema = z
  .strictObject({
    /** keyword query for the BM25 part (over the text properties) */
    query: utf8StringSchema,
    /** query vector for the vector part; required unless alpha is 0 */
    vector: z.array(z.number({ error: 'expected finite numbers' })).optional(),
    /** weight of the vector part: 0 = BM25 only, 1 = vector only */
    alpha: z.number().min(0, { error: 'alpha must be between 0 and 1' }).max(1, { error: 'alpha must be between 0 and 1' }).default(0.5),
    limit: z.int().min(1).max(10_000).default(10),
    /** all must hold (AND) */
    filters: z.array(equalsFilterSchema).default([]),
    /** how the BM25 and vector result lists are fused */
    fusion: z.enum(['relativeScore', 'ranked']).default('relativeScore'),
  })
  .superRefine((options, ctx) => {
    if (options.alpha > 0 && options.vector === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['vector'],
        message: `a query vector is required when alpha > 0 (alpha is ${options.alpha}; the collections have no vectorizer)`,
      });
    }
    if (options.alpha < 1 && options.query.trim() === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['query'],
        message: `a non-empty query is required when alpha < 1 (alpha is ${options.alpha})`,
      });
    }
  });
export type HybridSearchOptions = z.infer<typeof hybridSearchOptionsSchema>;
export type HybridSearchOptionsInput = z.input<typeof hybridSearchOptionsSchema>;

export type SearchHit = {
  id: string;
  properties: Record<string, unknown>;
  score: number;
  explainScore?: string;
};

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export type InputIssue = { path: string; message: string };

/** A caller handed in something invalid; nothing was sent to the server. */
export class WeaviateInputError extends Error {
  constructor(
    readonly what: string,
    readonly issues: InputIssue[],
  ) {
    super(`invalid ${what}:\n${issues.map((i) => `  ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n')}`);
    this.name = 'WeaviateInputError';
  }
}

/** ensureCollection found the collection with a different configuration; it was left as it is. */
export class CollectionConflictError extends Error {
  constructor(
    readonly collection: string,
    readonly differences: string[],
  ) {
    super(
      `collection ${collection} already exists with a different configuration (left unchanged; delete it or use another name):\n${differences
        .map((d) => `  - ${d}`)
        .join('\n')}`,
    );
    this.name = 'CollectionConflictError';
  }
}

export class CollectionNotFoundError extends Error {
  constructor(readonly collection: string) {
    super(`collection ${collection} does not exist (create it with ensureCollection first)`);
    this.name = 'CollectionNotFoundError';
  }
}

/** The collection exists but was not made by ensureCollection, so its spec cannot be known. */
export class UnmanagedCollectionError extends Error {
  constructor(
    readonly collection: string,
    readonly problems: string[],
  ) {
    super(
      `collection ${collection} was not created by ensureCollection and cannot be used here:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'UnmanagedCollectionError';
  }
}

export type InsertFailure = { index: number; id: string; message: string };

/** Some objects of an insert were not stored; `insertedIds` has the ones that were (by input index). */
export class BatchInsertError extends Error {
  constructor(
    readonly collection: string,
    readonly failures: InsertFailure[],
    readonly insertedIds: (string | undefined)[],
  ) {
    const shown = failures.slice(0, 20).map((f) => `  objects[${f.index}] (${f.id}): ${f.message}`);
    if (failures.length > shown.length) shown.push(`  ... and ${failures.length - shown.length} more`);
    super(`${failures.length} of ${insertedIds.length} objects were not stored in collection ${collection}:\n${shown.join('\n')}`);
    this.name = 'BatchInsertError';
  }
}

function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Parses with a schema, throwing WeaviateInputError that names every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string, pathPrefix = ''): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new WeaviateInputError(
      what,
      parsed.error.issues.map((issue) => ({ path: formatPath(issue.path, pathPrefix), message: issue.message })),
    );
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Names and ids
// ---------------------------------------------------------------------------------------------

/**
 * Turns an arbitrary name (e.g. "docs-lx2k-ab12") into a valid collection name ("Docs_lx2k_ab12"):
 * characters other than letters, digits and "_" become "_", the first letter is capitalised, and a
 * name not starting with a letter gets a "C" in front.
 */
export function toCollectionName(raw: string): string {
  let name = raw.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z]/.test(name)) name = `C${name}`;
  name = name.charAt(0).toUpperCase() + name.slice(1);
  return name.slice(0, 230);
}

/** The deterministic object id (uuid v5) for a key: the same key always gives the same id. */
export function objectId(key: string): string {
  if (typeof key !== 'string' || key.length === 0)
    throw new WeaviateInputError('object key', [{ path: 'key', message: 'expected a non-empty string' }]);
  return generateUuid5(key);
}

// ---------------------------------------------------------------------------------------------
// Description marker: Weaviate does not store a vector dimension, so the spec's is kept here
// ---------------------------------------------------------------------------------------------

export function encodeDescription(spec: CollectionSpec): string {
  const marker = `[pac-spec vectorDimensions=${spec.vectorDimensions}]`;
  return spec.description ? `${spec.description} ${marker}` : marker;
}

export function decodeDescription(raw: string | undefined): { description: string | undefined; vectorDimensions: number | undefined } {
  if (!raw) return { description: undefined, vectorDimensions: undefined };
  const match = DESCRIPTION_MARKER.exec(raw);
  if (!match) return { description: raw, vectorDimensions: undefined };
  const description = raw.slice(0, match.index);
  return { description: description === '' ? undefined : description, vectorDimensions: Number(match[1]) };
}

// ---------------------------------------------------------------------------------------------
// Comparing a wanted spec with what the server holds
// ---------------------------------------------------------------------------------------------

/** The parts of a weaviate-client CollectionConfig this module reads. */
export type ServerCollectionConfig = {
  name: string;
  description?: string;
  properties: {
    name: string;
    dataType: string;
    tokenization?: string;
    indexSearchable?: boolean;
    indexFilterable?: boolean;
  }[];
  vectorizers: Record<string, { vectorizer: { name: string }; indexType: string; indexConfig: unknown }>;
};

/** A collection as found on the server, in this module's terms. */
export type ObservedCollection = {
  name: string;
  description: string | undefined;
  vectorDimensions: number | undefined;
  /** `type` is a PropertyType, or a description of a configuration this module does not make */
  properties: { name: string; type: PropertyType | string }[];
  vectors: { name: string; vectorizer: string; indexType: string; distance: string | undefined }[];
};

function classifyProperty(p: ServerCollectionConfig['properties'][number]): PropertyType | string {
  const searchable = p.indexSearchable === true;
  const filterable = p.indexFilterable === true;
  if (p.dataType === 'text' && p.tokenization === 'word' && searchable && filterable) return 'text';
  if (p.dataType === 'text' && p.tokenization === 'field' && !searchable && filterable) return 'keyword';
  if (p.dataType === 'number' && filterable) return 'number';
  const tokenization = p.dataType === 'text' || p.dataType === 'text[]' ? `, tokenization ${p.tokenization ?? 'none'}` : '';
  return `${p.dataType} (searchable ${searchable}, filterable ${filterable}${tokenization})`;
}

export function observeCollection(config: ServerCollectionConfig): ObservedCollection {
  const { description, vectorDimensions } = decodeDescription(config.description);
  return {
    name: config.name,
    description,
    vectorDimensions,
    properties: config.properties.map((p) => ({ name: p.name, type: classifyProperty(p) })),
    vectors: Object.entries(config.vectorizers).map(([name, v]) => {
      const distance = (v.indexConfig as { distance?: unknown } | undefined)?.distance;
      return { name, vectorizer: v.vectorizer.name, indexType: v.indexType, distance: typeof distance === 'string' ? distance : undefined };
    }),
  };
}

/** Every way the observed collection differs from the spec; empty when they match. Property order is not significant. */
export function diffCollection(spec: CollectionSpec, observed: ObservedCollection): string[] {
  const differences: string[] = [];
  const have = new Map(observed.properties.map((p) => [p.name, p.type]));
  const want = new Map(spec.properties.map((p) => [p.name, p.type]));
  for (const [name, type] of want) {
    const actual = have.get(name);
    if (actual === undefined) differences.push(`property "${name}": in the spec (${type}) but not in the collection`);
    else if (actual !== type) differences.push(`property "${name}": the collection has ${actual}, the spec wants ${type}`);
  }
  for (const [name, type] of have) {
    if (!want.has(name)) differences.push(`property "${name}": in the collection (${type}) but not in the spec`);
  }

  const vector = observed.vectors.find((v) => v.name === VECTOR_NAME);
  const others = observed.vectors.filter((v) => v.name !== VECTOR_NAME);
  if (!vector) {
    differences.push(
      `vector "${VECTOR_NAME}": missing (the collection has ${observed.vectors.length === 0 ? 'no named vectors' : `vectors ${observed.vectors.map((v) => `"${v.name}"`).join(', ')}`})`,
    );
  } else {
    if (vector.vectorizer !== 'none')
      differences.push(`vector "${VECTOR_NAME}": uses vectorizer "${vector.vectorizer}", the spec wants self-provided vectors (none)`);
    if (vector.distance !== spec.distance)
      differences.push(`distance: the collection uses ${vector.distance ?? 'an unknown distance'}, the spec wants ${spec.distance}`);
  }
  for (const v of others) differences.push(`vector "${v.name}": in the collection but not in the spec`);

  if (observed.vectorDimensions === undefined) {
    differences.push(
      `vectorDimensions: the collection does not record one (not created by ensureCollection), the spec wants ${spec.vectorDimensions}`,
    );
  } else if (observed.vectorDimensions !== spec.vectorDimensions) {
    differences.push(`vectorDimensions: the collection has ${observed.vectorDimensions}, the spec wants ${spec.vectorDimensions}`);
  }
  if ((observed.description ?? '') !== (spec.description ?? '')) {
    differences.push(
      `description: the collection has ${JSON.stringify(observed.description ?? '')}, the spec wants ${JSON.stringify(spec.description ?? '')}`,
    );
  }
  return differences;
}

/** Recovers the spec of a collection made by ensureCollection; throws UnmanagedCollectionError for any other. */
export function specFromObserved(observed: ObservedCollection): CollectionSpec {
  const problems: string[] = [];
  const properties: PropertySpec[] = [];
  for (const p of observed.properties) {
    const type = propertyTypeSchema.safeParse(p.type);
    if (type.success) properties.push({ name: p.name, type: type.data });
    else problems.push(`property "${p.name}" is ${p.type}`);
  }
  const vector = observed.vectors.find((v) => v.name === VECTOR_NAME);
  const distance = distanceSchema.safeParse(vector?.distance);
  if (vector?.vectorizer !== 'none' || !distance.success) {
    problems.push(`it has no self-provided vector "${VECTOR_NAME}" with cosine, dot or l2-squared distance`);
  }
  if (observed.vectorDimensions === undefined) problems.push('its description does not record the vector dimension');
  if (problems.length > 0 || !distance.success || observed.vectorDimensions === undefined) {
    throw new UnmanagedCollectionError(observed.name, problems);
  }
  return {
    name: observed.name,
    ...(observed.description !== undefined ? { description: observed.description } : {}),
    properties,
    vectorDimensions: observed.vectorDimensions,
    distance: distance.data,
  };
}

// ---------------------------------------------------------------------------------------------
// Validating inserts and searches against a spec
// ---------------------------------------------------------------------------------------------

/** Weaviate stores vectors as float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

function checkVector(vector: readonly number[], spec: CollectionSpec, path: string, issues: InputIssue[]) {
  if (vector.length !== spec.vectorDimensions) {
    issues.push({ path, message: `expected ${spec.vectorDimensions} dimensions (collection ${spec.name}), got ${vector.length}` });
    return;
  }
  const outOfRange = vector.findIndex((x) => Math.abs(x) > FLOAT32_MAX);
  if (outOfRange >= 0) {
    issues.push({ path: `${path}[${outOfRange}]`, message: `${vector[outOfRange]} does not fit in a float32` });
  } else if (spec.distance === 'cosine' && vector.every((x) => x === 0)) {
    issues.push({ path, message: 'an all-zero vector has no cosine distance' });
  }
}

function checkValue(type: PropertyType, value: PropertyValue): string | undefined {
  if (type === 'number')
    return typeof value === 'number' ? undefined : `expected a number (property type number), got ${JSON.stringify(value)}`;
  return typeof value === 'string' ? undefined : `expected a string (property type ${type}), got ${JSON.stringify(value)}`;
}

export type PreparedObject = { id: string; properties: Record<string, PropertyValue>; vector: number[] };

/**
 * Validates objects for insertion into a collection with the given spec and resolves their ids
 * (id, else uuid v5 of key, else random unless `requireId`). Throws WeaviateInputError naming each
 * bad object by index; nothing is inserted then.
 */
export function prepareObjects(spec: CollectionSpec, objects: unknown, options: { requireId?: boolean } = {}): PreparedObject[] {
  if (!Array.isArray(objects))
    throw new WeaviateInputError(`objects for collection ${spec.name}`, [{ path: 'objects', message: 'expected an array' }]);
  const issues: InputIssue[] = [];
  const prepared: PreparedObject[] = [];
  const types = new Map(spec.properties.map((p) => [p.name, p.type]));
  const firstIndexOfId = new Map<string, number>();
  objects.forEach((raw, index) => {
    const at = `objects[${index}]`;
    const parsed = insertObjectSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push({ path: formatPath(issue.path, at), message: issue.message });
      return;
    }
    const object = parsed.data;
    const before = issues.length;
    checkVector(object.vector, spec, `${at}.vector`, issues);
    for (const [name, value] of Object.entries(object.properties)) {
      const type = types.get(name);
      if (type === undefined) {
        issues.push({
          path: `${at}.properties.${name}`,
          message: `unknown property (collection ${spec.name} has ${spec.properties.map((p) => p.name).join(', ') || 'no properties'})`,
        });
        continue;
      }
      const problem = checkValue(type, value);
      if (problem) issues.push({ path: `${at}.properties.${name}`, message: problem });
    }
    if (options.requireId && object.id === undefined && object.key === undefined) {
      issues.push({ path: at, message: 'upsert needs an id or a key for every object' });
    }
    const id = object.id ?? (object.key !== undefined ? objectId(object.key) : randomUUID());
    const first = firstIndexOfId.get(id);
    if (first !== undefined) {
      issues.push({ path: at, message: `same id ${id} as objects[${first}] (an object may appear only once per call)` });
    } else {
      firstIndexOfId.set(id, index);
    }
    if (issues.length > before) return;
    prepared.push({ id, properties: object.properties, vector: object.vector });
  });
  if (issues.length > 0) throw new WeaviateInputError(`objects for collection ${spec.name}`, issues);
  return prepared;
}

/** Validates search options against a collection's spec (vector length, filter properties and value types). */
export function prepareSearch(spec: CollectionSpec, options: unknown): HybridSearchOptions {
  const parsed = parseInput(hybridSearchOptionsSchema, options, `hybrid search options for collection ${spec.name}`);
  const issues: InputIssue[] = [];
  if (parsed.vector !== undefined) checkVector(parsed.vector, spec, 'vector', issues);
  const types = new Map(spec.properties.map((p) => [p.name, p.type]));
  parsed.filters.forEach((filter, index) => {
    const type = types.get(filter.property);
    if (type === undefined) {
      issues.push({
        path: `filters[${index}].property`,
        message: `unknown property "${filter.property}" (collection ${spec.name} has ${spec.properties.map((p) => p.name).join(', ') || 'no properties'})`,
      });
      return;
    }
    const problem = checkValue(type, filter.equals);
    if (problem) issues.push({ path: `filters[${index}].equals`, message: problem });
  });
  if (issues.length > 0) throw new WeaviateInputError(`hybrid search options for collection ${spec.name}`, issues);
  return parsed;
}

/** What weaviate-client's insertMany reports for one batch (errors and uuids keyed by position in the batch). */
export type BatchResult = { errors: Record<number, { message: string }>; uuids: Record<number, string> };

/**
 * Maps one batch's result back to the caller's objects: `start` is the index of the batch's first
 * object in the whole insert. Every object ends up either stored or in failures.
 */
export function batchOutcome(
  ids: readonly string[],
  start: number,
  result: BatchResult,
): { stored: { index: number; id: string }[]; failures: InsertFailure[] } {
  const stored: { index: number; id: string }[] = [];
  const failures: InsertFailure[] = [];
  ids.forEach((id, i) => {
    const error = result.errors[i];
    if (error) failures.push({ index: start + i, id, message: error.message });
    else if (result.uuids[i] !== undefined) stored.push({ index: start + i, id });
    else failures.push({ index: start + i, id, message: 'the server reported neither success nor an error for this object' });
  });
  return { stored, failures };
}
