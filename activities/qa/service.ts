/**
 * The document Q&A service: ingest documents into the chunk index, and answer questions through
 * the guardrails (PII masking in and out, topic boundary), the semantic cache, the routing of the
 * question to the cheap or strong model, and the LangGraph graph. Every answer records its prompt
 * version, model, token usage and cost.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { loadKnowledgeBase } from '../../datasets/load';
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
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
import { type IngestResult, KbStore, type SearchMode, type StoredDocument, sourceIdOf } from './store';

/** What the first-use preparation did. */
export interface KnowledgeBaseReport {
  /** shipped documents (source ids) embedded and indexed now: new, or changed since they were indexed */
  indexed: string[];
  /** shipped documents already in the index with the same digest (not embedded again) */
  unchanged: number;
  /** chunks re-embedded because another embedder had filled the collection */
  reembedded: number;
  ms: number;
}

/** The shipped knowledge base (datasets/kb) as documents to index. */
export function shippedKnowledgeBase(): { name: string; text: string }[] {
  return loadKnowledgeBase().map((doc) => ({ name: `${doc.id}.md`, text: readFileSync(doc.file, 'utf8') }));
}

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
      /** the document's file name as indexed, e.g. "model-registry.md" */
      file: z.string().optional(),
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
  /** the shipped knowledge base (datasets/kb), indexed on first use; absent: none */
  shipped?: () => { name: string; text: string }[];
  /** where the ids of shipped documents a user removed are kept, so first use does not bring them back */
  removedShippedFile?: string;
  /** prepare the index on first use (re-embed for this embedder, learn the documents' topics); default: when `shipped` is given */
  prepareIndex?: boolean;
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

  /** the first-use preparation (re-embedding, the shipped knowledge base, topics), once per service */
  private preparing: Promise<KnowledgeBaseReport> | undefined;

  /**
   * Prepares the index on first use, once per service (a failure is retried on the next call):
   * re-embeds the collection if another embedder filled it, indexes every shipped document whose
   * digest is not in the index yet (a changed file replaces its old chunks; an unchanged one is not
   * embedded again), and teaches the topic boundary the titles and headings of every document.
   */
  ensureKnowledgeBase(): Promise<KnowledgeBaseReport> {
    if (!(this.options.prepareIndex ?? this.options.shipped !== undefined))
      return Promise.resolve({ indexed: [], unchanged: 0, reembedded: 0, ms: 0 });
    this.preparing ??= this.prepare();
    this.preparing.catch(() => {
      this.preparing = undefined;
    });
    return this.preparing;
  }

  private async prepare(): Promise<KnowledgeBaseReport> {
    const started = performance.now();
    const kb = this.options.kb;
    const reembedded = await kb.prepare();
    const stored = new Map((await kb.documents()).map((d) => [d.source, d]));
    const report: KnowledgeBaseReport = { indexed: [], unchanged: 0, reembedded, ms: 0 };
    const removed = new Set(this.removedShipped());
    for (const doc of this.options.shipped?.() ?? []) {
      const plan = kb.plan(doc);
      if (removed.has(plan.source)) continue;
      this.topic.learn(`${plan.title} ${plan.headings.join(' ')}`);
      const have = stored.get(plan.source);
      if (have && have.digest === plan.digest && have.chunks === plan.chunks.length && have.staleDigests.length === 0) {
        report.unchanged++;
        continue;
      }
      // a partial earlier write (fewer chunks than the document has) is completed by the same deterministic ids
      const result = await this.enqueue(doc);
      report.indexed.push(result.source);
    }
    for (const doc of await kb.documents()) this.topic.learn(`${doc.title} ${doc.headings.join(' ')}`);
    report.ms = performance.now() - started;
    return report;
  }

  /** Every document in the index (shipped and uploaded). */
  async documents(): Promise<StoredDocument[]> {
    await this.ensureKnowledgeBase();
    return this.options.kb.documents();
  }

  /**
   * Deletes a document's chunks by its source id; returns how many were deleted (0: unknown id). A
   * shipped document removed here stays removed (it is not indexed again on first use) until it is
   * added again.
   */
  async remove(source: string): Promise<{ chunks: number; shipped: boolean }> {
    await this.ensureKnowledgeBase();
    const run = this.ingesting.then(() => this.options.kb.remove(source));
    this.ingesting = run.catch(() => undefined);
    const chunks = await run;
    if (chunks > 0) this.cache.clear();
    const shipped = (this.options.shipped?.() ?? []).some((d) => sourceIdOf(d.name) === source);
    if (shipped && chunks > 0) this.setRemovedShipped([...this.removedShipped().filter((id) => id !== source), source]);
    return { chunks, shipped };
  }

  private removedShipped(): string[] {
    const file = this.options.removedShippedFile;
    if (!file || !existsSync(file)) return [];
    try {
      const parsed = z.array(z.string()).safeParse(JSON.parse(readFileSync(file, 'utf8')));
      return parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
  }

  private setRemovedShipped(ids: string[]): void {
    const file = this.options.removedShippedFile;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    writeAtomic(file, `${JSON.stringify(ids.sort(), null, 1)}\n`);
  }

  /** the ingestion in progress: uploads run one after another (see ingest) */
  private ingesting: Promise<unknown> = Promise.resolve();

  /**
   * Indexes a document. Uploads are serialised: two uploads of one name must not interleave their
   * upsert and the removal of the old version's chunks, and the first uploads into a new collection
   * must not race its creation.
   */
  async ingest(input: { name: string; text: string }): Promise<IngestResult> {
    await this.ensureKnowledgeBase();
    return this.enqueue(input);
  }

  private enqueue(input: { name: string; text: string }): Promise<IngestResult> {
    const run = this.ingesting.then(() => this.ingestNow(input));
    this.ingesting = run.catch(() => undefined);
    return run;
  }

  private async ingestNow(input: { name: string; text: string }): Promise<IngestResult> {
    const { headings, ...result } = await this.ingestWithRetry(input);
    // a removed shipped document added again is kept again
    const removed = this.removedShipped();
    if (removed.includes(result.source)) this.setRemovedShipped(removed.filter((id) => id !== result.source));
    this.topic.learn(`${result.title} ${headings.join(' ')}`);
    // answers may now be different
    this.cache.clear();
    return result;
  }

  /**
   * Writes are idempotent (deterministic ids), so a failed write is tried again: right after another
   * process created the collection, Weaviate may not have its index ready yet ("could not find index").
   */
  private async ingestWithRetry(input: { name: string; text: string }) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.options.kb.ingest(input);
      } catch (error) {
        const name = (error as Error).name;
        if (attempt >= 4 || !['BatchInsertError', 'WeaviateOperationError'].includes(name)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
      }
    }
  }

  async query(rawQuestion: string, options: QueryOptions = {}): Promise<QaAnswer> {
    const started = performance.now();
    await this.ensureKnowledgeBase();
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
  overrides: { collection?: string; llm?: LLMProvider | null; shipped?: boolean } = {},
): Promise<{ qa: QaService; close: () => Promise<void> }> {
  const store = await WeaviateStore.connect(config);
  const embedder = embeddingProviderFromConfig(config);
  const kb = new KbStore(store, embedder, overrides.collection ?? config.qa.collection, { alpha: config.retrieval.alpha });
  const llm = overrides.llm === null ? undefined : (overrides.llm ?? llmProviderFromConfig(config));
  const qa = new QaService({
    kb,
    embedder,
    llm,
    ...((overrides.shipped ?? config.qa.shippedKb) ? { shipped: shippedKnowledgeBase } : {}),
    removedShippedFile: join(config.stateDir, 'qa', `${kb.collection}.removed-shipped.json`),
    prepareIndex: true,
    prices: config.qa.prices,
    cache: { threshold: config.qa.cacheThreshold, ttlMs: config.qa.cacheTtlMs },
    defaultPromptVersion: config.qa.promptVersion,
  });
  return { qa, close: () => store.close() };
}

export type { PiiType };
