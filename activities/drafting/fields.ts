/**
 * Which Kubernetes fields an intent names. The catalogue (k8s-fields.json, written by
 * tools/k8s-fields.ts from the Kubernetes API types) knows every field of the kinds the generator
 * drafts for; an intent names one by its API name (`hostNetwork`, `spec.tls`,
 * `env[].valueFrom.secretKeyRef`, `resources.limits.memory`), by the words of that name ("host
 * network", "CPU limit", "readiness probe") or by a phrase of the lexicon ("GPU", "sticky session").
 *
 * Pure: the catalogue is read once; findMentions returns positions in the intent, so that the
 * intent reader can attach the words around a mention to it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type FieldType, KIND_WORDS, LEXICON_ROWS, type Scope } from './lexicon';
import { WORKLOAD_KINDS } from './manifest-paths';

/** A field of the catalogue: where it lives and what it holds. `*` is a list element. */
export type FieldRef = {
  scope: Scope;
  path: string[];
  type: FieldType | 'quantity' | 'int-or-string' | 'map';
  /** object scope: the kinds that have it (undefined: every kind) */
  kinds?: string[];
};

export type Mention = {
  start: number;
  end: number;
  text: string;
  /** the candidate fields, best first */
  fields: FieldRef[];
  via: 'api-name' | 'words' | 'lexicon' | 'map-key';
  /** the mention is written inside quotes: the quoted text, a value when the sentence names the field elsewhere */
  quoted?: string;
};

type CatalogueRow = [scope: Scope, path: string, type: FieldRef['type'], kinds?: string[]];
let catalogue: FieldRef[] | undefined;

/** Every field of the catalogue (rows of the same path and scope merged, with their kinds). */
export function fieldCatalogue(): FieldRef[] {
  if (catalogue) return catalogue;
  const file = fileURLToPath(new URL('./k8s-fields.json', import.meta.url));
  const rows = (JSON.parse(readFileSync(file, 'utf8')) as { rows: CatalogueRow[] }).rows;
  const merged = new Map<string, FieldRef>();
  for (const [scope, path, type, kinds] of rows) {
    const key = `${scope}|${path}`;
    const known = merged.get(key);
    if (known?.kinds && kinds) known.kinds = [...new Set([...known.kinds, ...kinds])];
    else if (!known) merged.set(key, { scope, path: splitPath(path), type, ...(kinds ? { kinds: [...kinds] } : {}) });
  }
  catalogue = [...merged.values()];
  return catalogue;
}

/** "resources.limits.nvidia.com/gpu" → a path that keeps the dotted map key whole. */
function splitPath(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('.')) {
    const last = out[out.length - 1];
    // a map key such as nvidia.com/gpu: rejoin the pieces around the dot
    if (last !== undefined && (part.includes('/') || /^(com|io|k8s)$/.test(part)) && /^[a-z0-9-]+$/.test(last) && out.length > 2)
      out[out.length - 1] = `${last}.${part}`;
    else out.push(part);
  }
  return out;
}

/** lowercase words of an identifier: readOnlyRootFilesystem → read only root filesystem */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map(singular);
}

export function singular(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('ses') && !word.endsWith('sses')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}

/** Field names too common to mean a field unless written as an API name next to their parent. */
const GENERIC = new Set([
  'name',
  'type',
  'kind',
  'path',
  'value',
  'key',
  'data',
  'host',
  'port',
  'from',
  'to',
  'rule',
  'spec',
  'item',
  'mode',
  'operator',
  'effect',
  'protocol',
  'command',
  'args',
  'source',
  'target',
  'status',
  'metadata',
  'selector',
  'label',
  'annotation',
  'namespace',
  'request',
  'limit',
  'resource',
  'port',
  'container',
  'volume',
  'image',
  'env',
  'group',
  'user',
  'role',
  'handler',
  'policy',
  'reason',
  'message',
  'default',
  'ip',
  'hosts',
]);

const CONTAINER_LIST_NAMES = ['containers', 'initContainers', 'ephemeralContainers'];

/** Whether a field exists for at least one of the kinds (pod and container fields: every workload kind). */
export function fieldFitsKinds(field: FieldRef, kinds: string[]): boolean {
  if (!kinds.length) return true;
  if (field.scope !== 'object') return kinds.some((k) => WORKLOAD_KINDS.includes(k));
  return !field.kinds || field.kinds.some((k) => kinds.includes(k));
}

function words(path: string[]): string[] {
  return path.filter((p) => p !== '*').flatMap((p) => (p.includes('/') || p.includes('.') ? [p.toLowerCase()] : identifierWords(p)));
}

/** An API name written in the intent: dotted (spec.tls), with list brackets (env[].name) or camelCase (hostNetwork). */
const API_NAME = /[`"']?((?:[A-Za-z][A-Za-z0-9]*(?:\[\])?\.)*[A-Za-z][A-Za-z0-9]*(?:\[\])?)[`"']?/g;

function apiNameMentions(intent: string, kinds: string[]): Mention[] {
  const out: Mention[] = [];
  const intentWords = new Set(identifierWords(intent));
  for (const m of intent.matchAll(API_NAME)) {
    const raw = m[1] as string;
    const dotted = raw.includes('.') || raw.includes('[]');
    const camel = /[a-z][A-Z]/.test(raw);
    const quoted = /^[`"']/.test(m[0]) && /[`"']$/.test(m[0]);
    if (!dotted && !camel && !quoted) continue;
    // Capitalised words are kinds or values (ConfigMap, ExternalName, ClientIP), not field names
    if (!dotted && /^[A-Z]/.test(raw)) continue;
    // a dotted word followed by "/" is a key or a registry (app.kubernetes.io/name, ghcr.io/acme)
    const after = intent.slice((m.index ?? 0) + m[0].length);
    if (after.startsWith('/') || /\.(io|com|org|net|dev|internal|local|example)$/.test(raw)) continue;
    let segments = raw
      .replace(/\[\]/g, '')
      .split('.')
      .filter(Boolean)
      .map((s) => s.toLowerCase());
    while (segments.length > 1 && ['spec', 'template', 'jobtemplate'].includes(segments[0] as string)) segments = segments.slice(1);
    if (segments.length === 1 && CONTAINER_LIST_NAMES.map((n) => n.toLowerCase()).includes(segments[0] as string)) continue;
    const fields = matchSegments(segments, kinds, intentWords);
    if (fields.length) {
      const start = m.index ?? 0;
      out.push({ start, end: start + m[0].length, text: raw, fields, via: 'api-name' });
    }
  }
  return out;
}

/** Fields whose path ends with these segments (case- and plural-insensitive), best first. */
function matchSegments(segments: string[], kinds: string[], intentWords: Set<string>): FieldRef[] {
  const want = segments.map((s) => singular(s.toLowerCase()));
  const scored: { field: FieldRef; score: number }[] = [];
  for (const field of fieldCatalogue()) {
    let path = field.path.filter((p) => p !== '*').map((p) => singular(p.toLowerCase()));
    while (path.length > 1 && path[0] === 'spec') path = path.slice(1);
    if (path.length < want.length) continue;
    const tail = path.slice(path.length - want.length);
    if (tail.join('.') !== want.join('.')) continue;
    if (want.length === 1 && GENERIC.has(want[0] as string) && !(field.kinds && kinds.some((k) => field.kinds?.includes(k)))) continue;
    let score = 10 * want.length - 2 * (path.length - want.length);
    if (kinds.length && field.kinds?.some((k) => kinds.includes(k))) score += 5;
    // a field of a kind the intent does not name (a PersistentVolume's spec.hostPath) loses to a pod field
    else if (field.kinds) score -= 6;
    if (!fieldFitsKinds(field, kinds)) score -= 20;
    // a container field that the pod spec also has (securityContext.runAsNonRoot): the container's wins
    if (field.scope === 'container') score += 1;
    // spec.ingress[].from vs spec.egress[].to: the words of the intent choose
    score += path.slice(0, path.length - want.length).filter((p) => intentWords.has(p)).length;
    scored.push({ field, score });
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.field);
}

type Phrase = { words: string[]; fields: FieldRef[]; via: Mention['via'] };
let phrases: Phrase[] | undefined;

/** Word phrases that name fields: each field's own words (with its parent's), and the lexicon's phrases. */
function phraseTable(): Phrase[] {
  if (phrases) return phrases;
  const byWords = new Map<string, Phrase>();
  const add = (list: string[], field: FieldRef, via: Mention['via']) => {
    if (!list.length) return;
    const key = `${via}|${list.join(' ')}`;
    const known = byWords.get(key);
    if (known) known.fields.push(field);
    else byWords.set(key, { words: list, fields: [field], via });
  };
  for (const field of fieldCatalogue()) {
    if (field.type === 'object' && field.path.length > 3) continue;
    const plain = field.path.filter((p) => p !== '*');
    const own = words(plain.slice(-1));
    const parent = words(plain.slice(-2, -1));
    const generic = own.length === 1 && GENERIC.has(own[0] as string);
    // one word alone names a field only when it is a flag (privileged) or a field of a named kind
    if (own.length > 1 || (!generic && field.type === 'boolean') || (!generic && field.kinds)) add(own, field, 'words');
    if (parent.length && !(generic && GENERIC.has(parent.join(' '))) && parent[0] !== 'security') add([...own, ...parent], field, 'words');
  }
  for (const [list, scope, path, type, kinds] of LEXICON_ROWS) {
    const field: FieldRef = { scope, path: Array.isArray(path) ? path : path.split('.'), type, ...(kinds ? { kinds } : {}) };
    for (const phrase of list.split('|')) add(identifierWords(phrase), field, 'lexicon');
  }
  phrases = [...byWords.values()];
  return phrases;
}

type Word = { word: string; start: number; end: number };
/** Kind names written as one word (ReplicaSets, ConfigMap): words of a kind, never of a field. */
const KIND_NAMES = new Set(
  [
    ...KIND_WORDS.map(([kind]) => kind),
    'RoleBinding',
    'ClusterRoleBinding',
    'ClusterRole',
    'NetworkPolicy',
    'PodDisruptionBudget',
    'IngressClass',
    'StorageClass',
    'PriorityClass',
    'RuntimeClass',
    'ServiceAccount',
  ].map((k) => k.toLowerCase()),
);

function wordsOf(intent: string): Word[] {
  const out: Word[] = [];
  const tokens = [...intent.matchAll(/\S+/g)].filter((t) => /[a-z0-9]\.[a-z]|\//i.test(t[0]));
  for (const m of intent.matchAll(/[A-Za-z][A-Za-z0-9]*/g)) {
    const start = m.index ?? 0;
    if (tokens.some((t) => start >= (t.index ?? 0) && start < (t.index ?? 0) + t[0].length) && !/^[`"']?[a-z]+[A-Z]/.test(m[0])) continue;
    // CamelCase kind names (ReplicaSets, ConfigMap) are kinds, not words of a field
    if (/^(a|an|the|its|their|of)$/i.test(m[0]) || (/[a-z][A-Z]/.test(m[0]) && KIND_NAMES.has(singular(m[0].toLowerCase())))) continue;
    for (const w of identifierWords(m[0])) out.push({ word: w, start, end: start + m[0].length });
  }
  return out;
}

/** Word phrases of the intent that name a field: all the phrase's words within a short window. */
function phraseMentions(intent: string, kinds: string[]): Mention[] {
  const list = wordsOf(intent);
  const intentWords = new Set(list.map((w) => w.word));
  const out: Mention[] = [];
  for (const phrase of phraseTable()) {
    const window = phrase.words.length === 1 ? 1 : phrase.words.length + 3;
    for (let i = 0; i < list.length; i++) {
      if (!phrase.words.includes(list[i]?.word as string)) continue;
      const slice = list.slice(i, i + window);
      const hits = phrase.words.map((w) => slice.findIndex((x) => x.word === w));
      if (hits.some((h) => h < 0)) continue;
      const first = slice[Math.min(...hits)] as Word;
      const last = slice[Math.max(...hits)] as Word;
      if (first !== list[i] || /[.;:!?,()]/.test(intent.slice(first.end, last.start))) continue;
      const fields = phrase.fields.filter(
        (f) =>
          fieldFitsKinds(f, kinds) &&
          (phrase.words.length > 1 || phrase.via === 'lexicon' || !f.kinds || f.kinds.some((k) => kinds.includes(k))),
      );
      if (!fields.length) continue;
      const rank = (f: FieldRef) => f.path.filter((p) => intentWords.has(singular(p.toLowerCase()))).length;
      fields.sort((a, b) => rank(b) - rank(a));
      out.push({ start: first.start, end: last.end, text: intent.slice(first.start, last.end), fields, via: phrase.via });
    }
  }
  return out;
}

/** The label or annotation keys an intent names ("the label `team`", "annotation a.b/c: x", "app.kubernetes.io/name … metadata.labels"). */
function mapKeyMentions(intent: string): Mention[] {
  const out: Mention[] = [];
  const KEY = String.raw`([a-z0-9][a-z0-9.-]*\/[A-Za-z0-9._<>-]+|[\`"'][a-z][a-z0-9._-]*[\`"'])`;
  const patterns: [RegExp, 'labels' | 'annotations'][] = [
    [new RegExp(String.raw`\blabel\s+${KEY}`, 'gi'), 'labels'],
    [new RegExp(String.raw`\bannotat(?:ion|ed)(?:\s+with)?\s+${KEY}`, 'gi'), 'annotations'],
    [new RegExp(String.raw`${KEY}\s+label\b`, 'gi'), 'labels'],
    [new RegExp(String.raw`${KEY}\s+annotation\b`, 'gi'), 'annotations'],
  ];
  const explicitKeys = [...intent.matchAll(/\b([a-z0-9][a-z0-9.-]*\.[a-z]{2,}\/[A-Za-z0-9._-]+)/g)];
  const near = (map: 'labels' | 'annotations') => new RegExp(map === 'labels' ? '\\blabels?\\b' : '\\bannotations?\\b', 'i').test(intent);
  for (const [re, map] of patterns) {
    for (const m of intent.matchAll(re)) {
      const key = (m[1] as string).replace(/[`"']/g, '');
      if (/^(is|are|must|the|a|an|of|on|in|and|or|with|that|to|which|whose|only|does|do|key|keys)$/i.test(key)) continue;
      const at = (m.index ?? 0) + m[0].indexOf(key);
      if (out.some((o) => o.start === at)) continue;
      out.push(keyMention(intent, at, key, map));
    }
  }
  // keys of a map: "a data key whose name …"
  for (const m of intent.matchAll(/\bdata keys?\b/gi)) {
    const start = m.index ?? 0;
    out.push({
      start,
      end: start + m[0].length,
      text: m[0],
      fields: [{ scope: 'object', path: ['data', '{}'], type: 'string', kinds: ['ConfigMap', 'Secret'] }],
      via: 'map-key',
    });
  }
  for (const m of explicitKeys) {
    const key = m[1] as string;
    if (out.some((o) => o.text === key)) continue;
    const map = near('labels') && !near('annotations') ? 'labels' : near('annotations') ? 'annotations' : undefined;
    if (map) out.push(keyMention(intent, m.index ?? 0, key, map));
  }
  return out;
}

function keyMention(intent: string, at: number, key: string, map: 'labels' | 'annotations'): Mention {
  const start = at;
  return {
    start,
    end: start + key.length,
    text: intent.slice(start, start + key.length),
    fields: [{ scope: 'object', path: ['metadata', map, key], type: 'string' }],
    via: 'map-key',
  };
}

/** The kinds a text names, in order of appearance. */
export function kindsIn(text: string): string[] {
  // dotted names (metadata.namespace) and "service account" are not kinds; a Namespace is written with its capital
  const plain = text
    .replace(/\S*[a-z0-9]\.[a-z]\S*/gi, ' ')
    .replace(/\S*_\S*/g, ' ')
    .replace(/\bservice ?accounts?\b/gi, ' ')
    .replace(/\bnamespaces?\b/g, ' ');
  const lower = ` ${plain.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ')} `;
  return KIND_WORDS.filter(([, list]) => list.some((w) => lower.includes(` ${w} `))).map(([kind]) => kind);
}

/**
 * Every field mention of the intent, left to right; where two overlap, the more specific one
 * (API name, then map key, then the longer phrase) wins.
 */
export function findMentions(intent: string, kinds: string[]): Mention[] {
  const all = [...apiNameMentions(intent, kinds), ...mapKeyMentions(intent), ...phraseMentions(intent, kinds)];
  const rank = (m: Mention) =>
    (m.via === 'api-name' ? 300 : m.via === 'map-key' ? 250 : 0) + (m.end - m.start) + (m.via === 'lexicon' ? 1 : 0);
  const kept: Mention[] = [];
  for (const m of all.sort((a, b) => rank(b) - rank(a))) {
    if (kept.some((k) => k.start < m.end && m.start < k.end)) continue;
    kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}
