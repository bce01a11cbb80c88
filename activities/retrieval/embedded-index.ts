/**
 * An index of embedded texts in one Weaviate collection: every vector comes from one embedding
 * provider, so the collection's vector length is the provider's. The policy corpus (drafting) and
 * the knowledge-base chunks (document Q&A) are both such indexes.
 */
import type { EmbeddingProvider } from '../llm/embeddings';
import type { WeaviateStore } from './weaviate';
import type { PropertyType, PropertyValue, SearchHit } from './weaviate-schemas';

export type EmbeddedIndexSpec = {
  name: string;
  description: string;
  /** property name → type, in the collection's order */
  properties: Record<string, PropertyType>;
};

export type EmbeddedObject = {
  /** stable key the object id is derived from: re-upserting a key replaces the object */
  key: string;
  /** what is embedded (the stored properties may hold less or more) */
  text: string;
  properties: Record<string, PropertyValue>;
};

export class EmbeddedIndex {
  /** the collection is known to exist with this spec (checked once per instance) */
  private ensured = false;

  constructor(
    private readonly store: WeaviateStore,
    private readonly embedder: EmbeddingProvider,
    readonly spec: EmbeddedIndexSpec,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** Whether the collection exists; once it does, not asked again. */
  async exists(): Promise<boolean> {
    if (!this.ensured && !(await this.store.collectionExists(this.spec.name))) return false;
    this.ensured = true;
    return true;
  }

  /**
   * Embeds each object's text, creates the collection when missing (vector length of the first
   * vector, else the provider's) and upserts the objects under their keys. Returns their ids.
   */
  async upsert(objects: EmbeddedObject[]): Promise<string[]> {
    const vectors = await this.embedder.embed(objects.map((o) => o.text));
    await this.ensure(vectors[0]?.length ?? this.embedder.dimensions);
    return this.store.upsert(
      this.spec.name,
      objects.map((o, i) => ({ key: o.key, properties: o.properties, vector: vectors[i] as number[] })),
    );
  }

  /** Hybrid search; the query is embedded (unless a vector is given) only when alpha gives the vector part weight. */
  async search(query: string, options: { alpha: number; limit: number; vector?: number[] }): Promise<SearchHit[]> {
    const vector = options.alpha > 0 ? (options.vector ?? (await this.embedder.embed([query]))[0]) : undefined;
    return this.store.hybridSearch(this.spec.name, { query, alpha: options.alpha, limit: options.limit, ...(vector ? { vector } : {}) });
  }

  private async ensure(vectorDimensions: number): Promise<void> {
    if (this.ensured) return;
    await this.store.ensureCollection({
      name: this.spec.name,
      description: this.spec.description,
      properties: Object.entries(this.spec.properties).map(([name, type]) => ({ name, type })),
      vectorDimensions,
    });
    this.ensured = true;
  }
}
