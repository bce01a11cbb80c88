/**
 * The "retrieve" step: the policy corpus (text, description, metadata, test names) indexed in
 * Weaviate with our own embeddings, searched with hybrid BM25 + vector search. The top hits, with
 * scores, become the draft's provenance and the LLM's few-shot examples.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyMeta } from '../../datasets/schemas';
import type { Config } from '../../infra/config';
import type { EmbeddingProvider } from '../llm/embeddings';
import { WeaviateStore } from '../retrieval/weaviate';
import type { Provenance } from './schemas';

/** One collection per embedding provider (vectors of different providers do not mix). */
export function policyCollectionName(embedder: EmbeddingProvider): string {
  const suffix = createHash('sha256').update(embedder.id).digest('hex').slice(0, 8);
  return `KpcPolicies_${suffix}`;
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

/** Upserts the policies (idempotent: the key is the policy id). Returns the number indexed. */
export async function indexPolicies(
  config: Config,
  embedder: EmbeddingProvider,
  policies: IndexedPolicy[],
): Promise<{ collection: string; indexed: number }> {
  const store = await WeaviateStore.connect(config);
  try {
    const documents = policies.map(policyDocument);
    const vectors = await embedder.embed(documents);
    const collection = policyCollectionName(embedder);
    const dimensions = vectors[0]?.length ?? embedder.dimensions;
    await store.ensureCollection({
      name: collection,
      description: `kube-pac-copilot policy corpus for drafting (embeddings: ${embedder.id})`,
      properties: [
        { name: 'policyId', type: 'keyword' },
        { name: 'title', type: 'text' },
        { name: 'body', type: 'text' },
        { name: 'kinds', type: 'keyword' },
        { name: 'source', type: 'keyword' },
        { name: 'digest', type: 'keyword' },
      ],
      vectorDimensions: dimensions,
    });
    await store.upsert(
      collection,
      policies.map((p, i) => ({
        key: `policy/${p.meta.id}`,
        properties: {
          policyId: p.meta.id,
          title: p.meta.title,
          body: documents[i] as string,
          kinds: p.meta.kinds.join(','),
          source: p.source,
          digest: createHash('sha256')
            .update(documents[i] as string)
            .digest('hex'),
        },
        vector: vectors[i] as number[],
      })),
    );
    return { collection, indexed: policies.length };
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
    const [vector] = await embedder.embed([query]);
    const hits = await store.hybridSearch(policyCollectionName(embedder), {
      query,
      ...(options.alpha > 0 ? { vector } : {}),
      alpha: options.alpha,
      limit: options.limit,
    });
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
