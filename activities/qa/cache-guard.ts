/**
 * The semantic cache's guard: two questions may share a cached answer only when, besides being
 * similar, they have the same polarity and ask about the same things. The offline embedder drops
 * "not" and sees "allow" and "deny" as two words among many, so "How do I allow privileged
 * containers" and "…deny…" are close vectors with opposite answers.
 *
 * A question's signature:
 * - antonym axes (cache-lexicon.ts): each axis word gives its pole; a negation cue within the three
 *   words before it flips it ("not allowed" = "denied", "must not run as root" = "non-root");
 * - sentence negation: a negation cue not followed by an axis word toggles the question's polarity;
 * - numbers (any token with a digit) and discriminating terms (kinds, resources, engines, …).
 * Two signatures are compatible when all of these are equal. `evaluateCacheDecisions` scores the
 * whole cache decision (similarity threshold and guard) on labelled pairs.
 */
import { ANTONYM_AXES, DISCRIMINATING_TERMS, NEGATION_CUES } from './cache-lexicon';

const NEGATIONS = new Set(NEGATION_CUES);
const TERMS = new Set(DISCRIMINATING_TERMS);
const POLES = new Map<string, { axis: string; pole: 'a' | 'b' }>();
for (const [axis, a, b] of ANTONYM_AXES) {
  for (const word of a) POLES.set(word, { axis, pole: 'a' });
  for (const word of b) POLES.set(word, { axis, pole: 'b' });
}
const NEGATION_WINDOW = 3;

export interface QuestionSignature {
  /** effective pole per antonym axis ("both" when a question names both poles) */
  axes: Record<string, 'a' | 'b' | 'both'>;
  /** an odd number of negations that apply to no axis word */
  negated: boolean;
  numbers: string[];
  terms: string[];
}

/** Lowercase words, camelCase split, contractions and compound antonyms joined ("non-root" → nonroot). */
export function guardWords(text: string): string[] {
  const spaced = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\broot\s+cause/g, ' rootcause ')
    .replace(/\bnon[\s-]?root\b/g, ' nonroot ')
    .replace(/\bread[\s-]?only\b/g, ' readonly ')
    .replace(/\bread[\s-]?write\b/g, ' readwrite ')
    .replace(/\bcan['’]?t\b/g, ' cannot ')
    .replace(/n['’]t\b/g, ' not ');
  return spaced.split(/[^a-z0-9.]+/).flatMap((w) => {
    const word = w.replace(/^\.+|\.+$/g, '');
    return word ? [word] : [];
  });
}

/** Plural folded to the singular for the discriminating terms ("pods" → pod, "policies" → policy). */
function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

export function questionSignature(text: string): QuestionSignature {
  const axes: Record<string, 'a' | 'b' | 'both'> = {};
  let negated = false;
  let pending = 0;
  const numbers = new Set<string>();
  const terms = new Set<string>();
  for (const word of guardWords(text)) {
    if (NEGATIONS.has(word)) {
      if (pending > 0) negated = !negated;
      pending = NEGATION_WINDOW;
      continue;
    }
    const pole = POLES.get(word);
    if (pole) {
      const effective = pending > 0 ? (pole.pole === 'a' ? 'b' : 'a') : pole.pole;
      pending = 0;
      const known = axes[pole.axis];
      axes[pole.axis] = known && known !== effective ? 'both' : effective;
      continue;
    }
    if (pending > 0 && --pending === 0) negated = !negated;
    if (/\d/.test(word)) numbers.add(word);
    else if (TERMS.has(singular(word))) terms.add(singular(word));
  }
  if (pending > 0) negated = !negated;
  return { axes, negated, numbers: [...numbers].sort(), terms: [...terms].sort() };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Why two questions must not share an answer, or undefined when they may. */
export function incompatibility(a: QuestionSignature, b: QuestionSignature): string | undefined {
  if (a.negated !== b.negated) return 'one question is negated';
  const axes = [...new Set([...Object.keys(a.axes), ...Object.keys(b.axes)])];
  for (const axis of axes)
    if (a.axes[axis] !== b.axes[axis]) return `opposite or missing ${axis} (${a.axes[axis] ?? '-'} vs ${b.axes[axis] ?? '-'})`;
  if (!sameSet(a.numbers, b.numbers)) return `different numbers (${a.numbers.join(',') || '-'} vs ${b.numbers.join(',') || '-'})`;
  if (!sameSet(a.terms, b.terms)) return `different subjects (${a.terms.join(',') || '-'} vs ${b.terms.join(',') || '-'})`;
  return undefined;
}

/** The guard as the cache uses it: may an answer cached for `cached` answer `asked`? */
export function mayShareAnswer(cached: string, asked: string): boolean {
  return incompatibility(questionSignature(cached), questionSignature(asked)) === undefined;
}

export interface LabelledPair {
  id: string;
  a: string;
  b: string;
  /** hit: the same question (a paraphrase); miss: a near miss that needs another answer */
  expect: 'hit' | 'miss';
  category: string;
}

export interface CacheDecisionScore {
  threshold: number;
  guard: boolean;
  /** hits served for paraphrases / all served hits */
  precision: number;
  /** paraphrases served / paraphrases */
  recall: number;
  /** near misses that would get the other question's answer */
  servedNearMisses: string[];
}

/** Precision and recall of the cache decision (similarity ≥ threshold, and the guard when on) on labelled pairs. */
export function evaluateCacheDecisions(
  pairs: readonly (LabelledPair & { similarity: number })[],
  threshold: number,
  guard: boolean,
): CacheDecisionScore {
  let served = 0;
  let servedHits = 0;
  const servedNearMisses: string[] = [];
  for (const pair of pairs) {
    const serve = pair.similarity >= threshold && (!guard || mayShareAnswer(pair.a, pair.b));
    if (!serve) continue;
    served++;
    if (pair.expect === 'hit') servedHits++;
    else servedNearMisses.push(pair.id);
  }
  const hits = pairs.filter((p) => p.expect === 'hit').length;
  return {
    threshold,
    guard,
    precision: served === 0 ? 1 : servedHits / served,
    recall: hits === 0 ? 0 : servedHits / hits,
    servedNearMisses,
  };
}

/**
 * The threshold with the best recall among those that serve no near miss (on a 0.01 grid from
 * 0.50 to 0.99); the highest one among equals, so the margin to the near misses is as wide as the
 * data allows. Undefined when every threshold serves a near miss.
 */
export function chooseThreshold(pairs: readonly (LabelledPair & { similarity: number })[], guard: boolean): CacheDecisionScore | undefined {
  let best: CacheDecisionScore | undefined;
  for (let t = 50; t <= 99; t++) {
    const score = evaluateCacheDecisions(pairs, t / 100, guard);
    if (score.servedNearMisses.length > 0) continue;
    if (!best || score.recall >= best.recall) best = score;
  }
  return best;
}
