/**
 * Objects and searches against a collection's spec: collection names and object ids (uuid v5 of a
 * key), per-object validation of inserts and searches, and mapping a batch result back to the
 * caller's objects. Pure.
 */
import { randomUUID } from 'node:crypto';
import { generateUuid5 } from 'weaviate-client';
import {
  type CollectionSpec,
  formatPath,
  type HybridSearchOptions,
  hybridSearchOptionsSchema,
  type InputIssue,
  type InsertFailure,
  insertObjectSchema,
  type PropertyType,
  type PropertyValue,
  parseInput,
  WeaviateInputError,
} from './weaviate-schemas';

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
