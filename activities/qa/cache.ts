/**
 * Semantic cache: an answer is reused for a later question whose embedding is at least
 * `threshold` cosine-similar to a cached question's, within `ttlMs`, when the guard agrees (the
 * service uses cache-guard.ts: same polarity, numbers and subjects). Entries are kept per key —
 * everything else that shapes an answer: prompt version, search mode, top-k — and dropped when the
 * knowledge base changes (clear()). Hits and misses are counted for the hit-rate metric; a similar
 * question the guard refused counts as a miss and in `guardRefusals`.
 */
import { cosine } from '../llm/embeddings';

export interface CacheEntry<T> {
  question: string;
  vector: number[];
  /** what else the answer depends on, e.g. "answer@v2|hybrid|6" */
  key: string;
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
  /** lookups where a similar enough entry existed but the guard refused it */
  guardRefusals = 0;

  constructor(
    private readonly options: {
      threshold: number;
      ttlMs: number;
      maxEntries?: number;
      now?: () => number;
      /** whether the answer cached for `cached` may answer `asked` (default: always) */
      mayShare?: (cached: string, asked: string) => boolean;
    },
  ) {
    if (!(options.threshold > 0 && options.threshold <= 1)) throw new Error(`cache threshold must be in (0, 1], got ${options.threshold}`);
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  /**
   * The most similar live entry of this key at or above the threshold that the guard lets answer
   * `question`; counts a hit or a miss.
   */
  lookup(vector: number[], key: string, question: string): CacheHit<T> | undefined {
    const now = this.now();
    this.entries = this.entries.filter((e) => now - e.storedAt < this.options.ttlMs);
    let best: CacheEntry<T> | undefined;
    let bestSimilarity = -1;
    let refused = false;
    for (const entry of this.entries) {
      if (entry.key !== key || entry.vector.length !== vector.length) continue;
      const similarity = cosine(entry.vector, vector);
      if (similarity < this.options.threshold || similarity <= bestSimilarity) continue;
      if (this.options.mayShare && !this.options.mayShare(entry.question, question)) {
        refused = true;
        continue;
      }
      best = entry;
      bestSimilarity = similarity;
    }
    if (best) {
      this.hits++;
      return { value: best.value, similarity: bestSimilarity, question: best.question, ageMs: now - best.storedAt };
    }
    if (refused) this.guardRefusals++;
    this.misses++;
    return undefined;
  }

  store(question: string, vector: number[], key: string, value: T): void {
    this.entries.push({ question, vector, key, value, storedAt: this.now() });
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
