/**
 * Semantic cache: an answer is reused for a later question whose embedding is at least
 * `threshold` cosine-similar to a cached question's, within `ttlMs`. Entries are kept per prompt
 * version and dropped when the knowledge base changes (clear()). Hits and misses are counted for
 * the hit-rate metric.
 */
import { cosine } from '../llm/embeddings';

export interface CacheEntry<T> {
  question: string;
  vector: number[];
  promptVersion: string;
  value: T;
  storedAt: number;
}

export interface CacheHit<T> {
  value: T;
  similarity: number;
  question: string;
  ageMs: number;
}

export class SemanticCache<T> {
  private entries: CacheEntry<T>[] = [];
  hits = 0;
  misses = 0;

  constructor(private readonly options: { threshold: number; ttlMs: number; maxEntries?: number; now?: () => number }) {
    if (!(options.threshold > 0 && options.threshold <= 1)) throw new Error(`cache threshold must be in (0, 1], got ${options.threshold}`);
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  /** The most similar live entry at or above the threshold for this prompt version; counts a hit or a miss. */
  lookup(vector: number[], promptVersion: string): CacheHit<T> | undefined {
    const now = this.now();
    this.entries = this.entries.filter((e) => now - e.storedAt < this.options.ttlMs);
    let best: CacheEntry<T> | undefined;
    let bestSimilarity = -1;
    for (const entry of this.entries) {
      if (entry.promptVersion !== promptVersion || entry.vector.length !== vector.length) continue;
      const similarity = cosine(entry.vector, vector);
      if (similarity > bestSimilarity) {
        best = entry;
        bestSimilarity = similarity;
      }
    }
    if (best && bestSimilarity >= this.options.threshold) {
      this.hits++;
      return { value: best.value, similarity: bestSimilarity, question: best.question, ageMs: now - best.storedAt };
    }
    this.misses++;
    return undefined;
  }

  store(question: string, vector: number[], promptVersion: string, value: T): void {
    this.entries.push({ question, vector, promptVersion, value, storedAt: this.now() });
    const max = this.options.maxEntries ?? 10_000;
    if (this.entries.length > max) this.entries.splice(0, this.entries.length - max);
  }

  clear(): void {
    this.entries = [];
  }

  get size(): number {
    return this.entries.length;
  }

  /** hits / lookups (0 before the first lookup) */
  get hitRate(): number {
    const total = this.hits + this.misses;
    return total === 0 ? 0 : this.hits / total;
  }
}
