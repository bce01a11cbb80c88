/**
 * How an intent writes values: numbers (digits or words) with units (Kubernetes quantities, CPU
 * cores, durations), comparison phrases ("more than", "no greater than", "1024 or higher"),
 * literal values (quoted, `key: value`, identifiers such as ExternalName or NET_BIND_SERVICE) and
 * flags (true, enabled, disabled). Pure functions over a window of text.
 */
import { parseQuantity } from '../../lib/quantity';

const NUMBER_WORDS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  hundred: 100,
};
const NUM = String.raw`(\d+(?:\.\d+)?|${Object.keys(NUMBER_WORDS).join('|')})`;
const UNIT = String.raw`\s*(Ki|Mi|Gi|Ti|Pi|Ei|[kKMGTPE]i?|m|cores?|cpus?|millicores?|seconds?|secs?|s|minutes?|mins?|hours?|h|days?|d|%)?\b`;

/** How a field's numbers are written: plain numbers, Kubernetes quantities, or durations in seconds. */
export type NumberKind = 'plain' | 'quantity' | 'seconds';

const DURATION: Record<string, number> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hour: 3600, d: 86400, day: 86400 };

/** A number with its unit, in the field's own terms (bytes or cores for quantities, seconds for durations). */
export function toFieldNumber(raw: string, unit: string | undefined, kind: NumberKind): number | undefined {
  const n = NUMBER_WORDS[raw.toLowerCase()] ?? Number(raw);
  if (!Number.isFinite(n)) return undefined;
  const u = (unit ?? '').trim();
  if (kind === 'seconds') {
    const key = u
      .toLowerCase()
      .replace(/s$/, '')
      .replace(/^secs?$/, 's');
    return u ? (DURATION[key] ?? (key === 'minute' ? 60 : 1)) * n : n;
  }
  if (kind === 'quantity') {
    if (/^(cores?|cpus?)$/i.test(u) || !u) return n;
    if (/^millicores?$/i.test(u)) return n / 1000;
    return parseQuantity(`${raw}${u}`);
  }
  return n;
}

/**
 * A comparison the words make: `zone` is where the phrase puts the value ("at most 10" → lte 10),
 * `good` says the phrase names the allowed zone by its nature ("at least", "no more than",
 * "N or higher") rather than a threshold ("more than", "below").
 */
export type Bound = { zone: 'gt' | 'lt' | 'gte' | 'lte'; value: number; good: boolean; at: number; text: string };

const BOUND_PHRASES: [RegExp, Bound['zone'], boolean][] = [
  [
    /\b(?:no more than|not more than|no greater than|not greater than|no higher than|no larger than|no longer than|at most|up to|maximum of|a maximum of|max(?:imum)?|within|not (?:to )?exceed(?:ing)?)\s+/,
    'lte',
    true,
  ],
  [/\b(?:no less than|not less than|no fewer than|at least|minimum of|a minimum of|min(?:imum)?)\s+/, 'gte', true],
  [/\b(?:more than|greater than|above|over|exceeds?|exceeding|higher than|larger than|longer than|bigger than)\s+/, 'gt', false],
  [/\b(?:less than|fewer than|below|under|lower than|shorter than|smaller than)\s+/, 'lt', false],
];

/** The first comparison in the window, with the number in the field's terms. */
export function readBound(window: string, kind: NumberKind): Bound | undefined {
  const found: Bound[] = [];
  for (const [phrase, zone, good] of BOUND_PHRASES) {
    const re = new RegExp(`${phrase.source}${NUM}${UNIT}`, 'gi');
    for (const m of window.matchAll(re)) {
      const value = toFieldNumber(m[1] as string, m[2], kind);
      if (value !== undefined) found.push({ zone, value, good, at: m.index ?? 0, text: m[0] });
    }
  }
  const after = new RegExp(
    `${NUM}${UNIT}\\s*(?:or|and)\\s+(higher|more|greater|above|over|larger|up|lower|less|fewer|below|under|smaller)\\b`,
    'gi',
  );
  for (const m of window.matchAll(after)) {
    const value = toFieldNumber(m[1] as string, m[2], kind);
    const up = /higher|more|greater|above|over|larger|up/.test((m[3] as string).toLowerCase());
    if (value !== undefined) found.push({ zone: up ? 'gte' : 'lte', value, good: true, at: m.index ?? 0, text: m[0] });
  }
  return found.sort((a, b) => a.at - b.at)[0];
}

/** The opposite comparison: where the value must not be, given where it must be. */
export function complement(zone: Bound['zone']): Bound['zone'] {
  return ({ gt: 'lte', lte: 'gt', lt: 'gte', gte: 'lt' } as const)[zone];
}

export type Literal = { value: string | number | boolean; at: number; quoted: boolean };

const COMMON_CAPITALISED = new Set([
  'The',
  'A',
  'An',
  'Any',
  'Every',
  'All',
  'No',
  'Only',
  'If',
  'When',
  'Do',
  'Don',
  'We',
  'This',
  'That',
  'Pods',
  'Containers',
  'Images',
  'Nobody',
  'Other',
  'Leaving',
  'Explicitly',
  'Treat',
  'Block',
  'Reject',
  'Deny',
  'Linux',
  'Kubernetes',
  'Docker',
  'Hub',
  'CVE',
  'TLS',
  'DNS',
  'IP',
  'Pod',
  'Security',
  'Startup',
  'Adding',
  'Omitting',
  'Secrets',
  'AND',
  'OR',
  'NOT',
  'ALL',
  'NVIDIA',
]);

/** An identifier-like value: ExternalName, ClientIP, NET_BIND_SERVICE, nginx-internal, kubernetes.io/basic-auth, /var/log. */
const VALUE_TOKEN =
  /(?<![\w./-])(\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}|[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+|[A-Z][a-z]{2,}|[A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{3,}|[a-z0-9]+(?:-[a-z0-9]+)+|[a-z0-9][a-z0-9.-]*\.[a-z]{2,}\/[\w./-]*|\/[\w./-]+|\d+%)(?![\w-])/g;

function coerce(raw: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

const LINKED = /(?:^|\b(?:is|are|be|to|of|as|named|called|with|use|uses|using|either|or|and|than|the|not|never|only|except)\b|[:=,(])\s*$/i;

/** Literal values in a window: quoted ones, the value of `key: value`, and identifier-like words after a linking word. */
export function readLiterals(window: string, exclude: (token: string) => boolean = () => false, keyValue = true): Literal[] {
  const out: Literal[] = [];
  const taken: [number, number][] = [];
  for (const m of window.matchAll(/"([^"]+)"|`([^`]+)`|'([^'\s]+)'/g)) {
    const raw = (m[1] ?? m[2] ?? m[3]) as string;
    taken.push([m.index ?? 0, (m.index ?? 0) + m[0].length]);
    if (/^[:@]|\.\.\.|</.test(raw)) continue;
    out.push({ value: coerce(raw), at: m.index ?? 0, quoted: true });
  }
  const free = (at: number) => !taken.some(([a, b]) => at >= a && at < b);
  const colon = keyValue ? window.match(/^\s*:\s*([A-Za-z0-9_./%-]+)/) : null;
  if (colon && free(window.indexOf(colon[1] as string)))
    out.push({ value: coerce(colon[1] as string), at: window.indexOf(colon[1] as string), quoted: true });
  // "to 0", "is 3": a bare number written as the value
  for (const m of window.matchAll(
    /\b(?:to|is|be|equals?|of)\s+(-?\d+(?:\.\d+)?)(?![\w.%/]|\s*(?:%|seconds?|minutes?|hours?|cores?|replicas?))/g,
  )) {
    const at = (m.index ?? 0) + m[0].length - (m[1] as string).length;
    if (free(at)) out.push({ value: Number(m[1]), at, quoted: false });
  }
  // "either gvisor or kata", "one of a, b or c": bare lowercase words listed as values
  for (const m of window.matchAll(/\b(?:either|one of)\s+([a-z][\w-]*(?:\.[\w-]+)*(?:(?:,\s*|\s+or\s+)[a-z][\w-]*(?:\.[\w-]+)*)+)/g)) {
    const start = (m.index ?? 0) + m[0].length - (m[1] as string).length;
    for (const w of (m[1] as string).matchAll(/[a-z][\w-]*(?:\.[\w-]+)*/g)) {
      const at = start + (w.index ?? 0);
      if (w[0] !== 'or' && free(at) && !out.some((o) => o.at === at)) out.push({ value: w[0], at, quoted: false });
    }
  }
  for (const m of window.matchAll(VALUE_TOKEN)) {
    const raw = m[1] as string;
    const at = m.index ?? 0;
    if (!free(at) || out.some((o) => o.at === at) || COMMON_CAPITALISED.has(raw) || exclude(raw)) continue;
    // a bare word is a value only where a value is written: after "is", "be", "to", "with", an "or" of a list …
    if (!LINKED.test(window.slice(0, at))) continue;
    out.push({ value: raw, at, quoted: false });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** A flag the window states for a boolean field: true/enabled/on, or false/disabled/off. */
export function readFlag(window: string): boolean | undefined {
  const m = window.match(/\b(true|enabled?|on|false|disabled?|off)\b/i);
  if (!m) return undefined;
  return /^(true|enabled?|on)$/i.test(m[1] as string);
}
