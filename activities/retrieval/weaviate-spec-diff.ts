/**
 * Comparing a wanted collection spec with what the server holds: the collection as observed (in
 * this module's terms), every difference from the spec, and the spec recovered from a collection
 * that ensureCollection made. Pure.
 */
import {
  type CollectionSpec,
  distanceSchema,
  type PropertySpec,
  type PropertyType,
  propertyTypeSchema,
  UnmanagedCollectionError,
  VECTOR_NAME,
} from './weaviate-schemas';

// ---------------------------------------------------------------------------------------------
// Description marker: Weaviate does not store a vector dimension, so the spec's is kept here
// ---------------------------------------------------------------------------------------------

const DESCRIPTION_MARKER = /\s*\[pac-spec vectorDimensions=(\d+)\]$/;

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
