/**
 * The knowledge-base chunk index in Weaviate (collection `KbChunks` by default): one object per
 * chunk with its text, document title, section heading, source id and position, and our own
 * embedding. Re-ingesting a document replaces its chunks: the new chunks are upserted under
 * stable keys (source#position) and every older chunk of that source is deleted.
 */
import { sha256 } from '../../lib/digest';
import type { EmbeddingProvider } from '../llm/embeddings';
import { EmbeddedIndex } from '../retrieval/embedded-index';
import type { WeaviateStore } from '../retrieval/weaviate';
import { chunkText, titleOf } from './chunk';

export type SearchMode = 'bm25' | 'vector' | 'hybrid';

export interface ChunkHit {
  /** "<source>#<position>" */
  chunkId: string;
  source: string;
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
    .replace(/\.(md|markdown|txt)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!id) throw new Error(`"${name}" gives an empty document id`);
  return id.slice(0, 200);
}

export class KbStore {
  private readonly index: EmbeddedIndex;

  constructor(
    private readonly store: WeaviateStore,
    embedder: EmbeddingProvider,
    readonly collection: string,
    private readonly options: { alpha: number; chunkSize?: number; chunkOverlap?: number } = { alpha: 0.5 },
  ) {
    this.index = new EmbeddedIndex(store, embedder, {
      name: collection,
      description: `knowledge-base chunks (embedder ${embedder.id})`,
      properties: { text: 'text', title: 'text', heading: 'text', source: 'keyword', digest: 'keyword', position: 'number' },
    });
  }

  async ingest(input: { name: string; text: string }): Promise<IngestResult & { headings: string[] }> {
    const source = sourceIdOf(input.name);
    const title = titleOf(input.text) ?? source;
    const digest = sha256(input.text);
    const chunks = chunkText(input.text, { size: this.options.chunkSize ?? 500, overlap: this.options.chunkOverlap ?? 75 });
    if (chunks.length === 0) throw new EmptyDocumentError(input.name);
    await this.index.upsert(
      chunks.map((c) => ({
        key: `kb:${source}#${c.position}`,
        text: `${title}\n${c.heading}\n${c.text}`,
        properties: { text: c.text, title, heading: c.heading, source, digest, position: c.position },
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
      headings: [...new Set(chunks.map((c) => c.heading).filter(Boolean))],
    };
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
