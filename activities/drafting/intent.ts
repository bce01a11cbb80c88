/**
 * Reading the intent: which known fields and kinds a request's words name, and which operator
 * and value they ask for (bounds, quoted values, prefixes, patterns, flags, required or forbidden).
 */
import { tokenize } from '../llm/embeddings';
import { type FieldType, KIND_WORDS, LEXICON_ROWS, type Scope } from './lexicon';
import { WORKLOAD_KINDS } from './manifest-paths';
import type { Constraint } from './schemas';

/** A known Kubernetes field: phrases that name it, where it lives, what it holds. */
export type LexiconEntry = {
  phrases: string[];
  scope: Scope;
  path: string[];
  type: FieldType;
  kinds?: string[];
  /** a value that shows a violation / a compliant value, for tests */
  sample?: unknown;
};

export const LEXICON: LexiconEntry[] = LEXICON_ROWS.map(([phrases, scope, path, type, kinds, sample]) => ({
  phrases: phrases.split('|'),
  scope,
  path: Array.isArray(path) ? path : path.split('.'),
  type,
  ...(kinds ? { kinds } : {}),
  ...(sample !== undefined ? { sample } : {}),
}));
const NUMBER = '(-?\\d+(?:\\.\\d+)?)';

function quotedValues(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]+)"|`([^`]+)`|'([^'\s][^']*)'/g)) out.push((m[1] ?? m[2] ?? m[3]) as string);
  return out;
}

function coerce(raw: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

/** A JavaScript test of an RE2 pattern (they agree on the simple patterns the generator writes). */
export function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern).test(text);
  } catch {
    return false;
  }
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type IntentOperator = { operator: Constraint['operator']; value?: Constraint['value']; cue: string };

/** The operator and value the intent's words ask for, given the field's type. */
export function readOperator(intent: string, type: FieldType): IntentOperator {
  const text = intent.toLowerCase();
  const values = quotedValues(intent).map(coerce);
  const num = (re: string) => text.match(new RegExp(re))?.[1];
  const upper = num(
    `(?:more than|greater than|above|over|exceeds?|exceeding|higher than|at most|no more than|maximum of|maximum|max|up to|longer than|larger than)\\s+${NUMBER}`,
  );
  if (upper !== undefined) {
    const inclusive = /(at most|no more than|maximum|max|up to)\s/.test(text);
    return { operator: 'gt', value: Number(upper), cue: inclusive ? 'upper bound (inclusive)' : 'upper bound' };
  }
  const lower = num(`(?:less than|fewer than|below|under|lower than|shorter than|at least|minimum of|minimum|min)\\s+${NUMBER}`);
  if (lower !== undefined) return { operator: 'lt', value: Number(lower), cue: 'lower bound' };
  const negative =
    /\b(must not|mustn't|should not|shouldn't|cannot|can't|may not|never|disallow\w*|forbid\w*|prohibit\w*|block\w*|prevent\w*|not allowed|no longer|reject\w*)\b|\bno\b|\bdeny\b|\bdenies\b/.test(
      text,
    );
  const missing =
    /\b(without|missing|lacks?|lacking|(?:that|which|who) do(?:es)? not (?:set|have|define|specify|declare)|(?:is|are) not set|unset)\b/.test(
      text,
    );
  const requirement = /\b(must (?:set|have|define|specify|declare|include|carry|use)|require[sd]?|mandatory|always set)\b/.test(text);
  const onlyList =
    /\b(only|one of|allow-?list|approved|either)\b/.test(text) ||
    (/\b(allowed|permitted)\b/.test(text) && !/\b(not|never|no longer) (?:be )?(allowed|permitted)\b/.test(text));
  const prefix = text.match(
    /\b(?:start(?:s|ing)? with|begin(?:s|ning)? with|prefix(?:ed)? (?:with|by)?|come from|from)\s+["'`]?([a-z0-9][a-z0-9./:_-]*)/,
  );
  const pattern = intent.match(/\/(\^?[^/\s]+\$?)\//)?.[1];
  if (pattern) return { operator: negative && !onlyList ? 'regex' : 'not-regex', value: pattern, cue: 'regular expression' };
  if (type === 'string' && prefix && !values.length) {
    const prefixValue = `^${escapeRegex(prefix[1] as string)}`;
    return negative && !onlyList
      ? { operator: 'regex', value: prefixValue, cue: 'prefix (forbidden)' }
      : { operator: 'not-regex', value: prefixValue, cue: 'prefix (required)' };
  }
  if (values.length > 1)
    return onlyList && !/\bnot (?:be )?(?:one of|any of)\b/.test(text)
      ? { operator: 'not-in', value: values, cue: 'allowed values' }
      : { operator: 'in', value: values, cue: 'forbidden values' };
  if (values.length === 1) {
    const [value] = values as [string | number | boolean];
    if (onlyList || (requirement && !negative)) return { operator: 'not-equals', value, cue: 'required value' };
    return { operator: 'equals', value, cue: 'forbidden value' };
  }
  if (type === 'boolean') {
    const saysFalse = /\b(false|disabled?|off)\b/.test(text);
    const saysTrue = /\b(true|enabled?|on)\b/.test(text);
    // "must not be true", "must be false", "disable X" → deny true; "must not be false", "must be true" → deny false
    if (negative)
      return saysFalse && !saysTrue
        ? { operator: 'equals', value: false, cue: 'flag must not be disabled' }
        : { operator: 'equals', value: true, cue: 'flag must not be enabled' };
    if (saysFalse) return { operator: 'equals', value: true, cue: 'flag must be disabled' };
    if (missing) return { operator: 'missing', cue: 'required field' };
    return { operator: 'equals', value: false, cue: 'flag must be enabled' };
  }
  if (missing || (requirement && !negative)) return { operator: 'missing', cue: 'required field' };
  return { operator: 'present', cue: 'field must not be set' };
}

/** The kinds a text names. */
export function kindsNamed(text: string): string[] {
  const lower = ` ${text.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ')} `;
  const out: string[] = [];
  for (const [kind, words] of KIND_WORDS) if (words.some((w) => lower.includes(` ${w} `))) out.push(kind);
  // "pod"/"pods" in a workload sense means every workload
  if (out.length === 1 && out[0] === 'Pod' && /\b(workloads?|controllers?)\b/.test(lower)) return [...WORKLOAD_KINDS];
  return out;
}

export function lexiconScore(entry: LexiconEntry, tokens: Set<string>, lowerIntent: string): number {
  let best = 0;
  for (const phrase of entry.phrases) {
    const words = tokenize(phrase);
    if (!words.length) continue;
    if (words.every((w) => tokens.has(w))) best = Math.max(best, words.length * 2);
    else if (lowerIntent.includes(phrase.toLowerCase())) best = Math.max(best, 2);
  }
  // the field's own name as written (camelCase) counts too
  const last = entry.path[entry.path.length - 1] as string;
  if (lowerIntent.includes(last.toLowerCase()) && last.length > 4) best = Math.max(best, 3 + last.length / 10);
  return best;
}
