/**
 * Evaluation metrics for retrieval and answers. Offline heuristics (word overlap) by default; an
 * LLM judge (judgeWithLlm) when a provider is configured. Used by bench/rag-eval.ts.
 */
import type { LLMProvider } from '../llm/chat';
import { tokenize } from '../llm/embeddings';
import { claimsOf } from './graph';
import { coverage, withoutCitations } from './relevance';

/** Lowercase, no Markdown emphasis or code ticks, whitespace collapsed: how passages are compared. */
export function normalizeForMatch(text: string): string {
  return text.replace(/[*`]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

export function containsPassage(text: string, passage: string): boolean {
  return normalizeForMatch(text).includes(normalizeForMatch(passage));
}

/** 1/rank of the first relevant item within the top k, else 0. */
export function reciprocalRank(relevant: readonly boolean[], k = 5): number {
  const index = relevant.slice(0, k).indexOf(true);
  return index < 0 ? 0 : 1 / (index + 1);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The q-quantile (0–1) with linear interpolation between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] as number;
  const b = sorted[upper] as number;
  return a + (b - a) * (position - lower);
}

/**
 * Context precision (rank-aware, as in RAGAS): the mean of precision@i over the positions i that
 * hold a relevant context; 0 when none is relevant.
 */
export function contextPrecision(relevant: readonly boolean[]): number {
  let hits = 0;
  let sum = 0;
  relevant.forEach((r, i) => {
    if (r) {
      hits++;
      sum += hits / (i + 1);
    }
  });
  return hits === 0 ? 0 : sum / hits;
}

/** Context recall: the share of the ground-truth passage's words present in the retrieved contexts. */
export function contextRecall(passage: string, contexts: readonly string[]): number {
  return coverage(passage, new Set(tokenize(contexts.join(' '))));
}

/**
 * Faithfulness: the share of the answer's claims (sentences up to their citations) whose words are
 * at least `threshold` covered by the contexts. An empty answer has faithfulness 0.
 */
export function faithfulness(answer: string, contexts: readonly string[], threshold = 0.6): number {
  const claims = claimsOf(answer);
  if (claims.length === 0) return 0;
  const words = new Set(tokenize(contexts.join(' ')));
  return claims.filter((c) => coverage(withoutCitations(c), words) >= threshold).length / claims.length;
}

/**
 * Answer relevancy (offline): how much of the question's content the answer addresses, blended with
 * how much of the reference answer it contains: 0.5·coverage(question→answer) + 0.5·coverage(reference→answer).
 */
export function answerRelevancy(question: string, answer: string, reference?: string): number {
  const plain = withoutCitations(answer);
  const q = coverage(question, plain);
  return reference ? 0.5 * q + 0.5 * coverage(reference, plain) : q;
}

export interface JudgeScores {
  faithfulness: number;
  relevancy: number;
}

/** LLM judge: scores faithfulness to the contexts and relevancy to the question, each 0–1. */
export async function judgeWithLlm(
  llm: LLMProvider,
  input: { question: string; answer: string; contexts: readonly string[]; reference?: string },
): Promise<JudgeScores & { usage: { promptTokens: number; completionTokens: number }; model: string }> {
  const reply = await llm.complete({
    model: llm.models.strong,
    messages: [
      {
        role: 'system',
        content:
          'You grade answers of a retrieval-augmented assistant. Reply with JSON only: {"faithfulness": 0..1, "relevancy": 0..1}. faithfulness = share of the answer supported by the contexts; relevancy = how directly the answer addresses the question.',
      },
      {
        role: 'user',
        content: `Question: ${input.question}\n\nContexts:\n${input.contexts.map((c, i) => `[${i + 1}] ${c}`).join('\n\n')}\n\nAnswer: ${input.answer}${input.reference ? `\n\nReference answer: ${input.reference}` : ''}`,
      },
    ],
  });
  const match = /\{[\s\S]*\}/.exec(reply.text);
  const parsed = match ? (JSON.parse(match[0]) as Partial<JudgeScores>) : {};
  const clamp = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.min(1, v)) : Number.NaN);
  return { faithfulness: clamp(parsed.faithfulness), relevancy: clamp(parsed.relevancy), usage: reply.usage, model: reply.model };
}
