/**
 * The document Q&A as a LangGraph state graph:
 *
 *   retrieve (hybrid) → grade → generate (with citations) → ground ─┬→ answer
 *                          └─ nothing relevant → refuse               ├→ generate again (once, offline extractive)
 *                                                                     └→ refuse
 *
 * Every node has an offline implementation (lexical grading, extractive answers with citations,
 * grounding by word overlap with the cited passages); when an LLM provider is configured it
 * grades, generates and checks instead, with the versioned prompt templates. Retrieved text is
 * cleaned of instruction-like sentences before it reaches any generator.
 */
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import type { LLMProvider } from '../llm/chat';
import { tokenize } from '../llm/embeddings';
import type { Route, Usage } from './cost';
import { addUsage } from './cost';
import { neutraliseInjection, splitSentences } from './guardrails';
import { maskPii } from './pii';
import { getPrompt, type PromptTemplate, renderPrompt } from './prompts';
import { citationsIn, coverage, idfWeights, withoutCitations } from './relevance';
import type { ChunkHit, KbStore, SearchMode } from './store';

export const NOT_IN_KB = 'The knowledge base does not contain an answer to this question.';

export interface Citation {
  /** the [n] used in the answer */
  n: number;
  chunkId: string;
  source: string;
  /** the document's file name as indexed (e.g. "model-registry.md"); absent in chunks indexed before it was recorded */
  file?: string;
  position: number;
  title: string;
  heading: string;
  /** the passage text the answer relies on (the cited sentences, or the chunk start) */
  excerpt: string;
}

export interface GradedChunk extends ChunkHit {
  relevance: number;
  /** instruction-like sentences removed from the text */
  injectionRemoved: number;
}

const QaState = Annotation.Root({
  question: Annotation<string>,
  queryVector: Annotation<number[] | undefined>,
  route: Annotation<Route>,
  model: Annotation<string | undefined>,
  promptVersion: Annotation<string>,
  topK: Annotation<number>,
  mode: Annotation<SearchMode>,
  retrieved: Annotation<ChunkHit[]>,
  graded: Annotation<GradedChunk[]>,
  /** instruction-like sentences removed from the retrieved chunks */
  injectionRemoved: Annotation<number>,
  /** offline relevance of every retrieved chunk, by chunk id */
  relevance: Annotation<Record<string, number>>,
  draft: Annotation<string>,
  citations: Annotation<Citation[]>,
  generator: Annotation<'offline' | 'llm'>,
  grounded: Annotation<boolean>,
  groundingScore: Annotation<number>,
  attempts: Annotation<number>,
  answer: Annotation<string>,
  answerable: Annotation<boolean>,
  refusalReason: Annotation<string | undefined>,
  usage: Annotation<Record<string, Usage>>,
  steps: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});
export type QaGraphState = typeof QaState.State;

export interface GraphDeps {
  kb: KbStore;
  llm?: LLMProvider | undefined;
  /** minimum offline grade to keep a chunk */
  gradeThreshold?: number;
  /** minimum share of an answer sentence's words found in its cited passages */
  groundingThreshold?: number;
}

/** Offline grade: idf-weighted share of the question's words in the chunk (title and heading count). */
export function gradeOffline(question: string, chunks: readonly ChunkHit[]): GradedChunk[] {
  const idf = idfWeights(chunks.map((c) => `${c.title} ${c.heading} ${c.text}`));
  return chunks.map((c) => {
    const clean = neutraliseInjection(c.text);
    return {
      ...c,
      text: clean.text,
      injectionRemoved: clean.removed,
      relevance: coverage(question, `${c.title} ${c.heading} ${clean.text}`, idf),
    };
  });
}

/**
 * The Markdown heading in force where a sentence of a chunk stands (a chunk may span several
 * sections); the chunk's starting heading when the chunk text has none before it.
 */
export function headingOfSentence(chunk: { text: string; heading: string }, sentence: string): string {
  const at = chunk.text.indexOf(sentence);
  if (at < 0) return chunk.heading;
  const upTo = chunk.text.slice(0, at) + (/^\s*#{1,6}\s+[^\n]+/.exec(sentence)?.[0] ?? '');
  const headings = [...upTo.matchAll(/(?:^|\n)\s*#{1,6}\s+([^\n#]+?)\s*#*\s*(?=\n|$)/g)];
  return headings.length > 0 ? ((headings[headings.length - 1] as RegExpExecArray)[1] as string).trim() : chunk.heading;
}

/** Offline generation: the best-matching sentences of the relevant chunks, each with its citation. */
export function extractiveAnswer(
  question: string,
  chunks: readonly GradedChunk[],
  settings: { maxSentences: number; minSentenceScore: number; maxPerChunk?: number },
): { text: string; citations: Citation[] } {
  const idf = idfWeights(chunks.map((c) => c.text));
  const candidates: { sentence: string; raw: string; chunk: GradedChunk; score: number; order: number }[] = [];
  chunks.forEach((chunk) => {
    splitSentences(chunk.text).forEach((sentence, order) => {
      const plain = sentence
        .replace(/^[#>*\-\s|]+/, '')
        .replace(/\*\*/g, '')
        .trim();
      if (plain.split(/\s+/).length < 6 || /^```/.test(plain) || /\|\s*---/.test(plain)) return;
      const score = 0.75 * coverage(question, plain, idf) + 0.25 * chunk.relevance;
      candidates.push({ sentence: plain, raw: sentence, chunk, score, order });
    });
  });
  candidates.sort((a, b) => b.score - a.score);
  const chosen: typeof candidates = [];
  const perChunk = new Map<string, number>();
  for (const c of candidates) {
    if (chosen.length >= settings.maxSentences || c.score < settings.minSentenceScore) break;
    const used = perChunk.get(c.chunk.chunkId) ?? 0;
    if (settings.maxPerChunk !== undefined && used >= settings.maxPerChunk) continue;
    if (chosen.some((x) => x.sentence === c.sentence)) continue;
    perChunk.set(c.chunk.chunkId, used + 1);
    chosen.push(c);
  }
  const citations: Citation[] = [];
  const numberOf = (chunk: GradedChunk, raw: string) => {
    let cite = citations.find((x) => x.chunkId === chunk.chunkId);
    if (!cite) {
      cite = {
        n: citations.length + 1,
        chunkId: chunk.chunkId,
        source: chunk.source,
        ...(chunk.file ? { file: chunk.file } : {}),
        position: chunk.position,
        title: chunk.title,
        heading: headingOfSentence(chunk, raw),
        excerpt: '',
      };
      citations.push(cite);
    }
    return cite;
  };
  const parts = chosen.map((c) => {
    const cite = numberOf(c.chunk, c.raw);
    cite.excerpt = cite.excerpt ? `${cite.excerpt} ${c.sentence}` : c.sentence;
    const body = c.sentence.replace(/[.!?:;,]+$/, '');
    return `${body} [${cite.n}].`;
  });
  return { text: parts.join(' '), citations };
}

/** Offline grounding: every answer sentence must cite valid passages that contain most of its words. */
export function groundingOffline(
  answer: string,
  citations: readonly Citation[],
  chunks: readonly GradedChunk[],
): { grounded: boolean; score: number } {
  const sentences = claimsOf(answer);
  if (sentences.length === 0) return { grounded: false, score: 0 };
  let min = 1;
  for (const sentence of sentences) {
    const cited = citationsIn(sentence);
    const texts = cited
      .map((n) => citations.find((c) => c.n === n))
      .map((c) => chunks.find((k) => k.chunkId === c?.chunkId)?.text)
      .filter((t): t is string => typeof t === 'string');
    if (cited.length === 0 || texts.length !== cited.length) return { grounded: false, score: 0 };
    const support = coverage(withoutCitations(sentence), new Set(tokenize(texts.join(' '))));
    min = Math.min(min, support);
  }
  return { grounded: min >= 0.6, score: min };
}

/**
 * The first ~300 characters of a passage, masked before it is cut (a phone number cut in half
 * would no longer look like one) and cut at a word boundary.
 */
export function excerptOf(text: string, max = 300): string {
  const masked = maskPii(text).text;
  if (masked.length <= max) return masked;
  const cut = masked.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** The question without PII placeholders ([EMAIL] …), which say nothing about the topic. */
export function searchText(question: string): string {
  return question
    .replace(/\[[A-Z_]+\]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The claims of an answer: each stretch of text up to and including its citation markers; text
 * after the last citation is a claim without citations.
 */
export function claimsOf(answer: string): string[] {
  const claims: string[] = [];
  let rest = answer;
  for (const m of answer.matchAll(/[\s\S]*?(?:\s*\[\d{1,3}\])+[.!?]?/g)) {
    if (m[0].trim()) claims.push(m[0].trim());
    rest = rest.slice(m[0].length);
  }
  if (tokenize(rest).length > 0) claims.push(rest.trim());
  return claims;
}

function contextBlock(chunks: readonly GradedChunk[]): string {
  return chunks.map((c, i) => `[${i + 1}] (${c.source}, ${c.heading || c.title})\n${c.text.replace(/<\/?context>/gi, '')}`).join('\n\n');
}

function parseJson<T>(text: string): T | undefined {
  const match = /\{[\s\S]*\}/.exec(text);
  if (!match) return undefined;
  try {
    return JSON.parse(match[0]) as T;
  } catch {
    return undefined;
  }
}

export function buildQaGraph(deps: GraphDeps) {
  const gradeThreshold = deps.gradeThreshold ?? 0.45;
  const groundingThreshold = deps.groundingThreshold ?? 0.6;
  const llm = deps.llm;

  const retrieve = async (s: QaGraphState) => {
    const hits = await deps.kb.search(searchText(s.question), {
      mode: s.mode,
      limit: s.topK,
      ...(s.queryVector ? { vector: s.queryVector } : {}),
    });
    return { retrieved: hits, steps: ['retrieve'] };
  };

  const grade = async (s: QaGraphState) => {
    const offline = gradeOffline(searchText(s.question), s.retrieved);
    const relevance = Object.fromEntries(offline.map((c) => [c.chunkId, c.relevance]));
    const injectionRemoved = offline.reduce((n, c) => n + c.injectionRemoved, 0);
    if (!llm || offline.length === 0) {
      return { graded: offline.filter((c) => c.relevance >= gradeThreshold), relevance, injectionRemoved, steps: ['grade:offline'] };
    }
    const template = getPrompt('grade');
    const usage = { ...s.usage };
    try {
      const reply = await llm.complete({
        model: llm.models.cheap,
        messages: [{ role: 'user', content: renderPrompt(template, { question: s.question, context: contextBlock(offline) }) }],
      });
      addUsage(usage, reply.model, reply.usage);
      const parsed = parseJson<{ relevant?: unknown }>(reply.text);
      if (parsed && Array.isArray(parsed.relevant)) {
        const keep = new Set(parsed.relevant.map(Number));
        return { graded: offline.filter((_, i) => keep.has(i + 1)), relevance, injectionRemoved, usage, steps: ['grade:llm'] };
      }
    } catch {
      // fall through to the offline grade
    }
    return {
      graded: offline.filter((c) => c.relevance >= gradeThreshold),
      relevance,
      injectionRemoved,
      usage,
      steps: ['grade:offline-fallback'],
    };
  };

  const generate = async (s: QaGraphState) => {
    const template: PromptTemplate = getPrompt('answer', s.promptVersion);
    const offlineSettings = template.offline ?? { maxSentences: 3, minSentenceScore: 0.25 };
    const attempts = (s.attempts ?? 0) + 1;
    // a second attempt always uses the extractive generator, which quotes its passages
    if (llm && attempts === 1) {
      const usage = { ...s.usage };
      const model = s.route === 'strong' ? llm.models.strong : llm.models.cheap;
      try {
        const reply = await llm.complete({
          model,
          messages: [{ role: 'user', content: renderPrompt(template, { question: s.question, context: contextBlock(s.graded) }) }],
        });
        addUsage(usage, reply.model, reply.usage);
        const text = reply.text.trim();
        const citations: Citation[] = s.graded.map((c, i) => ({
          n: i + 1,
          chunkId: c.chunkId,
          source: c.source,
          ...(c.file ? { file: c.file } : {}),
          position: c.position,
          title: c.title,
          heading: c.heading,
          excerpt: excerptOf(c.text),
        }));
        const used = new Set(citationsIn(text));
        return {
          draft: text,
          citations: citations.filter((c) => used.has(c.n)),
          generator: 'llm' as const,
          model: reply.model,
          usage,
          attempts,
          steps: ['generate:llm'],
        };
      } catch {
        // fall back to the extractive answer below
      }
    }
    const { text, citations } = extractiveAnswer(searchText(s.question), s.graded, offlineSettings);
    return { draft: text, citations, generator: 'offline' as const, attempts, steps: ['generate:offline'] };
  };

  const ground = async (s: QaGraphState) => {
    if (!s.draft || /NOT_IN_KB/.test(s.draft)) return { grounded: false, groundingScore: 0, steps: ['ground:empty'] };
    const offline = groundingOffline(s.draft, s.citations, s.graded);
    if (!llm || s.generator === 'offline')
      return {
        grounded: offline.grounded && offline.score >= groundingThreshold,
        groundingScore: offline.score,
        steps: ['ground:offline'],
      };
    const usage = { ...s.usage };
    try {
      const reply = await llm.complete({
        model: llm.models.cheap,
        messages: [
          {
            role: 'user',
            content: renderPrompt(getPrompt('grounding'), { context: contextBlock(s.graded), answer: s.draft }),
          },
        ],
      });
      addUsage(usage, reply.model, reply.usage);
      const parsed = parseJson<{ grounded?: unknown }>(reply.text);
      if (parsed && typeof parsed.grounded === 'boolean') {
        return { grounded: parsed.grounded && s.citations.length > 0, groundingScore: offline.score, usage, steps: ['ground:llm'] };
      }
    } catch {
      // offline verdict below
    }
    return { grounded: offline.grounded, groundingScore: offline.score, usage, steps: ['ground:offline-fallback'] };
  };

  const answer = async (s: QaGraphState) => ({ answer: s.draft, answerable: true, refusalReason: undefined, steps: ['answer'] });

  const refuse = async (s: QaGraphState) => ({
    answer: NOT_IN_KB,
    answerable: false,
    citations: [],
    refusalReason:
      s.retrieved.length === 0
        ? 'nothing is indexed that matches'
        : s.graded.length === 0
          ? 'no retrieved passage is relevant enough'
          : 'the generated answer was not supported by the passages',
    steps: ['refuse'],
  });

  return new StateGraph(QaState)
    .addNode('retrieve', retrieve)
    .addNode('grade', grade)
    .addNode('generate', generate)
    .addNode('ground', ground)
    .addNode('respond', answer)
    .addNode('refuse', refuse)
    .addEdge(START, 'retrieve')
    .addEdge('retrieve', 'grade')
    .addConditionalEdges('grade', (s: QaGraphState) => (s.graded.length > 0 ? 'generate' : 'refuse'), ['generate', 'refuse'])
    .addEdge('generate', 'ground')
    .addConditionalEdges(
      'ground',
      (s: QaGraphState) => (s.grounded ? 'respond' : s.attempts < 2 && s.generator === 'llm' ? 'generate' : 'refuse'),
      ['respond', 'generate', 'refuse'],
    )
    .addEdge('respond', END)
    .addEdge('refuse', END)
    .compile();
}
