/**
 * The semantic cache's decision on the labelled pairs of datasets/kb-eval/cache-pairs.jsonl
 * (paraphrases that should share an answer; near misses — negations, antonyms, other numbers,
 * other subjects, other questions on the same topic — that must not): precision and recall of
 * "similarity ≥ threshold and the guard agrees" with the offline embedder, the threshold chosen from
 * them, and the cache itself keyed by prompt version, search mode and top-k.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cosine, HashingEmbedder } from '../../activities/llm/embeddings';
import { SemanticCache } from '../../activities/qa/cache';
import {
  chooseThreshold,
  evaluateCacheDecisions,
  incompatibility,
  mayShareAnswer,
  questionSignature,
} from '../../activities/qa/cache-guard';
import { DATASETS_DIR } from '../../datasets/paths';
import { cachePairSchema } from '../../datasets/schemas';
import { loadConfig } from '../../infra/config';

const embedder = new HashingEmbedder();
const pairs = readFileSync(join(DATASETS_DIR, 'kb-eval', 'cache-pairs.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line, i) => {
    const parsed = cachePairSchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`cache-pairs.jsonl:${i + 1}: ${parsed.error.message}`);
    return { ...parsed.data, similarity: cosine(embedder.embedOne(parsed.data.a), embedder.embedOne(parsed.data.b)) };
  });
const defaultThreshold = loadConfig({ HOME: '/tmp/pac-unit-home' }).qa.cacheThreshold;

describe('the cache evaluation set', () => {
  it('has at least 30 near misses of every kind and paraphrases that should hit', () => {
    const misses = pairs.filter((p) => p.expect === 'miss');
    expect(misses.length).toBeGreaterThanOrEqual(30);
    for (const category of ['negation', 'antonym', 'number', 'subject', 'topic'])
      expect(misses.filter((p) => p.category === category).length, category).toBeGreaterThanOrEqual(5);
    expect(pairs.filter((p) => p.expect === 'hit').length).toBeGreaterThanOrEqual(20);
    expect(new Set(pairs.map((p) => p.id)).size).toBe(pairs.length);
  });
});

describe('the cache decision', () => {
  it('never serves a near miss at the configured threshold, and says how much it costs in recall', () => {
    const rows = [...new Set([0.7, 0.75, defaultThreshold, 0.85, 0.9, 0.95])].map((t) => {
      const guarded = evaluateCacheDecisions(pairs, t, true);
      const bare = evaluateCacheDecisions(pairs, t, false);
      return `  ${t.toFixed(2)}  guard: P ${guarded.precision.toFixed(2)} R ${guarded.recall.toFixed(2)} near misses served ${guarded.servedNearMisses.length}   similarity only: P ${bare.precision.toFixed(2)} R ${bare.recall.toFixed(2)} near misses served ${bare.servedNearMisses.length}`;
    });
    process.stdout.write(`semantic cache on ${pairs.length} labelled pairs (offline hashing embedder):\n${rows.join('\n')}\n`);
    const atDefault = evaluateCacheDecisions(pairs, defaultThreshold, true);
    expect(atDefault.servedNearMisses).toEqual([]);
    expect(atDefault.precision).toBe(1);
    expect(atDefault.recall).toBeGreaterThanOrEqual(0.7);
  });

  it('takes the default threshold from the evaluation: the highest of best recall with no near miss served', () => {
    const chosen = chooseThreshold(pairs, true);
    expect(chosen).toBeDefined();
    expect(defaultThreshold).toBeCloseTo(chosen?.threshold as number, 5);
    // similarity alone (the cache before the guard): negations are identical vectors for the offline embedder
    expect(chooseThreshold(pairs, false)).toBeUndefined();
    expect(evaluateCacheDecisions(pairs, 1, false).servedNearMisses.length).toBeGreaterThan(0);
  });

  it('reads polarity: negation scope, antonyms, negated antonyms, numbers, subjects', () => {
    expect(mayShareAnswer('How do I allow privileged containers?', 'How do I deny privileged containers?')).toBe(false);
    expect(mayShareAnswer('How do I deny privileged containers?', 'How do I not allow privileged containers?')).toBe(true);
    expect(mayShareAnswer('Why must containers not run as root?', 'Why must containers run as non-root?')).toBe(true);
    expect(mayShareAnswer('Which pods are allowed?', "Which pods aren't allowed?")).toBe(false);
    expect(mayShareAnswer('What does a PSI above 0.2 mean?', 'What does a PSI above 0.25 mean?')).toBe(false);
    expect(incompatibility(questionSignature('Set a CPU limit on pods'), questionSignature('Set a memory limit on pods'))).toMatch(
      /subjects/,
    );
    expect(questionSignature('Find the root cause of a denial').axes).toEqual({});
  });
});

describe('SemanticCache', () => {
  const question = 'How do I allow privileged containers in the kube-system namespace?';
  const vector = (text: string) => embedder.embedOne(text);

  it('keys entries by prompt version, search mode and top-k, and asks the guard', () => {
    const cache = new SemanticCache<string>({ threshold: defaultThreshold, ttlMs: 60_000, mayShare: mayShareAnswer });
    cache.store(question, vector(question), 'answer@v2|hybrid|6', 'ALLOW');
    const paraphrase = 'How can I allow privileged containers in the kube-system namespace?';
    expect(cache.lookup(vector(paraphrase), 'answer@v2|hybrid|6', paraphrase)?.value).toBe('ALLOW');
    for (const key of ['answer@v1|hybrid|6', 'answer@v2|bm25|6', 'answer@v2|hybrid|3'])
      expect(cache.lookup(vector(paraphrase), key, paraphrase), key).toBeUndefined();
    const opposite = 'How do I deny privileged containers in the kube-system namespace?';
    expect(cosine(vector(opposite), vector(question))).toBeGreaterThan(0.7);
    expect(cache.lookup(vector(opposite), 'answer@v2|hybrid|6', opposite)).toBeUndefined();
    expect(cache.guardRefusals).toBe(1);
    const negated = 'How do I not allow privileged containers in the kube-system namespace?';
    expect(cache.lookup(vector(negated), 'answer@v2|hybrid|6', negated)).toBeUndefined();
  });

  it('expires entries and counts hits and misses', () => {
    let now = 0;
    const cache = new SemanticCache<string>({ threshold: 0.9, ttlMs: 1000, now: () => now });
    cache.store('q', [1, 0, 0], 'k', 'A');
    expect(cache.lookup([0.99, 0.1, 0], 'k', 'q')?.value).toBe('A');
    now = 2000;
    expect(cache.lookup([1, 0, 0], 'k', 'q')).toBeUndefined();
    expect(cache.hitRate).toBe(0.5);
  });
});
