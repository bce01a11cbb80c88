/**
 * The "retrieve" step: the policy corpus (text, description, metadata, test names) indexed in
 * Weaviate with our own embeddings, searched with hybrid BM25 + vector search. The top hits, with
 * scores, become the draft's provenance and the LLM's few-shot examples.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyMeta } from '../../datasets/schemas';
import type { Config } from '../../infra/config';
import { sha256 } from '../../lib/digest';
import type { EmbeddingProvider } from '../llm/embeddings';
import { EmbeddedIndex } from '../retrieval/embedded-index';
import { WeaviateStore } from '../retrieval/weaviate';
import type { Provenance } from './schemas';

/** One collection per embedding provider (vectors of different providers do not mix). */
export function policyCollectionName(embedder: EmbeddingProvider): string {
  return `KpcPolicies_${sha256(embedder.id).slice(0, 8)}`;
}

export type IndexedPolicy = { meta: PolicyMeta; policy: string; tests: string; source: 'corpus' | 'published' };

/** The text that represents a policy for BM25 and for the embedding. */
export function policyDocument(p: IndexedPolicy): string {
  const testNames = [...p.tests.matchAll(/^test_([a-z0-9_]+)/gm)].map((m) => (m[1] as string).replaceAll('_', ' '));
  return [
    p.meta.title,
    p.meta.description,
    `kinds: ${p.meta.kinds.join(', ')}`,
    `category: ${p.meta.category}; severity: ${p.meta.severity}`,
    `features: ${p.meta.features.join(', ').replaceAll('_', ' ')}`,
    `message: ${p.meta.message}`,
    `tests: ${testNames.join('; ')}`,
    p.policy,
  ].join('\n');
}

export function readCorpusPolicy(policiesDir: string, meta: PolicyMeta): IndexedPolicy {
  return {
    meta,
    policy: readFileSync(join(policiesDir, meta.id, 'policy.rego'), 'utf8'),
    tests: readFileSync(join(policiesDir, meta.id, 'policy_test.rego'), 'utf8'),
    source: 'corpus',
  };
}

/** The policy corpus index of this embedding provider (one collection per provider). */
export function policyIndex(store: WeaviateStore, embedder: EmbeddingProvider): EmbeddedIndex {
  return new EmbeddedIndex(store, embedder, {
    name: policyCollectionName(embedder),
    description: `kube-pac-copilot policy corpus for drafting (embeddings: ${embedder.id})`,
    properties: { policyId: 'keyword', title: 'text', body: 'text', kinds: 'keyword', source: 'keyword', digest: 'keyword' },
  });
}

/** Upserts the policies (idempotent: the key is the policy id). Returns the number indexed. */
export async function indexPolicies(
  config: Config,
  embedder: EmbeddingProvider,
  policies: IndexedPolicy[],
): Promise<{ collection: string; indexed: number }> {
  const store = await WeaviateStore.connect(config);
  try {
    const index = policyIndex(store, embedder);
    await index.upsert(
      policies.map((p) => {
        const body = policyDocument(p);
        return {
          key: `policy/${p.meta.id}`,
          text: body,
          properties: {
            policyId: p.meta.id,
            title: p.meta.title,
            body,
            kinds: p.meta.kinds.join(','),
            source: p.source,
            digest: sha256(body),
          },
        };
      }),
    );
    return { collection: index.name, indexed: policies.length };
  } finally {
    await store.close();
  }
}

/** Hybrid search over the indexed policies: the top `limit` with their fused scores. */
export async function searchPolicies(
  config: Config,
  embedder: EmbeddingProvider,
  query: string,
  options: { limit: number; alpha: number },
): Promise<Provenance[]> {
  const store = await WeaviateStore.connect(config);
  try {
    const hits = await policyIndex(store, embedder).search(query, options);
    return hits.map((hit) => ({
      policyId: String(hit.properties.policyId),
      title: String(hit.properties.title),
      score: Math.round(hit.score * 1e4) / 1e4,
      kinds: String(hit.properties.kinds ?? '')
        .split(',')
        .filter(Boolean),
    }));
  } finally {
    await store.close();
  }
}
