/**
 * Guardrails around the document Q&A:
 *
 * - topic boundary: questions must be about the platform's domain (Kubernetes, policies, ML
 *   operations, LLM/RAG engineering). A question none of whose content words belongs to that
 *   domain, or that matches an off-limits category, is refused before any retrieval.
 * - prompt injection inside documents: sentences of retrieved chunks that try to give
 *   instructions ("ignore previous instructions", "you are now…", "reveal the system prompt") are
 *   removed from the context before it reaches a generator, and the LLM prompt fences the context
 *   as data. Document text never changes the instructions.
 */
import { tokenize } from '../llm/embeddings';

/** Domain words (stemmed by tokenize). The indexed documents' own vocabulary is added at run time. */
const DOMAIN_SEED =
  'kubernetes k8s pod container cluster namespace deployment manifest admission webhook opa rego policy policies gatekeeper rbac role binding secret image digest registry helm yaml seccomp apparmor selinux capability privilege security pss baseline restricted corpus fixture deny denial label annotation probe resource limit request network ingress service mlflow temporal weaviate workflow activity worker signal query schedule model train training feature drift monitor retrain champion challenger alias version experiment run metric artifact dataset data pipeline lineage digest ci cd test evaluation accuracy precision recall mrr ranker classifier regressor latency llm prompt token embedding retrieval rag chunk bm25 hybrid vector search cache grounding citation agent langgraph guardrail pii cost routing approval reviewer draft publish pac platform troubleshoot fix patch webhook serving inference batch online gate quality threshold psi jensen shannon kolmogorov chi square alpha rerank';

/** Off-limits categories: refused even when a domain word appears. */
const OFF_LIMITS: { category: string; pattern: RegExp }[] = [
  { category: 'medical advice', pattern: /\b(diagnos\w*|symptom\w*|prescri\w*|dosage|medication)\b/i },
  { category: 'legal advice', pattern: /\b(lawsuit|sue\b|attorney|legal advice)\b/i },
  { category: 'financial advice', pattern: /\b(stock pick\w*|which stocks?|invest(ing)? advice|crypto(currency)? to buy)\b/i },
  { category: 'weapons', pattern: /\b(build|make)\b.{0,20}\b(bomb|weapon|explosive)s?\b/i },
];

export interface TopicVerdict {
  allowed: boolean;
  reason: string;
  /** content words of the question found in the domain vocabulary */
  matched: string[];
}

export class TopicBoundary {
  private readonly vocabulary = new Set<string>(tokenize(DOMAIN_SEED));

  /** Adds the words of indexed documents' titles and headings (not their whole text: too broad). */
  learn(text: string): void {
    for (const token of tokenize(text)) if (token.length > 2) this.vocabulary.add(token);
  }

  check(question: string): TopicVerdict {
    for (const { category, pattern } of OFF_LIMITS) {
      if (pattern.test(question)) return { allowed: false, reason: `outside the assistant's scope (${category})`, matched: [] };
    }
    const tokens = tokenize(question);
    const matched = [...new Set(tokens.filter((t) => this.vocabulary.has(t)))];
    if (tokens.length === 0) return { allowed: false, reason: 'the question has no content words', matched };
    if (matched.length === 0)
      return { allowed: false, reason: 'not about Kubernetes policies, ML operations or the platform (no domain term)', matched };
    return { allowed: true, reason: 'on topic', matched };
  }
}

const INJECTION_PATTERNS: RegExp[] = [
  /\b(ignore|disregard|forget|override)\b.{0,40}\b(previous|prior|above|earlier|all|any|your)\b.{0,30}\b(instructions?|rules?|prompts?|directions?|guidelines?)\b/i,
  /\byou are now\b|\bact as\b.{0,30}\b(assistant|ai|model|dan)\b|\bnew (system )?instructions?\b/i,
  /\b(reveal|print|show|output|repeat)\b.{0,30}\b(system prompt|hidden instructions?|your instructions?)\b/i,
  /\b(system|assistant|developer)\s*:\s*(you|ignore|always|never)\b/i,
  /\b(always|only) (answer|respond|reply|say)\b.{0,40}\b(regardless|no matter|instead)\b/i,
  /<\/?(system|instructions?|prompt)>/i,
];

/** Whether a sentence reads as an instruction aimed at the model. */
export function looksLikeInjection(sentence: string): boolean {
  return INJECTION_PATTERNS.some((p) => p.test(sentence));
}

/** Splits into sentences (keeps list items and headings as their own units). */
export function splitSentences(text: string): string[] {
  return text
    .split(/\n+/)
    .flatMap((line) => line.split(/(?<!\b(?:e\.g|i\.e|vs|etc|cf|approx|incl)\.)(?<=[.!?])\s+(?=[A-Z0-9`"'([*-])/))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The chunk text without injection sentences, and how many were removed. */
export function neutraliseInjection(text: string): { text: string; removed: number } {
  const kept: string[] = [];
  let removed = 0;
  for (const line of text.split(/\n/)) {
    const sentences = line.split(/(?<=[.!?])\s+/);
    const good = sentences.filter((s) => {
      const bad = looksLikeInjection(s);
      if (bad) removed++;
      return !bad;
    });
    kept.push(good.join(' '));
  }
  return { text: kept.join('\n'), removed };
}
