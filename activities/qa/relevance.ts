/**
 * Lexical relevance used by the offline nodes of the Q&A graph and by the evaluation heuristics:
 * weighted coverage of one text's content words by another, and citation parsing.
 */
import { tokenize } from '../llm/embeddings';

/** Inverse document frequency of each token over a set of texts (smoothed, ≥ 1). */
export function idfWeights(texts: readonly string[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const text of texts) for (const t of new Set(tokenize(text))) df.set(t, (df.get(t) ?? 0) + 1);
  const n = texts.length;
  const out = new Map<string, number>();
  for (const [t, d] of df) out.set(t, 1 + Math.log((n + 1) / (d + 0.5)));
  return out;
}

/**
 * Share of `needle`'s distinct content words (weighted by idf when given, else 1) that occur in
 * `haystack`. 0 when the needle has no content words.
 */
export function coverage(needle: string, haystack: string | Set<string>, idf?: Map<string, number>): number {
  const want = [...new Set(tokenize(needle))];
  if (want.length === 0) return 0;
  const have = typeof haystack === 'string' ? new Set(tokenize(haystack)) : haystack;
  let total = 0;
  let found = 0;
  for (const t of want) {
    const w = idf?.get(t) ?? (idf ? Math.max(...idf.values(), 1) : 1);
    total += w;
    if (have.has(t)) found += w;
  }
  return total === 0 ? 0 : found / total;
}

/** The citation numbers [n] in a text, in order of appearance, without repeats. */
export function citationsIn(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/\[(\d{1,3})\]/g)) {
    const n = Number(m[1]);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** The text without its [n] citation markers. */
export function withoutCitations(text: string): string {
  return text.replace(/\s*\[\d{1,3}\]/g, '').trim();
}
