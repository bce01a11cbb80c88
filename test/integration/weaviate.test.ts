/**
 * The Weaviate access module against a real Weaviate server (the one testConfig() points at).
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchInsertError,
  CollectionConflictError,
  type CollectionSpecInput,
  type InsertObjectInput,
  objectId,
  toCollectionName,
  WeaviateInputError,
  WeaviateStore,
} from '../../activities/retrieval/weaviate';
import { testConfig, uniqueName } from './harness';

const DIMS = 8;
const RARE_DOC = 13;
const QUERY_DOC = 7;

/** A deterministic, spread-out 8-dim vector per document. */
function docVector(i: number): number[] {
  return Array.from({ length: DIMS }, (_, j) => Math.cos((i + 1) * (j + 1) * 0.9) + (j === i % DIMS ? 1 : 0));
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  });
  return dot / Math.sqrt(na * nb);
}

const docs = Array.from({ length: 20 }, (_, i) => ({
  key: `doc-${i}`,
  properties: {
    body:
      i === RARE_DOC
        ? `pods must set a seccompzebra profile and labels (document ${i})`
        : `pods and services need labels and resource limits (document ${i})`,
    kind: i % 2 === 0 ? 'pod' : 'service',
    severity: i % 3,
  },
  vector: docVector(i),
})) satisfies InsertObjectInput[];

// near doc 7, but not equal to it
const queryVector = docVector(QUERY_DOC).map((x, j) => x + (j === 0 ? 0.05 : -0.02));

/** The key of the doc nearest the vector by cosine, among those passing the predicate (brute force). */
function nearest(vector: number[], keep: (i: number) => boolean = () => true): string {
  let best = -1;
  let bestSimilarity = Number.NEGATIVE_INFINITY;
  docs.forEach((doc, i) => {
    if (!keep(i)) return;
    const similarity = cosine(vector, doc.vector);
    if (similarity > bestSimilarity) {
      bestSimilarity = similarity;
      best = i;
    }
  });
  return objectId(`doc-${best}`);
}

describe('Weaviate access module (real server)', () => {
  const config = testConfig();
  const name = toCollectionName(uniqueName('weaviate-test'));
  const spec: CollectionSpecInput = {
    name,
    description: 'integration test collection',
    properties: [
      { name: 'body', type: 'text' },
      { name: 'kind', type: 'keyword' },
      { name: 'severity', type: 'number' },
    ],
    vectorDimensions: DIMS,
  };
  let store: WeaviateStore;

  beforeAll(async () => {
    store = await WeaviateStore.connect(config);
    const deadline = Date.now() + 120_000;
    while (!(await store.ready())) {
      if (Date.now() > deadline) throw new Error(`Weaviate at ${store.address} did not become ready`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  afterAll(async () => {
    if (store) {
      await store.deleteCollection(name).catch(() => undefined);
      await store.close();
    }
  });

  it('reports ready and the server version', async () => {
    expect(await store.ready()).toBe(true);
    expect(await store.version()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('ready() is false, not an error, when nothing listens', async () => {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const free = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(free));
      });
    });
    const nowhere = await WeaviateStore.connect({ host: '127.0.0.1', port, grpcPort: port });
    try {
      expect(await nowhere.ready()).toBe(false);
    } finally {
      await nowhere.close();
    }
  });

  it('ensureCollection creates once, is a no-op the second time, refuses a conflicting spec', async () => {
    expect(await store.collectionExists(name)).toBe(false);
    expect((await store.ensureCollection(spec)).created).toBe(true);
    expect((await store.ensureCollection(spec)).created).toBe(false);
    // property order does not matter
    expect((await store.ensureCollection({ ...spec, properties: [...spec.properties].reverse() })).created).toBe(false);
    expect(await store.describeCollection(name)).toEqual({ ...spec, distance: 'cosine' });

    const conflicting = {
      ...spec,
      properties: [
        { name: 'body', type: 'keyword' },
        { name: 'kind', type: 'keyword' },
      ],
      vectorDimensions: 16,
    } satisfies CollectionSpecInput;
    const error = await store.ensureCollection(conflicting).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectionConflictError);
    const conflict = error as CollectionConflictError;
    expect(conflict.collection).toBe(name);
    expect(conflict.message).toContain(name);
    expect(conflict.differences).toEqual(
      expect.arrayContaining([
        expect.stringContaining('property "body"'),
        expect.stringContaining('property "severity"'),
        expect.stringContaining('vectorDimensions: the collection has 8, the spec wants 16'),
      ]),
    );
    // the original is untouched
    expect(await store.describeCollection(name)).toEqual({ ...spec, distance: 'cosine' });
  });

  it('inserts 20 documents with deterministic ids', async () => {
    const ids = await store.upsert(name, docs, { batchSize: 8 }); // 3 batches
    expect(ids).toEqual(docs.map((d) => objectId(d.key)));
    expect(await store.count(name)).toBe(20);
  });

  it('alpha 0 (BM25 only) finds the document with the rare keyword first', async () => {
    const hits = await store.hybridSearch(name, { query: 'seccompzebra', vector: queryVector, alpha: 0, limit: 5 });
    expect(hits[0]?.id).toBe(objectId(`doc-${RARE_DOC}`));
    expect(hits[0]?.properties.body).toContain('seccompzebra');
    expect(hits[0]?.explainScore).toMatch(/keyword|bm25/i);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('alpha 1 (vector only) finds the document nearest the query vector first', async () => {
    const expected = nearest(queryVector);
    expect(expected).toBe(objectId(`doc-${QUERY_DOC}`));
    // same keyword query as above: only the vector counts now
    const hits = await store.hybridSearch(name, { query: 'seccompzebra', vector: queryVector, alpha: 1, limit: 5 });
    expect(hits[0]?.id).toBe(expected);
    expect(hits).toHaveLength(5);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('filters on a property equal to a value', async () => {
    const pods = await store.hybridSearch(name, {
      query: '',
      vector: queryVector,
      alpha: 1,
      limit: 20,
      filters: [{ property: 'kind', equals: 'pod' }],
    });
    expect(pods).toHaveLength(10);
    expect(pods.every((h) => h.properties.kind === 'pod')).toBe(true);
    expect(pods[0]?.id).toBe(nearest(queryVector, (i) => i % 2 === 0));

    const both = await store.hybridSearch(name, {
      query: 'labels',
      vector: queryVector,
      alpha: 0.5,
      limit: 20,
      filters: [
        { property: 'kind', equals: 'service' },
        { property: 'severity', equals: 1 },
      ],
    });
    const expectedKeys = docs.filter((_, i) => i % 2 === 1 && i % 3 === 1).map((d) => objectId(d.key));
    expect(both.map((h) => h.id).sort()).toEqual([...expectedKeys].sort());
  });

  it('re-inserting with the same keys replaces instead of duplicating', async () => {
    const changed = docs.map((d, i) =>
      i === 3 ? { ...d, properties: { ...d.properties, body: 'replaced text mentions quokkaterm' } } : d,
    );
    const ids = await store.upsert(name, changed);
    expect(ids).toEqual(docs.map((d) => objectId(d.key)));
    expect(await store.count(name)).toBe(20);
    const hits = await store.hybridSearch(name, { query: 'quokkaterm', alpha: 0, limit: 3 });
    expect(hits.map((h) => h.id)).toEqual([objectId('doc-3')]);
  });

  it('refuses invalid objects before sending anything, naming the index and expected dimension', async () => {
    const bad = [
      docs[0],
      { key: 'short', properties: { body: 'x' }, vector: [1, 2, 3] },
      { key: 'extra', properties: { colour: 'red' }, vector: docVector(1) },
    ];
    const error = await store.insertMany(name, bad as InsertObjectInput[]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeaviateInputError);
    const issues = (error as WeaviateInputError).issues;
    expect(issues).toContainEqual({ path: 'objects[1].vector', message: `expected ${DIMS} dimensions (collection ${name}), got 3` });
    expect(issues).toContainEqual(expect.objectContaining({ path: 'objects[2].properties.colour' }));
    expect(await store.count(name)).toBe(20);
    // auto-schema did not get a chance to add the unknown property
    expect(await store.describeCollection(name)).toEqual({ ...spec, distance: 'cosine' });

    const search = await store.hybridSearch(name, { query: 'x', vector: [1, 2], alpha: 0.5 }).catch((e: unknown) => e);
    expect(search).toBeInstanceOf(WeaviateInputError);
    expect((search as Error).message).toContain(`expected ${DIMS} dimensions`);
  });

  it('reports what the server refuses per object (index, id, message)', async () => {
    // A collection whose recorded dimension (2) disagrees with the vectors already in it (3), as if
    // written by another tool: client-side checks pass, the server refuses each object.
    const foreign = toCollectionName(uniqueName('weaviate-foreign'));
    const rest = async (path: string, body: unknown) => {
      const response = await fetch(`${config.weaviate.url}/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, await response.clone().text()).toBe(200);
    };
    try {
      await rest('/schema', {
        class: foreign,
        description: '[pac-spec vectorDimensions=2]',
        properties: [{ name: 'body', dataType: ['text'], tokenization: 'word', indexSearchable: true, indexFilterable: true }],
        vectorConfig: { default: { vectorizer: { none: {} }, vectorIndexType: 'hnsw', vectorIndexConfig: { distance: 'cosine' } } },
      });
      await rest('/objects', { class: foreign, properties: { body: 'three dims' }, vectors: { default: [1, 2, 3] } });
      expect(await store.describeCollection(foreign)).toMatchObject({ vectorDimensions: 2 });

      const objects = [
        { key: 'f-0', properties: { body: 'first' }, vector: [1, 0] },
        { key: 'f-1', properties: { body: 'second' }, vector: [0, 1] },
      ];
      const error = await store.insertMany(foreign, objects).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BatchInsertError);
      const batch = error as BatchInsertError;
      expect(batch.collection).toBe(foreign);
      expect(batch.failures.map((f) => [f.index, f.id])).toEqual([
        [0, objectId('f-0')],
        [1, objectId('f-1')],
      ]);
      for (const failure of batch.failures) expect(failure.message).toMatch(/length 2\. Existing nodes have vectors with length 3/);
      expect(batch.insertedIds).toEqual([undefined, undefined]);
      expect(batch.message).toContain(`objects[1] (${objectId('f-1')})`);
      expect(await store.count(foreign)).toBe(1);
    } finally {
      await store.deleteCollection(foreign);
    }
  });

  it('deletes the collection', async () => {
    expect(await store.deleteCollection(name)).toBe(true);
    expect(await store.collectionExists(name)).toBe(false);
    expect(await store.deleteCollection(name)).toBe(false);
    await expect(store.count(name)).rejects.toThrow(/does not exist/);
  });
});
