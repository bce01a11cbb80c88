/**
 * The words of an intent, for the intent reader (intent-rule.ts): how sentences and clauses are
 * cut, which words prohibit, require or exempt, the value patterns an intent writes (image
 * references, cron fields, prefixes, "contains", wildcards), scopes (namespaces, container lists)
 * and what it says about missing fields. Pure functions and regular expressions only.
 */
import type { FieldRef, Mention } from './fields';
import type { Condition } from './schemas';

export type Role = 'violation' | 'requirement' | 'scope' | 'exempt';
export type Claim = {
  field: FieldRef;
  cond: Condition;
  role: Role;
  sentence: number;
  at: number;
  joiner: 'or' | 'and' | undefined;
  group: number;
  via?: Mention['via'];
};

export const PROHIBIT =
  /\b(must not|mustn'?t|may not|can ?not|can'?t|should not|shouldn'?t|never|not allowed|not permitted|(?:is|are) forbidden|forbid\w*|prohibit\w*|disallow\w*|block\w*|reject\w*|den(?:y|ied|ies)|do(?:es)? not allow|don'?t allow|(?:is|are) (?:a )?violations?|do not inject|don'?t keep)\b/i;
export const REQUIRE = /\b(must|has to|have to|needs? to|needs?|required?|requires|should|always|may|only)\b/i;
/** "No container may have …": a prohibition by its subject */
export const NO_SUBJECT = /\b(?:no|nobody|none of the) \w+ (?:may|can|shall|should|is allowed to|are allowed to|gets?)\b/i;
export const EXEMPT =
  /\b(is fine|are fine|remains? fine|is allowed|are allowed|(?:is|are) unaffected|not affected|not restricted|(?:is|are) exempt|do(?:es)? not count|not covered|do(?:es)? not need|always fine|are ok|is ok)\b/i;
/** words right before a field that say it is absent: "without X", "has no X", "a rule with no `from`" */
export const MISSING_BEFORE =
  /\b(?:without|no|lacks?|lacking|missing|does not (?:set|have|define|specify|declare)|do not (?:set|specify|declare)|that declare no)\s+(?:an?\s+|the\s+|any\s+|empty\s+)?(?:[\w-]+\s+)?$/i;
export const PRESENCE_REQUIRED =
  /\b(must|has to|have to|needs? to|should|always)\s+(?:explicitly\s+|both\s+|also\s+)?(set|have|define|declare|specify|carry|include|contain|name)\b|\bneeds?\b|\brequire[sd]?\b|\bmust be present\b/i;
/** an allow-list that also denies a missing field: "must set X to …", "must be present and set to …" */
export const STRICT = /\b(?:must|has to|have to|needs? to)\s+(?:explicitly\s+)?(?:set|declare|specify)\b|\bmust be present\b|\bneeds?\b/i;

export function sentencesOf(intent: string): { start: number; end: number; text: string }[] {
  const out: { start: number; end: number; text: string }[] = [];
  const re = /[^.;!?]+(?:[.;!?](?=\S)[^.;!?]*)*[.;!?]?/g;
  // abbreviations do not end a sentence ("i.e. any container port")
  const masked = intent.replace(/\b(?:i\.e|e\.g|etc|vs|cf)\./gi, (m) => m.replace(/\./g, '_'));
  for (const m of masked.matchAll(re)) {
    const text = intent.slice(m.index ?? 0, (m.index ?? 0) + m[0].length);
    if (!text.trim()) continue;
    out.push({ start: m.index ?? 0, end: (m.index ?? 0) + text.length, text });
  }
  return out;
}

/** Where the clause of a mention starts: after the last clause colon (not a `key: value` colon) of its sentence. */
export function clauseStart(intent: string, sentenceStart: number, at: number): number {
  let start = sentenceStart;
  for (const m of intent.slice(sentenceStart, at).matchAll(/(\S+):\s/g)) {
    if (/[a-z][A-Z]|\.|`$/.test(m[1] as string)) continue;
    start = sentenceStart + (m.index ?? 0) + m[0].length;
  }
  return start;
}

/** "any schedule whose minute field is `*` or `*\/1`": a pattern on one field of a cron schedule. */
export function cronPattern(sentence: string): { value: string; allow: boolean; fixed: boolean } | undefined {
  const m = sentence.match(
    /\b(minute|hour|day[- ]of[- ]month|month|day[- ]of[- ]week) field (?:is|of|equals?)\s+((?:[`"'][^`"']+[`"'](?:,\s*|\s+or\s+)?)+)/i,
  );
  if (!m) return undefined;
  const index = ['minute', 'hour', 'day of month', 'month', 'day of week'].indexOf((m[1] as string).toLowerCase().replace(/-/g, ' '));
  const values = [...(m[2] as string).matchAll(/[`"']([^`"']+)[`"']/g)].map((v) => (v[1] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return { value: `^\\s*${'\\S+\\s+'.repeat(Math.max(0, index))}(?:${values.join('|')})(?:\\s|$)`, allow: false, fixed: true };
}

/** A pattern the words ask for: a prefix ("from ghcr.io/acme/ or …", "/var/log itself or paths below it"), "contains …", a wildcard. */
export function readPattern(pre: string, post: string): { value: string; allow: boolean; fixed?: boolean } | undefined {
  const text = `${pre} ${post}`;
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const below = text.match(/(\/[\w./-]+?)\/?\s+itself or (?:any )?paths? (?:below|under|beneath) it/i);
  if (below) return { value: `^${esc(below[1] as string)}(/|$)`, allow: /\bonly\b/i.test(text) };
  const contains = text.match(/\bcontains?\s+["'`]([^"'`]+)["'`](?:,?\s+in any (?:letter )?case)?/i);
  if (contains)
    return { value: `${/any (?:letter )?case|case-insensitive/i.test(text) ? '(?i)' : ''}${esc(contains[1] as string)}`, allow: false };
  const from = text.match(
    /\b(?:pull(?:ed)? from|come from|from|start(?:s|ing)? with|begin(?:s|ning)? with|prefix(?:ed)? (?:with|by)?)\s+((?:[`"']?[a-z0-9][\w.:-]*\/[\w./-]*[`"']?(?:,\s*|\s+or\s+)?)+)/i,
  );
  if (from) {
    const prefixes = (from[1] as string)
      .split(/,\s*|\s+or\s+/)
      .map((p) => p.replace(/[`"']/g, '').trim())
      .filter(Boolean);
    if (prefixes.length) return { value: `^(${prefixes.map(esc).join('|')})`, allow: /\bonly\b/i.test(text) };
  }
  const slash = text.match(/\/(\^?[^/\s]+\$?)\//);
  if (slash && /[\\^$*]/.test(slash[1] as string)) return { value: slash[1] as string, allow: false };
  if (/\bwildcard\b/i.test(post) || /\bwildcard\b/i.test(pre.slice(-20))) return { value: '^\\*', allow: false };
  return undefined;
}

export const DOCKER_HUB = '^(?:(?:docker\\.io|index\\.docker\\.io|registry-1\\.docker\\.io)/|[^./:]+(?::[^/]*)?(?:@.*)?$|[^./:]+/[^/]+$)';

/**
 * What an intent says about image references: Docker Hub (with short names that resolve to it),
 * a digest pin, an explicit tag (untagged and :latest denied; a digest pin is fine).
 */
export function imagePattern(sentence: string): { value: string; allow: boolean; fixed: boolean } | undefined {
  const fixed = (value: string, allow: boolean) => ({ value, allow, fixed: true });
  if (/\bdocker ?hub\b|\bdocker\.io\b/i.test(sentence)) return fixed(DOCKER_HUB, /\bonly\b/i.test(sentence));
  const from = sentence.match(
    /\b(?:pull(?:ed)?|come|comes|be pulled) from\s+((?:[`"']?[a-z0-9][\w.:-]*\/[\w./-]*[`"']?(?:,\s*|\s+or\s+)?)+)/i,
  );
  if (from) {
    const prefixes = (from[1] as string)
      .split(/,\s*|\s+or\s+/)
      .map((p) => p.replace(/[`"']/g, '').trim())
      .filter(Boolean);
    return fixed(`^(${prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, /\bonly\b/i.test(sentence));
  }
  if (/\bpinned by (?:an? )?(?:immutable )?(?:sha256 )?digest\b[^.;]*\b(?:must|not enough|required)|\bmust be pinned by\b/i.test(sentence))
    return fixed('@sha256:[a-f0-9]{64}$', true);
  const latest = /:latest\b|\blatest tag\b/i.test(sentence);
  const untagged = /\buntagged\b|\bwithout a tag\b|\bexplicit (?:version )?tag\b/i.test(sentence);
  if (latest && untagged) return fixed('^(?:[^/@]+/)*[^/:@]+(?::latest)?$', false);
  if (latest) return fixed(':latest$', false);
  if (untagged) return fixed('^(?:[^/@]+/)*[^/:@]+$', false);
  return undefined;
}

/** "(serviceAccountName unset or "default")", "unset means 1", "Leaving it unset means Allow, which is denied", "a missing class is denied". */
export function missingStatements(sentences: { text: string; start: number; end: number }[], claims: Claim[], mentions: Mention[]): void {
  for (const [i, s] of sentences.entries()) {
    const text = s.text;
    const mine = claims.filter((c) => c.sentence === i);
    const named = mentions.filter((m) => m.start >= s.start && m.start < s.end).map((m) => m.fields[0]?.path.join('.'));
    const target =
      claims.find((c) => c.role !== 'exempt' && named.includes(c.cond.path.join('.'))) ??
      mine[0] ??
      claims.filter((c) => c.sentence < i && c.role === 'violation').slice(-1)[0];
    if (!target || target.cond.operator === 'missing' || target.cond.operator === 'present') continue;
    const means = text.match(
      /\b(?:unset|missing|omitted|absent|not set)\b(?:[^.;]|\.(?=\w))*?\b(?:means|counts as|is treated as|defaults to)\s+["'`]?([\w-]+(?:\.\d+)?)/i,
    );
    const denied =
      /\b(?:unset|missing|without|omit\w*|leav\w+ (?:\w+ )?unset)\b[^.;]*\b(?:is|are) (?:denied|rejected|a violation|not allowed)|\bmust explicitly\b|\bmust be present\b/i.test(
        text,
      );
    const fine =
      /\b(?:unset|missing|without|omit\w*|leav\w+ (?:\w+ )?(?:unset|out)|do(?:es)? not (?:specify|set))\b[^.;]*\b(?:fine|allowed|unaffected|not affected)\b/i.test(
        text,
      );
    if (fine && !denied) continue;
    let deny = denied;
    if (means) {
      const raw = means[1] as string;
      const value = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw === 'true' || raw === 'false' ? raw === 'true' : raw;
      deny = deny || defaultViolates(target.cond, value);
    }
    if (deny) target.cond.ifMissing = 'deny';
  }
}

export function defaultViolates(cond: Condition, value: unknown): boolean {
  const v = cond.value;
  switch (cond.operator) {
    case 'equals':
      return value === v;
    case 'not-equals':
      return value !== v;
    case 'in':
      return Array.isArray(v) && v.includes(value as never);
    case 'not-in':
      return Array.isArray(v) && !v.includes(value as never);
    case 'gt':
      return typeof value === 'number' && value > (v as number);
    case 'gte':
      return typeof value === 'number' && value >= (v as number);
    case 'lt':
      return typeof value === 'number' && value < (v as number);
    case 'lte':
      return typeof value === 'number' && value <= (v as number);
    default:
      return false;
  }
}

/** Namespace scopes: "outside the kube-system namespace", "only … in the `ml` namespace may …". */
export function namespaceScope(intent: string): Condition | undefined {
  const outside = intent.match(/\boutside (?:of )?(?:the )?[`"']?([a-z0-9-]+)[`"']? namespace/i);
  const only = intent.match(/\bonly\b[^.;]*?\bin (?:the )?[`"']?([a-z0-9-]+)[`"']? namespace/i);
  const reserved = intent.match(/\b(?:reserved|restricted) (?:for|to) (?:the )?[`"']?([a-z0-9-]+)[`"']? namespace/i);
  const ns = (outside ?? only ?? reserved)?.[1];
  if (!ns) return undefined;
  return {
    scope: 'object',
    path: ['metadata', 'namespace'],
    operator: 'not-equals',
    value: ns,
    ...(ns !== 'default' ? { ifMissing: 'deny' } : {}),
  };
}

/** Container lists the intent restricts the rule to ("application containers (spec.containers)", "init containers are exempt"). */
export function listsOf(intent: string): Condition['lists'] {
  if (
    /\binit ?containers?\b[^.;]*\b(?:are exempt|do not count|does not count|excluded|not covered)|\bspec(?:\.template\.spec)?\.containers\b|\bapplication containers\b/i.test(
      intent,
    ) &&
    !/\binit containers? (?:included|too)\b/i.test(intent)
  )
    return ['containers'];
  return undefined;
}

/** "must not use the `hostpath` StorageClass, whether it is named in A or in B": a value the sentence states once for every field it names. */
export function sentenceValues(intent: string, sentences: { start: number; end: number; text: string }[], claims: Claim[]): void {
  for (const c of claims) {
    if (c.cond.operator !== 'present' || c.role === 'scope' || c.field.type === 'object' || c.field.type === 'list') continue;
    const text = sentences[c.sentence]?.text ?? '';
    const values = [...text.matchAll(/`([^`]+)`|"([^"]+)"/g)]
      .map((m) => (m[1] ?? m[2]) as string)
      .filter((v) => !claims.some((o) => o.cond.path.at(-1) === v));
    if (!values.length) continue;
    c.cond =
      values.length > 1 ? { ...c.cond, operator: 'in', value: values } : { ...c.cond, operator: 'equals', value: values[0] as string };
  }
  void intent;
}

export function parenthesisedList(intent: string, m: Mention): boolean {
  const open = intent.lastIndexOf('(', m.start);
  const close = intent.indexOf(')', m.end);
  if (open < 0 || close < 0 || intent.slice(open, m.start).includes(')')) return false;
  return intent.slice(open, close).includes(',');
}
