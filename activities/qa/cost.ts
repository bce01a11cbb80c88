/**
 * Routing and cost: simple questions go to the cheap model, complex ones to the strong model;
 * token counts times the price table give the cost of every answer.
 */
export type Route = 'cheap' | 'strong';

export interface RouteDecision {
  route: Route;
  /** 0–1; ≥ 0.5 routes to the strong model */
  complexity: number;
  reasons: string[];
}

const ANALYTIC =
  /\b(compare|comparison|versus|vs\.?|difference|differ|trade-?offs?|why|explain how|design|architect\w*|pros and cons|when should|which is better|step[- ]by[- ]step|walk me through|relationship|impact)\b/i;

/** Scores how complex a question is from its shape (length, clauses, analytic verbs, several asks). */
export function routeQuestion(question: string): RouteDecision {
  const words = question.split(/\s+/).filter(Boolean);
  const reasons: string[] = [];
  let score = 0;
  if (words.length > 25) {
    score += 0.35;
    reasons.push(`long (${words.length} words)`);
  } else if (words.length > 14) {
    score += 0.15;
    reasons.push(`medium length (${words.length} words)`);
  }
  if (ANALYTIC.test(question)) {
    score += 0.4;
    reasons.push('asks for analysis or comparison');
  }
  const asks = (question.match(/\?/g) ?? []).length;
  const conjunctions = (question.match(/\b(and|also|then|as well as)\b/gi) ?? []).length;
  if (asks > 1) {
    score += 0.5;
    reasons.push(`${asks} questions in one`);
  } else if (conjunctions >= 2) {
    score += 0.25;
    reasons.push('several parts joined');
  }
  const complexity = Math.min(1, score);
  return { route: complexity >= 0.5 ? 'strong' : 'cheap', complexity, reasons: reasons.length ? reasons : ['short factual question'] };
}

export type PriceTable = Record<string, { input: number; output: number }>;

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/**
 * USD for one call: tokens × price per million. A model missing from the table costs 0 and is
 * reported as unpriced (offline answers use no model and cost nothing).
 */
export function costOf(model: string, usage: Usage, prices: PriceTable): { usd: number; priced: boolean } {
  const price = prices[model] ?? prices[model.replace(/-\d{4}-\d{2}-\d{2}$/, '')];
  if (!price) return { usd: 0, priced: false };
  return { usd: (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000, priced: true };
}

/** Sums usage per model. */
export function addUsage(into: Record<string, Usage>, model: string, usage: Usage): void {
  const current = into[model] ?? { promptTokens: 0, completionTokens: 0 };
  into[model] = {
    promptTokens: current.promptTokens + usage.promptTokens,
    completionTokens: current.completionTokens + usage.completionTokens,
  };
}
