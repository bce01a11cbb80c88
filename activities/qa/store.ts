/**
 * The knowledge-base chunk index in Weaviate (collection `KbChunks` by default): one object per
 * chunk with its text, document title, section heading, source id, digest and position, and our
 * own embedding. Object ids are derived from source, digest and chunk position, so writing the same
 * document twice (a retry, two processes indexing at once) overwrites instead of duplicating.
 * Re-ingesting a changed document upserts its new chunks and then deletes every chunk of the older
 * digest. The collection records the embedder that made its vectors; opened with another one, every
 * chunk is re-embedded from its stored text (prepare).
 */
import { sha256 } from '../../lib/digest';
import type { EmbeddingProvider } from '../llm/embeddings';
import { EmbeddedIndex } from '../retrieval/embedded-index';
import type { WeaviateStore } from '../retrieval/weaviate';
import { type Chunk, chunkText, stripFrontMatter, titleOf } from './chunk';

export type SearchMode = 'bm25' | 'vector' | 'hybrid';

export interface ChunkHit {
  /** "<source>#<position>" */
  chunkId: string;
  source: string;
  /** the file name the document was indexed from (absent in chunks indexed before it was recorded) */
  file?: string;
  position: number;
  title: string;
  heading: string;
  text: string;
  score: number;
}

export interface IngestResult {
  source: string;
  title: string;
  digest: string;
  chunks: number;
  /** chunks of an earlier version of the document that were deleted */
  removed: number;
  words: number;
}

/** A document name as the source id: file name without directories and extension, [a-z0-9._-]. */
export function sourceIdOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const id = base
    .replace(/\.(md|markdown|txt|html?)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!id) throw new Error(`"${name}" gives an empty document id`);
  return id.slice(0, 200);
}

/** A document of the index as stored: its chunks grouped by source. */
export interface StoredDocument {
  source: string;
  /** the file name it was indexed from */
  file: string;
  title: string;
  /** the digest of the stored version (the newest, when an interrupted update left two) */
  digest: string;
  chunks: number;
  headings: string[];
  /** digests of other versions still present (an interrupted update); normally empty */
  staleDigests: string[];
}

/** What ingesting a document would store, without embedding anything. */
export interface IngestPlan {
  source: string;
  file: string;
  title: string;
  digest: string;
  chunks: Chunk[];
  headings: string[];
}

const PROPERTIES = {
  text: 'text',
  title: 'text',
  heading: 'text',
  source: 'keyword',
  file: 'keyword',
  digest: 'keyword',
  position: 'number',
} as const;

/** The file name recorded for a document: the name without directories. */
export function fileNameOf(name: string): string {
  return (name.split(/[\\/]/).pop() ?? name).slice(0, 200);
}

/** The key a chunk's object id is derived from: the same document version gives the same ids. */
export function chunkKey(source: string, digest: string, position: number): string {
  return `kb:${source}:${digest}#${position}`;
}

export class KbStore {
  private index: EmbeddedIndex;
  private readonly description: string;

  constructor(
    private readonly store: WeaviateStore,
    private readonly embedder: EmbeddingProvider,
    readonly collection: string,
    private readonly options: { alpha: number; chunkSize?: number; chunkOverlap?: number } = { alpha: 0.5 },
  ) {
    this.description = `knowledge-base chunks v2 (embedder ${embedder.id})`;
    this.index = this.makeIndex();
  }

  private makeIndex(): EmbeddedIndex {
    return new EmbeddedIndex(this.store, this.embedder, { name: this.collection, description: this.description, properties: PROPERTIES });
  }

  /** The source id, title, digest, chunks and headings of a document (no embedding, no Weaviate). */
  plan(input: { name: string; text: string }): IngestPlan {
    const source = sourceIdOf(input.name);
    const file = fileNameOf(input.name);
    const title = titleOf(input.text) ?? source;
    const digest = sha256(input.text);
    const chunks = chunkText(input.text, { size: this.options.chunkSize ?? 500, overlap: this.options.chunkOverlap ?? 75 });
    if (chunks.length === 0) throw new EmptyDocumentError(input.name);
    // every heading of the document (the topic boundary learns them), not only those where a chunk starts
    const all = [...stripFrontMatter(input.text).body.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)].map((m) => (m[1] as string).trim());
    return { source, file, title, digest, chunks, headings: [...new Set([...chunks.map((c) => c.heading), ...all].filter(Boolean))] };
  }

  async ingest(input: { name: string; text: string }): Promise<IngestResult & { headings: string[] }> {
    const { source, file, title, digest, chunks, headings } = this.plan(input);
    await this.index.upsert(
      chunks.map((c) => ({
        key: chunkKey(source, digest, c.position),
        text: `${title}\n${c.heading}\n${c.text}`,
        properties: { text: c.text, title, heading: c.heading, source, file, digest, position: c.position },
      })),
    );
    const removed = await this.store.deleteWhere(this.collection, [
      { property: 'source', equals: source },
      { property: 'digest', notEquals: digest },
    ]);
    return {
      source,
      title,
      digest,
      chunks: chunks.length,
      removed,
      words: chunks.length ? (chunks[chunks.length - 1] as { endWord: number }).endWord : 0,
      headings,
    };
  }

  /** Every document in the index, by source id. */
  async documents(): Promise<StoredDocument[]> {
    if (!(await this.store.collectionExists(this.collection))) return [];
    const objects = await this.store.objects(this.collection, ['source', 'file', 'title', 'heading', 'digest', 'position']);
    type Version = { title: string; file: string; chunks: number; headings: Set<string> };
    const bySource = new Map<string, Map<string, Version>>();
    for (const { properties: p } of objects) {
      const source = String(p.source);
      const versions = bySource.get(source) ?? new Map();
      bySource.set(source, versions);
      const version = versions.get(String(p.digest)) ?? {
        title: String(p.title ?? ''),
        file: String(p.file ?? `${source}.md`),
        chunks: 0,
        headings: new Set<string>(),
      };
      versions.set(String(p.digest), version);
      version.chunks++;
      if (p.heading) version.headings.add(String(p.heading));
    }
    return [...bySource.entries()]
      .map(([source, versions]) => {
        // the version with the most chunks stands for the document; the others are leftovers of an interrupted update
        const [first, ...others] = [...versions.entries()].sort((a, b) => b[1].chunks - a[1].chunks);
        const [digest, v] = first as [string, Version];
        return {
          source,
          file: v.file,
          title: v.title,
          digest,
          chunks: v.chunks,
          headings: [...v.headings],
          staleDigests: others.map(([d]) => d),
        };
      })
      .sort((a, b) => a.source.localeCompare(b.source));
  }

  /** Deletes every chunk of a document; returns how many were deleted (0: no such document). */
  async remove(source: string): Promise<number> {
    if (!(await this.store.collectionExists(this.collection))) return 0;
    return this.store.deleteWhere(this.collection, [{ property: 'source', equals: source }]);
  }

  /**
   * Makes the collection match this store's embedder: when it was filled by another embedder (its
   * description names it), every chunk is re-embedded from its stored text into a new collection of
   * the same name. Returns how many chunks were re-embedded (0: nothing to do).
   */
  async prepare(): Promise<number> {
    const spec = await this.store.describeCollection(this.collection);
    if (!spec || spec.description === this.description) return 0;
    const stored = await this.store.objects(this.collection);
    const chunks = stored.map(({ properties: p }) => ({
      key: chunkKey(String(p.source), String(p.digest), Number(p.position)),
      text: `${String(p.title ?? '')}\n${String(p.heading ?? '')}\n${String(p.text ?? '')}`,
      properties: {
        text: String(p.text ?? ''),
        title: String(p.title ?? ''),
        heading: String(p.heading ?? ''),
        source: String(p.source),
        file: String(p.file ?? `${String(p.source)}.md`),
        digest: String(p.digest),
        position: Number(p.position),
      },
    }));
    // embed first: if the embedder fails, the old collection is still there
    const vectors: number[][] = [];
    for (let i = 0; i < chunks.length; i += 64) vectors.push(...(await this.embedder.embed(chunks.slice(i, i + 64).map((c) => c.text))));
    await this.store.deleteCollection(this.collection);
    await this.store.ensureCollection({
      name: this.collection,
      description: this.description,
      properties: Object.entries(PROPERTIES).map(([name, type]) => ({ name, type })),
      vectorDimensions: vectors[0]?.length ?? this.embedder.dimensions,
    });
    this.index = this.makeIndex();
    const objects = chunks.map((c, i) => ({ key: c.key, properties: c.properties, vector: vectors[i] as number[] }));
    for (let i = 0; i < objects.length; i += 64) await this.store.upsert(this.collection, objects.slice(i, i + 64));
    return chunks.length;
  }

  async search(query: string, options: { mode?: SearchMode; limit?: number; vector?: number[]; alpha?: number } = {}): Promise<ChunkHit[]> {
    const mode = options.mode ?? 'hybrid';
    if (!(await this.index.exists())) return [];
    const alpha = mode === 'bm25' ? 0 : mode === 'vector' ? 1 : (options.alpha ?? this.options.alpha);
    const hits = await this.index.search(query, {
      alpha,
      limit: options.limit ?? 5,
      ...(options.vector ? { vector: options.vector } : {}),
    });
    return hits.map((h) => {
      const p = h.properties as Record<string, unknown>;
      return {
        chunkId: `${String(p.source)}#${Number(p.position)}`,
        source: String(p.source),
        ...(p.file ? { file: String(p.file) } : {}),
        position: Number(p.position),
        title: String(p.title ?? ''),
        heading: String(p.heading ?? ''),
        text: String(p.text ?? ''),
        score: h.score,
      };
    });
  }

  async count(): Promise<number> {
    return (await this.store.collectionExists(this.collection)) ? this.store.count(this.collection) : 0;
  }
}

export class EmptyDocumentError extends Error {
  constructor(readonly document: string) {
    super(`document "${document}" has no text to index`);
    this.name = 'EmptyDocumentError';
  }
}
