/**
 * What callers hand the Weaviate access module: the zod schemas (one per record) and their types,
 * the errors it raises, and parseInput, which names every bad field. Nothing here talks to a server.
 */
import { z } from 'zod';

/** The one named vector every collection made by this module has; its vectors are supplied by us. */
export const VECTOR_NAME = 'default';

/** Weaviate refuses these as property names. */
const RESERVED_PROPERTY_NAMES = new Set(['id', '_id', '_additional']);

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

/** A zod issue path as text: `objects[3].properties.title`. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
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
