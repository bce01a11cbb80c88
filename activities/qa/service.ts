/**
 * The document Q&A service: ingest documents into the chunk index, and answer questions through
 * the guardrails (PII masking in and out, topic boundary), the semantic cache, the routing of the
 * question to the cheap or strong model, and the LangGraph graph. Every answer records its prompt
 * version, model, token usage and cost.
 */
import { z } from 'zod';
import type { Config } from '../../infra/config';
import { type LLMProvider, llmProviderFromConfig } from '../llm/chat';
import { type EmbeddingProvider, embeddingProviderFromConfig } from '../llm/embeddings';
import { WeaviateStore } from '../retrieval/weaviate';
import { SemanticCache } from './cache';
import { mayShareAnswer } from './cache-guard';
import { costOf, type PriceTable, routeQuestion, type Usage } from './cost';
import { buildQaGraph, type Citation, NOT_IN_KB } from './graph';
import { TopicBoundary } from './guardrails';
import { maskPii, maskPiiDeep, type PiiType } from './pii';
import { getPrompt } from './prompts';
import { type IngestResult, KbStore, type SearchMode } from './store';

export const qaAnswerSchema = z.object({
  /** the question as processed (PII masked) */
  question: z.string().min(1),
  answer: z.string(),
  answerable: z.boolean(),
  grounded: z.boolean(),
  refusalReason: z.string().optional(),
  citations: z.array(
    z.object({
      n: z.int(),
      chunkId: z.string(),
      source: z.string(),
      position: z.int(),
      title: z.string(),
      heading: z.string(),
      excerpt: z.string(),
    }),
  ),
  promptVersion: z.string(),
  route: z.enum(['cheap', 'strong']),
  complexity: z.number(),
  generator: z.enum(['offline', 'llm', 'none']),
  model: z.string().optional(),
  usage: z.object({ promptTokens: z.int(), completionTokens: z.int() }),
  usageByModel: z.record(z.string(), z.object({ promptTokens: z.int(), completionTokens: z.int() })),
  costUsd: z.number(),
  cache: z.object({ hit: z.boolean(), similarity: z.number().optional(), cachedQuestion: z.string().optional() }),
  guardrails: z.object({
    piiMaskedInput: z.record(z.string(), z.int()),
    piiMaskedOutput: z.record(z.string(), z.int()),
    topic: z.object({ allowed: z.boolean(), reason: z.string() }),
    injectionSentencesRemoved: z.int(),
  }),
  steps: z.array(z.string()),
  retrieved: z.array(z.object({ chunkId: z.string(), score: z.number(), relevance: z.number().optional() })),
  ms: z.number(),
});
export type QaAnswer = z.infer<typeof qaAnswerSchema>;

/** passages retrieved when a query names no topK */
export const DEFAULT_TOP_K = 6;

export interface QueryOptions {
  promptVersion?: string;
  topK?: number;
  mode?: SearchMode;
  /** skip the semantic cache (lookup and store) */
  noCache?: boolean;
}

export interface QaServiceOptions {
  kb: KbStore;
  embedder: EmbeddingProvider;
  llm?: LLMProvider | undefined;
  prices: PriceTable;
  cache: { threshold: number; ttlMs: number };
  defaultPromptVersion: string;
}

export class QaService {
  readonly cache: SemanticCache<QaAnswer>;
  readonly topic = new TopicBoundary();
  private readonly graph;

  constructor(private readonly options: QaServiceOptions) {
    this.cache = new SemanticCache<QaAnswer>({ ...options.cache, mayShare: mayShareAnswer });
    this.graph = buildQaGraph({ kb: options.kb, llm: options.llm });
    getPrompt('answer', options.defaultPromptVersion);
  }

  get kb(): KbStore {
    return this.options.kb;
  }

  get llm(): LLMProvider | undefined {
    return this.options.llm;
  }

  /** the ingestion in progress: uploads run one after another (see ingest) */
  private ingesting: Promise<unknown> = Promise.resolve();

  /**
   * Indexes a document. Uploads are serialised: two uploads of one name must not interleave their
   * upsert and the removal of the old version's chunks, and the first uploads into a new collection
   * must not race its creation.
   */
  async ingest(input: { name: string; text: string }): Promise<IngestResult> {
    const run = this.ingesting.then(() => this.ingestNow(input));
    this.ingesting = run.catch(() => undefined);
    return run;
  }

  private async ingestNow(input: { name: string; text: string }): Promise<IngestResult> {
    const { headings, ...result } = await this.options.kb.ingest(input);
    this.topic.learn(`${result.title} ${headings.join(' ')}`);
    // answers may now be different
    this.cache.clear();
    return result;
  }

  async query(rawQuestion: string, options: QueryOptions = {}): Promise<QaAnswer> {
    const started = performance.now();
    const promptVersion = options.promptVersion ?? this.options.defaultPromptVersion;
    const prompt = getPrompt('answer', promptVersion);
    const masked = maskPii(rawQuestion.trim());
    const question = masked.text;
    const routing = routeQuestion(question);
    const topic = this.topic.check(question);
    const base = {
      question,
      promptVersion: prompt.id,
      route: routing.route,
      complexity: routing.complexity,
      guardrails: {
        piiMaskedInput: masked.findings,
        piiMaskedOutput: {},
        topic: { allowed: topic.allowed, reason: topic.reason },
        injectionSentencesRemoved: 0,
      },
    };
    if (!topic.allowed) {
      return this.masked({
        ...base,
        answer: `I can only answer questions about the knowledge base (Kubernetes policies, ML operations and this platform): ${topic.reason}.`,
        answerable: false,
        grounded: false,
        refusalReason: 'off_topic',
        citations: [],
        generator: 'none',
        usage: { promptTokens: 0, completionTokens: 0 },
        usageByModel: {},
        costUsd: 0,
        cache: { hit: false },
        steps: ['guard:off_topic'],
        retrieved: [],
        ms: performance.now() - started,
      });
    }
    const topK = options.topK ?? DEFAULT_TOP_K;
    const mode = options.mode ?? 'hybrid';
    // everything besides the question that shapes the answer
    const cacheKey = `${prompt.id}|${mode}|${topK}`;
    const [vector] = await this.options.embedder.embed([question]);
    if (!options.noCache && vector) {
      const hit = this.cache.lookup(vector, cacheKey, question);
      if (hit) {
        return this.masked({
          ...hit.value,
          question,
          guardrails: { ...hit.value.guardrails, piiMaskedInput: masked.findings },
          usage: { promptTokens: 0, completionTokens: 0 },
          usageByModel: {},
          costUsd: 0,
          cache: { hit: true, similarity: hit.similarity, cachedQuestion: hit.question },
          steps: ['guard', 'cache:hit'],
          ms: performance.now() - started,
        });
      }
    }
    const state = await this.graph.invoke({
      question,
      queryVector: vector,
      route: routing.route,
      promptVersion,
      topK,
      mode,
      attempts: 0,
      usage: {},
      generator: 'offline',
      citations: [],
      graded: [],
    });
    const usageByModel: Record<string, Usage> = state.usage ?? {};
    let costUsd = 0;
    const usage = { promptTokens: 0, completionTokens: 0 };
    for (const [model, u] of Object.entries(usageByModel)) {
      costUsd += costOf(model, u, this.options.prices).usd;
      usage.promptTokens += u.promptTokens;
      usage.completionTokens += u.completionTokens;
    }
    const citations: Citation[] = state.citations ?? [];
    const answer = this.masked({
      ...base,
      answer: state.answer ?? NOT_IN_KB,
      answerable: state.answerable ?? false,
      grounded: state.grounded ?? false,
      ...(state.refusalReason ? { refusalReason: state.refusalReason } : {}),
      citations,
      generator: state.answerable ? state.generator : 'none',
      ...(state.model ? { model: state.model } : {}),
      usage,
      usageByModel,
      costUsd,
      cache: { hit: false },
      guardrails: {
        ...base.guardrails,
        injectionSentencesRemoved: state.injectionRemoved ?? 0,
      },
      steps: ['guard', ...(options.noCache ? [] : ['cache:miss']), ...(state.steps ?? [])],
      retrieved: (state.retrieved ?? []).map((h: { chunkId: string; score: number }) => ({
        chunkId: h.chunkId,
        score: h.score,
        relevance: state.relevance?.[h.chunkId],
      })),
      ms: performance.now() - started,
    });
    if (!options.noCache && vector && answer.answerable) this.cache.store(question, vector, cacheKey, answer);
    return answer;
  }

  /**
   * The answer as it leaves the service, on every path (answered, refused, cached): maskPii over
   * every string of it — answer, citation excerpts, titles, headings — with the counts of what was
   * masked in `piiMaskedOutput` (the question was masked on the way in: `piiMaskedInput`).
   */
  private masked(record: Omit<QaAnswer, 'guardrails'> & { guardrails: Omit<QaAnswer['guardrails'], 'piiMaskedOutput'> }): QaAnswer {
    const { question, guardrails, ...output } = record;
    const { value, findings } = maskPiiDeep(output);
    return qaAnswerSchema.parse({
      ...value,
      question: maskPii(question).text,
      guardrails: { ...guardrails, piiMaskedOutput: findings },
    });
  }
}

/** The service wired from the configuration (Weaviate connection made, not yet contacted). */
export async function qaServiceFromConfig(
  config: Config,
  overrides: { collection?: string; llm?: LLMProvider | null } = {},
): Promise<{ qa: QaService; close: () => Promise<void> }> {
  const store = await WeaviateStore.connect(config);
  const embedder = embeddingProviderFromConfig(config);
  const kb = new KbStore(store, embedder, overrides.collection ?? config.qa.collection, { alpha: config.retrieval.alpha });
  const llm = overrides.llm === null ? undefined : (overrides.llm ?? llmProviderFromConfig(config));
  const qa = new QaService({
    kb,
    embedder,
    llm,
    prices: config.qa.prices,
    cache: { threshold: config.qa.cacheThreshold, ttlMs: config.qa.cacheTtlMs },
    defaultPromptVersion: config.qa.promptVersion,
  });
  return { qa, close: () => store.close() };
}

export type { PiiType };
