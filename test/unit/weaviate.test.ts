/**
 * The pure logic of the Weaviate access module: spec schemas and comparison, ids, input validation.
 */

import { describe, expect, it } from 'vitest';
import { generateUuid5 } from 'weaviate-client';
import {
  BatchInsertError,
  batchOutcome,
  CollectionConflictError,
  type CollectionSpec,
  collectionCreateConfig,
  collectionNameSchema,
  collectionSpecSchema,
  decodeDescription,
  diffCollection,
  encodeDescription,
  objectId,
  observeCollection,
  parseInput,
  prepareObjects,
  prepareSearch,
  type ServerCollectionConfig,
  specFromObserved,
  toCollectionName,
  UnmanagedCollectionError,
  WeaviateInputError,
} from '../../activities/retrieval/weaviate';

/** A collection spec from any input, as ensureCollection parses it. */
const parseSpec = (input: unknown, what = 'collection spec') => parseInput(collectionSpecSchema, input, what);

const spec: CollectionSpec = parseSpec({
  name: 'Docs',
  description: 'policy docs',
  properties: [
    { name: 'body', type: 'text' },
    { name: 'kind', type: 'keyword' },
    { name: 'severity', type: 'number' },
  ],
  vectorDimensions: 4,
});

/** What Weaviate 1.35.2 returned (through weaviate-client's config.get()) for a collection made from `spec`. */
function serverConfig(overrides: Partial<ServerCollectionConfig> = {}): ServerCollectionConfig {
  return {
    name: 'Docs',
    description: 'policy docs [pac-spec vectorDimensions=4]',
    properties: [
      { name: 'body', dataType: 'text', indexFilterable: true, indexSearchable: true, tokenization: 'word' },
      { name: 'kind', dataType: 'text', indexFilterable: true, indexSearchable: false, tokenization: 'field' },
      { name: 'severity', dataType: 'number', indexFilterable: true, indexSearchable: false, tokenization: 'none' },
    ],
    vectorizers: {
      default: {
        vectorizer: { name: 'none' },
        indexType: 'hnsw',
        indexConfig: { distance: 'cosine', efConstruction: 128, maxConnections: 32, type: 'hnsw' },
      },
    },
    ...overrides,
  };
}

function inputError(fn: () => unknown): WeaviateInputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WeaviateInputError) return error;
    throw error;
  }
  throw new Error('expected a WeaviateInputError');
}

describe('collection spec schema', () => {
  it('fills in the cosine distance', () => {
    expect(spec.distance).toBe('cosine');
  });

  it('names every bad field', () => {
    const error = inputError(() =>
      parseSpec({
        name: 'docs-1',
        properties: [
          { name: 'Body', type: 'text' },
          { name: 'id', type: 'keyword' },
          { name: 'kind', type: 'blob' },
        ],
        vectorDimensions: 0,
        colour: 'red',
      }),
    );
    const paths = error.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['name', 'properties[0].name', 'properties[1].name', 'properties[2].type', 'vectorDimensions', '']),
    );
    expect(error.message).toContain('properties[1].name: "id" is reserved by Weaviate');
    expect(error.message).toContain('vectorDimensions: expected at least 1 vector dimension');
    expect(error.message).toMatch(/colour/);
  });

  it('refuses duplicate property names, ignoring case', () => {
    const error = inputError(() =>
      parseSpec({
        name: 'Docs',
        properties: [
          { name: 'body', type: 'text' },
          { name: 'bODY', type: 'keyword' },
        ],
        vectorDimensions: 4,
      }),
    );
    expect(error.issues).toEqual([{ path: 'properties[1].name', message: 'duplicate property name "bODY" (same as properties[0])' }]);
  });

  it('does not let the description carry its own dimension marker', () => {
    expect(() => parseSpec({ ...spec, description: 'x [pac-spec vectorDimensions=9]' }, 'spec')).toThrow(/pac-spec/);
  });
});

describe('collection names', () => {
  it('turns a uniqueName() into a valid collection name', () => {
    const name = toCollectionName('weaviate-test-mhx2k-ab12cd');
    expect(name).toBe('Weaviate_test_mhx2k_ab12cd');
    expect(collectionNameSchema.safeParse(name).success).toBe(true);
  });

  it('handles names not starting with a letter and odd characters', () => {
    expect(toCollectionName('1st.run')).toBe('C1st_run');
    expect(toCollectionName('_x')).toBe('C_x');
    expect(toCollectionName('a'.repeat(300))).toHaveLength(230);
  });
});

describe('object ids', () => {
  it('derives the same uuid v5 from the same key, a different one from another key', () => {
    const id = objectId('policy/require-labels');
    expect(id).toBe(objectId('policy/require-labels'));
    expect(id).toBe(generateUuid5('policy/require-labels'));
    expect(id).not.toBe(objectId('policy/require-limits'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses an empty key', () => {
    expect(() => objectId('')).toThrow(WeaviateInputError);
  });
});

describe('description marker', () => {
  it('round-trips the vector dimension with or without a description', () => {
    expect(encodeDescription(spec)).toBe('policy docs [pac-spec vectorDimensions=4]');
    expect(decodeDescription(encodeDescription(spec))).toEqual({ description: 'policy docs', vectorDimensions: 4 });
    const bare = { ...spec, description: undefined };
    expect(decodeDescription(encodeDescription(bare))).toEqual({ description: undefined, vectorDimensions: 4 });
  });

  it('reads a foreign description as having no dimension', () => {
    expect(decodeDescription('made by hand')).toEqual({ description: 'made by hand', vectorDimensions: undefined });
    expect(decodeDescription(undefined)).toEqual({ description: undefined, vectorDimensions: undefined });
  });
});

describe('comparing a spec with the server', () => {
  it('finds no difference for the collection the spec made, in any property order', () => {
    expect(diffCollection(spec, observeCollection(serverConfig()))).toEqual([]);
    const reversed = serverConfig({ properties: [...serverConfig().properties].reverse() });
    expect(diffCollection(spec, observeCollection(reversed))).toEqual([]);
    expect(specFromObserved(observeCollection(serverConfig()))).toEqual(spec);
  });

  it('names each difference', () => {
    const other = parseSpec(
      {
        ...spec,
        properties: [
          { name: 'body', type: 'keyword' },
          { name: 'severity', type: 'number' },
          { name: 'owner', type: 'keyword' },
        ],
        vectorDimensions: 8,
        distance: 'dot',
      },
      'spec',
    );
    expect(diffCollection(other, observeCollection(serverConfig()))).toEqual([
      'property "body": the collection has text, the spec wants keyword',
      'property "owner": in the spec (keyword) but not in the collection',
      'property "kind": in the collection (keyword) but not in the spec',
      'distance: the collection uses cosine, the spec wants dot',
      'vectorDimensions: the collection has 4, the spec wants 8',
    ]);
  });

  it('notices vectorizers, extra vectors, foreign property settings, a missing marker and descriptions', () => {
    const config = serverConfig({
      description: 'hand made',
      properties: [
        { name: 'body', dataType: 'text', indexFilterable: true, indexSearchable: true, tokenization: 'whitespace' },
        { name: 'kind', dataType: 'text', indexFilterable: true, indexSearchable: false, tokenization: 'field' },
        { name: 'severity', dataType: 'int', indexFilterable: true, indexSearchable: false },
      ],
      vectorizers: {
        default: { vectorizer: { name: 'text2vec-openai' }, indexType: 'hnsw', indexConfig: { distance: 'cosine' } },
        title: { vectorizer: { name: 'none' }, indexType: 'flat', indexConfig: { distance: 'dot' } },
      },
    });
    const differences = diffCollection(spec, observeCollection(config));
    expect(differences).toEqual([
      'property "body": the collection has text (searchable true, filterable true, tokenization whitespace), the spec wants text',
      'property "severity": the collection has int (searchable false, filterable true), the spec wants number',
      'vector "default": uses vectorizer "text2vec-openai", the spec wants self-provided vectors (none)',
      'vector "title": in the collection but not in the spec',
      'vectorDimensions: the collection does not record one (not created by ensureCollection), the spec wants 4',
      'description: the collection has "hand made", the spec wants "policy docs"',
    ]);
    expect(() => specFromObserved(observeCollection(config))).toThrow(UnmanagedCollectionError);
  });

  it('reports a collection without the default vector', () => {
    const differences = diffCollection(spec, observeCollection(serverConfig({ vectorizers: {} })));
    expect(differences).toEqual(['vector "default": missing (the collection has no named vectors)']);
  });

  it('builds a conflict error that names the collection and lists the differences', () => {
    const error = new CollectionConflictError('Docs', ['a', 'b']);
    expect(error.message).toBe(
      'collection Docs already exists with a different configuration (left unchanged; delete it or use another name):\n  - a\n  - b',
    );
  });

  it('creates what it later recognises', () => {
    const create = collectionCreateConfig(spec);
    expect(create.name).toBe('Docs');
    expect(create.description).toBe('policy docs [pac-spec vectorDimensions=4]');
    expect(create.properties).toEqual([
      { name: 'body', dataType: 'text', tokenization: 'word', indexSearchable: true, indexFilterable: true },
      { name: 'kind', dataType: 'text', tokenization: 'field', indexSearchable: false, indexFilterable: true },
      { name: 'severity', dataType: 'number', indexFilterable: true },
    ]);
    expect(create.vectorizers).toMatchObject({ name: 'default', vectorizer: { name: 'none' }, vectorIndex: { name: 'hnsw' } });
    expect(JSON.stringify(create.vectorizers)).toContain('"distance":"cosine"');
  });
});

describe('preparing objects for insertion', () => {
  const vector = [0.1, 0.2, 0.3, 0.4];

  it('derives ids from keys, keeps given ids (lower-cased) and makes random ones otherwise', () => {
    const prepared = prepareObjects(spec, [
      { key: 'a', properties: { body: 'x', kind: 'k', severity: 2 }, vector },
      { id: '0F8FAD5B-D9CB-469F-A165-70867728950E', properties: {}, vector },
      { properties: { body: 'y' }, vector },
    ]);
    expect(prepared[0]?.id).toBe(objectId('a'));
    expect(prepared[1]?.id).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(prepared[2]?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(prepared[0]).toEqual({ id: objectId('a'), properties: { body: 'x', kind: 'k', severity: 2 }, vector });
  });

  it('names the object index and the expected dimension on a vector length mismatch', () => {
    const error = inputError(() =>
      prepareObjects(spec, [
        { key: 'a', properties: {}, vector },
        { key: 'b', properties: {}, vector: [1, 2, 3] },
      ]),
    );
    expect(error.issues).toEqual([{ path: 'objects[1].vector', message: 'expected 4 dimensions (collection Docs), got 3' }]);
    expect(error.message).toContain('objects[1].vector: expected 4 dimensions (collection Docs), got 3');
  });

  it('collects every problem of every object', () => {
    const error = inputError(() =>
      prepareObjects(spec, [
        { key: 'a', properties: { body: 3, colour: 'red' }, vector },
        { key: 'b', properties: { severity: 'high' }, vector: [0, 0, 0, 0] },
        { key: 'c', id: 'not-a-uuid', properties: {}, vector },
        { key: 'd', properties: {}, vector: [1, Number.NaN, 1, 1] },
        { key: 'e', properties: {}, vector: [1, 1e39, 1, 1] },
        { key: 'a', properties: {}, vector },
        'nonsense',
      ]),
    );
    expect(error.issues).toEqual([
      { path: 'objects[0].properties.body', message: 'expected a string (property type text), got 3' },
      { path: 'objects[0].properties.colour', message: 'unknown property (collection Docs has body, kind, severity)' },
      { path: 'objects[1].vector', message: 'an all-zero vector has no cosine distance' },
      { path: 'objects[1].properties.severity', message: 'expected a number (property type number), got "high"' },
      { path: 'objects[2].id', message: 'expected a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e' },
      { path: 'objects[2].key', message: 'give either id or key, not both' },
      { path: 'objects[3].vector[1]', message: 'expected finite numbers' },
      { path: 'objects[4].vector[1]', message: '1e+39 does not fit in a float32' },
      { path: 'objects[5]', message: `same id ${objectId('a')} as objects[0] (an object may appear only once per call)` },
      { path: 'objects[6]', message: expect.any(String) },
    ]);
  });

  it('refuses strings that are not valid UTF-8 (lone surrogates), accepts surrogate pairs', () => {
    const error = inputError(() =>
      prepareObjects(spec, [
        { key: 'a', properties: { body: 'x\uD800y' }, vector },
        { key: 'b', properties: { body: 'ok \u{1F600}' }, vector },
      ]),
    );
    expect(error.issues).toEqual([
      { path: 'objects[0].properties.body', message: 'contains a lone UTF-16 surrogate, which is not valid UTF-8' },
    ]);
    expect(inputError(() => prepareSearch(spec, { query: '\uDC00', alpha: 0 })).issues[0]?.path).toBe('query');
  });

  it('requires an id or key for upserts', () => {
    const error = inputError(() => prepareObjects(spec, [{ properties: {}, vector }], { requireId: true }));
    expect(error.issues).toEqual([{ path: 'objects[0]', message: 'upsert needs an id or a key for every object' }]);
  });

  it('refuses a non-array', () => {
    expect(() => prepareObjects(spec, { key: 'a' })).toThrow(/expected an array/);
  });
});

describe('preparing a hybrid search', () => {
  it('fills in defaults', () => {
    expect(prepareSearch(spec, { query: 'labels', vector: [1, 0, 0, 0] })).toEqual({
      query: 'labels',
      vector: [1, 0, 0, 0],
      alpha: 0.5,
      limit: 10,
      filters: [],
      fusion: 'relativeScore',
    });
  });

  it('needs a vector unless alpha is 0 and a query unless alpha is 1', () => {
    expect(prepareSearch(spec, { query: 'labels', alpha: 0 }).vector).toBeUndefined();
    expect(prepareSearch(spec, { query: '', alpha: 1, vector: [1, 0, 0, 0] }).alpha).toBe(1);
    expect(inputError(() => prepareSearch(spec, { query: 'labels', alpha: 0.3 })).issues).toEqual([
      { path: 'vector', message: 'a query vector is required when alpha > 0 (alpha is 0.3; the collections have no vectorizer)' },
    ]);
    expect(inputError(() => prepareSearch(spec, { query: '  ', alpha: 0 })).issues).toEqual([
      { path: 'query', message: 'a non-empty query is required when alpha < 1 (alpha is 0)' },
    ]);
    expect(inputError(() => prepareSearch(spec, { query: 'x', alpha: 1.5, vector: [1, 0, 0, 0] })).issues[0]?.path).toBe('alpha');
  });

  it('checks the vector length and the filters against the collection', () => {
    const error = inputError(() =>
      prepareSearch(spec, {
        query: 'x',
        vector: [1, 2],
        filters: [
          { property: 'owner', equals: 'me' },
          { property: 'severity', equals: 'high' },
          { property: 'kind', equals: 'pod' },
        ],
      }),
    );
    expect(error.issues).toEqual([
      { path: 'vector', message: 'expected 4 dimensions (collection Docs), got 2' },
      { path: 'filters[0].property', message: 'unknown property "owner" (collection Docs has body, kind, severity)' },
      { path: 'filters[1].equals', message: 'expected a number (property type number), got "high"' },
    ]);
  });
});

describe('batch results', () => {
  it('maps each object of a batch to stored or failed, with its index in the whole insert', () => {
    const outcome = batchOutcome(['id-a', 'id-b', 'id-c'], 100, {
      errors: { 1: { message: 'invalid number property' } },
      uuids: { 0: 'id-a' },
    });
    expect(outcome.stored).toEqual([{ index: 100, id: 'id-a' }]);
    expect(outcome.failures).toEqual([
      { index: 101, id: 'id-b', message: 'invalid number property' },
      { index: 102, id: 'id-c', message: 'the server reported neither success nor an error for this object' },
    ]);
  });

  it('summarises failures in the error message', () => {
    const error = new BatchInsertError('Docs', [{ index: 1, id: 'id-b', message: 'boom' }], ['id-a', undefined]);
    expect(error.message).toBe('1 of 2 objects were not stored in collection Docs:\n  objects[1] (id-b): boom');
    expect(error.failures).toHaveLength(1);
    expect(error.insertedIds).toEqual(['id-a', undefined]);
  });
});
