/**
 * Access to Weaviate for retrieval: collections with our own vectors (no vectorizer module) and
 * BM25 over their text properties, idempotent batch upserts, hybrid search.
 *
 *   const store = await WeaviateStore.connect(loadConfig());
 *   await store.ensureCollection({ name: 'Policies', properties: [{ name: 'body', type: 'text' }], vectorDimensions: 384 });
 *   await store.upsert('Policies', [{ key: 'policy/require-labels', properties: { body: '...' }, vector }]);
 *   const hits = await store.hybridSearch('Policies', { query: 'labels', vector, alpha: 0.5, limit: 5 });
 *   await store.close();
 *
 * Every input is validated (zod schemas in ./weaviate-schemas, per-object checks in
 * ./weaviate-objects) before anything is sent; what the server refuses is reported per object,
 * never dropped. ./weaviate-spec-diff compares a wanted collection spec with the server's.
 */
import weaviate, { ApiKey, type CollectionConfigCreate, configure, Filters, type FilterValue, type WeaviateClient } from 'weaviate-client';
import { batchOutcome, type PreparedObject, prepareObjects, prepareSearch } from './weaviate-objects';
import {
  BatchInsertError,
  CollectionConflictError,
  CollectionNotFoundError,
  type CollectionSpec,
  type CollectionSpecInput,
  collectionNameSchema,
  collectionSpecSchema,
  type HybridSearchOptionsInput,
  type InsertFailure,
  type InsertObjectInput,
  type InsertOptionsInput,
  insertOptionsSchema,
  type PropertySpec,
  type PropertyValue,
  parseInput,
  type SearchHit,
  VECTOR_NAME,
} from './weaviate-schemas';
import { diffCollection, encodeDescription, observeCollection, type ServerCollectionConfig, specFromObserved } from './weaviate-spec-diff';

export * from './weaviate-objects';
export * from './weaviate-schemas';
export * from './weaviate-spec-diff';

/** Where Weaviate listens: the `weaviate` section of infra/config's Config is one. */
export type WeaviateEndpoint = {
  host: string;
  /** HTTP (REST) port */
  port: number;
  grpcPort: number;
  /** when given, https: makes both connections TLS */
  url?: string;
  /** PAC_WEAVIATE_API_KEY: sent on every REST and gRPC request */
  apiKey?: string | undefined;
};

export type ConnectOptions = {
  /** seconds per request, passed to weaviate-client (its defaults: 30 query, 90 insert) */
  timeoutSeconds?: { query?: number; insert?: number; init?: number };
  /** the longest ready() waits for an answer, in ms (default 5000) */
  readyTimeoutMs?: number;
};

/** Raised when the server refuses or fails an operation; `cause` is weaviate-client's error. */
export class WeaviateOperationError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(`${message}: ${errorMessage(options.cause)}`, options);
    this.name = 'WeaviateOperationError';
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 404;
}

/**
 * A keep-alive connection the server closed while it sat idle (undici: "other side closed", seen
 * after a long embedding run between two requests): a read is idempotent, so it is simply sent again.
 */
function isStaleConnection(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || /other side closed/.test(String((e as Error).message))) return true;
  }
  return false;
}

function propertyConfig(property: PropertySpec) {
  switch (property.type) {
    case 'text':
      return {
        name: property.name,
        dataType: 'text' as const,
        tokenization: 'word' as const,
        indexSearchable: true,
        indexFilterable: true,
      };
    case 'keyword':
      return {
        name: property.name,
        dataType: 'text' as const,
        tokenization: 'field' as const,
        indexSearchable: false,
        indexFilterable: true,
      };
    case 'number':
      return { name: property.name, dataType: 'number' as const, indexFilterable: true };
  }
}

/** The weaviate-client create configuration for a spec: one self-provided HNSW vector, BM25 over text properties. */
export function collectionCreateConfig(spec: CollectionSpec): CollectionConfigCreate {
  return {
    name: spec.name,
    description: encodeDescription(spec),
    properties: spec.properties.map(propertyConfig),
    vectorizers: configure.vectors.selfProvided({
      name: VECTOR_NAME,
      vectorIndexConfig: configure.vectorIndex.hnsw({ distanceMetric: spec.distance }),
    }),
  };
}

export class WeaviateStore {
  private constructor(
    private readonly client: WeaviateClient,
    /** e.g. http://127.0.0.1:8080 (grpc 50051), for messages */
    readonly address: string,
    private readonly readyTimeoutMs: number,
  ) {}

  /**
   * Makes a client for the endpoint (with its API key, else anonymous). Does not contact the server, so it works
   * while the server is still starting: use ready() to wait for it.
   */
  static async connect(config: { weaviate: WeaviateEndpoint } | WeaviateEndpoint, options: ConnectOptions = {}): Promise<WeaviateStore> {
    const endpoint = 'weaviate' in config ? config.weaviate : config;
    const secure = endpoint.url?.startsWith('https:') ?? false;
    const client = await weaviate.connectToCustom({
      httpHost: endpoint.host,
      httpPort: endpoint.port,
      httpSecure: secure,
      grpcHost: endpoint.host,
      grpcPort: endpoint.grpcPort,
      grpcSecure: secure,
      skipInitChecks: true,
      ...(endpoint.apiKey ? { authCredentials: new ApiKey(endpoint.apiKey) } : {}),
      ...(options.timeoutSeconds ? { timeout: options.timeoutSeconds } : {}),
    });
    const address = `${secure ? 'https' : 'http'}://${endpoint.host}:${endpoint.port} (grpc ${endpoint.grpcPort})`;
    return new WeaviateStore(client, address, options.readyTimeoutMs ?? 5000);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Whether the server answers ready (GET /v1/.well-known/ready). Never throws. */
  async ready(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.readyTimeoutMs);
    });
    try {
      return await Promise.race([this.client.isReady().catch(() => false), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The server's version, e.g. "1.35.2" (GET /v1/meta). */
  async version(): Promise<string> {
    try {
      const meta = await this.client.getMeta();
      if (typeof meta.version !== 'string') throw new Error(`no version in /v1/meta: ${JSON.stringify(meta).slice(0, 200)}`);
      return meta.version;
    } catch (error) {
      throw new WeaviateOperationError(`reading the version of Weaviate at ${this.address}`, { cause: error });
    }
  }

  /**
   * Creates the collection if it is missing. If it exists with exactly this spec nothing happens;
   * if it exists with any other configuration, throws CollectionConflictError listing the
   * differences and leaves the collection (and its data) as it is.
   */
  async ensureCollection(specInput: CollectionSpecInput): Promise<{ created: boolean; spec: CollectionSpec }> {
    const spec = parseInput(collectionSpecSchema, specInput, 'collection spec');
    const existing = await this.serverConfig(spec.name);
    if (existing) {
      this.assertMatches(spec, existing);
      return { created: false, spec };
    }
    try {
      await this.client.collections.create(collectionCreateConfig(spec));
      return { created: true, spec };
    } catch (error) {
      // someone else may have created it in the meantime: then it must match as well
      const raced = await this.serverConfig(spec.name).catch(() => undefined);
      if (raced) {
        this.assertMatches(spec, raced);
        return { created: false, spec };
      }
      throw new WeaviateOperationError(`creating collection ${spec.name}`, { cause: error });
    }
  }

  /** The spec of a collection made by ensureCollection, or undefined when it does not exist. */
  async describeCollection(name: string): Promise<CollectionSpec | undefined> {
    const config = await this.serverConfig(parseInput(collectionNameSchema, name, 'collection name'));
    return config ? specFromObserved(observeCollection(config)) : undefined;
  }

  async collectionExists(name: string): Promise<boolean> {
    return (await this.serverConfig(parseInput(collectionNameSchema, name, 'collection name'))) !== undefined;
  }

  /**
   * Inserts objects in batches and returns their ids in input order. An object whose id (given,
   * or derived from its key) already exists replaces the stored one. Invalid input throws
   * WeaviateInputError before anything is sent; objects the server refuses throw
   * BatchInsertError naming each (index, id, message) once every batch was tried (after a
   * request fails outright, the later batches are not sent and their objects are listed too).
   */
  async insertMany(collection: string, objects: InsertObjectInput[], options: InsertOptionsInput = {}): Promise<string[]> {
    return this.write(collection, objects, options, false);
  }

  /** insertMany where every object must have an id or a key, so repeating it never duplicates. */
  async upsert(collection: string, objects: InsertObjectInput[], options: InsertOptionsInput = {}): Promise<string[]> {
    return this.write(collection, objects, options, true);
  }

  private async write(
    collection: string,
    objects: InsertObjectInput[],
    optionsInput: InsertOptionsInput,
    requireId: boolean,
  ): Promise<string[]> {
    const options = parseInput(insertOptionsSchema, optionsInput, 'insert options');
    // always read the spec fresh: inserting into a missing collection would let Weaviate's
    // auto-schema create one with guessed types
    const spec = await this.spec(collection);
    const prepared = prepareObjects(spec, objects, { requireId });
    const inserted: (string | undefined)[] = prepared.map(() => undefined);
    const failures: InsertFailure[] = [];
    const target = this.client.collections.use(spec.name);
    let transportError: unknown;
    for (let start = 0; start < prepared.length; start += options.batchSize) {
      const chunk = prepared.slice(start, start + options.batchSize);
      if (transportError !== undefined) {
        chunk.forEach((o, i) => {
          failures.push({ index: start + i, id: o.id, message: `not sent: an earlier batch failed (${errorMessage(transportError)})` });
        });
        continue;
      }
      try {
        const result = await target.data.insertMany(chunk.map(toDataObject));
        const outcome = batchOutcome(
          chunk.map((o) => o.id),
          start,
          result,
        );
        for (const { index, id } of outcome.stored) inserted[index] = id;
        failures.push(...outcome.failures);
      } catch (error) {
        transportError = error;
        chunk.forEach((o, i) => {
          failures.push({ index: start + i, id: o.id, message: `batch request failed: ${errorMessage(error)}` });
        });
      }
    }
    if (failures.length > 0) throw new BatchInsertError(spec.name, failures, inserted);
    return prepared.map((o) => o.id);
  }

  /**
   * Hybrid search: BM25 over the text properties blended with vector similarity by alpha
   * (0 = BM25 only, 1 = vector only). Hits are sorted by score, highest first. Filters are ANDed
   * "property equals value" conditions (on a text property: equals one of its words).
   */
  async hybridSearch(collection: string, optionsInput: HybridSearchOptionsInput): Promise<SearchHit[]> {
    const spec = await this.spec(collection);
    const options = prepareSearch(spec, optionsInput);
    const target = this.client.collections.use(spec.name);
    const conditions: FilterValue[] = options.filters.map((f) => target.filter.byProperty(f.property).equal(f.equals));
    const filters = conditions.length === 0 ? undefined : conditions.length === 1 ? conditions[0] : Filters.and(...conditions);
    try {
      const result = await target.query.hybrid(options.query, {
        alpha: options.alpha,
        limit: options.limit,
        fusionType: options.fusion === 'ranked' ? 'Ranked' : 'RelativeScore',
        ...(options.vector ? { vector: options.vector, targetVector: VECTOR_NAME } : {}),
        ...(filters ? { filters } : {}),
        returnMetadata: ['score', 'explainScore'],
      });
      const hits: SearchHit[] = result.objects.map((o) => {
        const explainScore = o.metadata?.explainScore?.trim();
        return {
          id: o.uuid,
          properties: { ...o.properties },
          score: o.metadata?.score ?? 0,
          ...(explainScore ? { explainScore } : {}),
        };
      });
      // stable: the server's order stays for equal scores
      return hits.sort((a, b) => b.score - a.score);
    } catch (error) {
      throw new WeaviateOperationError(`hybrid search in collection ${spec.name}`, { cause: error });
    }
  }

  /**
   * Deletes the objects matching every condition (AND): "property equals value" and "property
   * does not equal value". Returns how many were deleted. At least one condition is required.
   */
  async deleteWhere(
    collection: string,
    conditions: readonly ({ property: string; equals: string | number } | { property: string; notEquals: string | number })[],
  ): Promise<number> {
    const spec = await this.spec(collection);
    if (conditions.length === 0) throw new Error(`deleteWhere on ${spec.name}: give at least one condition (use deleteCollection for all)`);
    const target = this.client.collections.use(spec.name);
    const known = new Set(spec.properties.map((p) => p.name));
    const filters: FilterValue[] = conditions.map((c) => {
      if (!known.has(c.property)) throw new Error(`deleteWhere on ${spec.name}: unknown property "${c.property}"`);
      const by = target.filter.byProperty(c.property);
      return 'equals' in c ? by.equal(c.equals) : by.notEqual(c.notEquals);
    });
    try {
      const result = await target.data.deleteMany(filters.length === 1 ? (filters[0] as FilterValue) : Filters.and(...filters));
      if (result.failed > 0) throw new Error(`${result.failed} of ${result.matches} objects could not be deleted`);
      return result.successful;
    } catch (error) {
      throw new WeaviateOperationError(`deleting objects from collection ${spec.name}`, { cause: error });
    }
  }

  /**
   * Every object of the collection (properties only, no vectors), read page by page with the
   * cursor API; `properties` limits what is returned. Meant for small collections (a knowledge base).
   */
  async objects(collection: string, properties?: readonly string[]): Promise<{ id: string; properties: Record<string, PropertyValue> }[]> {
    const spec = await this.spec(collection);
    const target = this.client.collections.use(spec.name);
    const out: { id: string; properties: Record<string, PropertyValue> }[] = [];
    try {
      for await (const o of target.iterator(properties ? { returnProperties: [...properties] } : {}))
        out.push({ id: o.uuid, properties: { ...(o.properties as Record<string, PropertyValue>) } });
    } catch (error) {
      throw new WeaviateOperationError(`reading the objects of collection ${spec.name}`, { cause: error });
    }
    return out;
  }

  /** The number of objects in the collection. */
  async count(collection: string): Promise<number> {
    const name = parseInput(collectionNameSchema, collection, 'collection name');
    try {
      const result = await this.client.collections.use(name).aggregate.overAll();
      return result.totalCount;
    } catch (error) {
      if (!(await this.collectionExists(name).catch(() => true))) throw new CollectionNotFoundError(name);
      throw new WeaviateOperationError(`counting the objects of collection ${name}`, { cause: error });
    }
  }

  /** Deletes the collection and all its objects; returns whether it existed. */
  async deleteCollection(name: string): Promise<boolean> {
    const valid = parseInput(collectionNameSchema, name, 'collection name');
    const existed = (await this.serverConfig(valid)) !== undefined;
    if (!existed) return false;
    try {
      await this.client.collections.delete(valid);
    } catch (error) {
      throw new WeaviateOperationError(`deleting collection ${valid}`, { cause: error });
    }
    return true;
  }

  private assertMatches(spec: CollectionSpec, existing: ServerCollectionConfig) {
    const differences = diffCollection(spec, observeCollection(existing));
    if (differences.length > 0) throw new CollectionConflictError(spec.name, differences);
  }

  private async spec(collection: string): Promise<CollectionSpec> {
    const name = parseInput(collectionNameSchema, collection, 'collection name');
    const config = await this.serverConfig(name);
    if (!config) throw new CollectionNotFoundError(name);
    return specFromObserved(observeCollection(config));
  }

  /** The collection's configuration (GET /v1/schema/{name}), or undefined when it does not exist. */
  private async serverConfig(name: string): Promise<ServerCollectionConfig | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.collections.export(name);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        if (attempt < 3 && isStaleConnection(error)) continue;
        throw new WeaviateOperationError(`reading the configuration of collection ${name}`, { cause: error });
      }
    }
  }
}

function toDataObject(o: PreparedObject) {
  return { id: o.id, properties: o.properties, vectors: { [VECTOR_NAME]: o.vector } };
}

/** Same as WeaviateStore.connect. */
export function connectWeaviate(
  config: { weaviate: WeaviateEndpoint } | WeaviateEndpoint,
  options?: ConnectOptions,
): Promise<WeaviateStore> {
  return WeaviateStore.connect(config, options);
}
