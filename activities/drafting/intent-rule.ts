/**
 * Reads a whole intent into one rule: which fields it names (fields.ts), what each sentence says
 * about them — a prohibition ("must not", "is denied"), a requirement ("must", "has to", "only"),
 * a scope ("Services of type LoadBalancer", "outside the kube-system namespace") or an exemption
 * ("are fine", "not affected") — with the values, bounds and units written next to them
 * (value-words.ts), what a missing field means ("unset counts as 1", "a missing class is denied"),
 * and how the statements combine (either/or → any, both/and → all, several requirements → any
 * of their violations).
 *
 * The numbers, units and comparison words of the intent are the rule; examples only confirm it
 * (a disagreement becomes a question, see conflict.ts). Returns undefined when the intent names
 * no field it can read.
 */
import { type FieldRef, fieldCatalogue, findMentions, identifierWords, kindsIn, type Mention } from './fields';
import {
  type Claim,
  clauseStart,
  cronPattern,
  EXEMPT,
  imagePattern,
  listsOf,
  MISSING_BEFORE,
  missingStatements,
  NO_SUBJECT,
  namespaceScope,
  PRESENCE_REQUIRED,
  PROHIBIT,
  parenthesisedList,
  REQUIRE,
  type Role,
  readPattern,
  STRICT,
  sentencesOf,
  sentenceValues,
} from './intent-words';
import { KIND_WORDS } from './lexicon';
import { WORKLOAD_KINDS } from './manifest-paths';
import { expectationFor } from './naming';
import { displayPath } from './rego-writer';
import type { Condition, Constraint, DraftRequest } from './schemas';
import { complement, type Literal, type NumberKind, readBound, readFlag, readLiterals } from './value-words';

export type IntentRule = { constraint: Constraint; claims: number; notes: string[] };

function numberKind(field: FieldRef): NumberKind {
  if (field.type === 'quantity') return 'quantity';
  const last = field.path[field.path.length - 1] ?? '';
  return /Seconds$/.test(last) ? 'seconds' : 'plain';
}

function conditionFor(field: FieldRef): Omit<Condition, 'operator'> {
  const base: Omit<Condition, 'operator'> = { scope: field.scope, path: field.path };
  // a container security setting the pod spec also has: the container's own value wins, the pod's applies otherwise
  if (field.scope === 'container' && field.path[0] === 'securityContext' && POD_SECURITY_FIELDS.has(field.path[1] ?? ''))
    return { ...base, fallback: field.path };
  if (field.type === 'quantity') return { ...base, unit: 'quantity' };
  return base;
}
const POD_SECURITY_FIELDS = new Set(['runAsNonRoot', 'runAsUser', 'runAsGroup', 'seccompProfile', 'seLinuxOptions', 'appArmorProfile']);

const KIND_VALUE = new Set(KIND_WORDS.flatMap(([kind, words]) => [kind.toLowerCase(), ...words]));

/** Turns a literal into the field's type: env values and annotations are strings ("true" stays "true"). */
function asFieldValue(field: FieldRef, value: string | number | boolean): string | number | boolean {
  if (field.type === 'string' || field.type === 'map') return String(value);
  if (field.type === 'int-or-string' && typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return value;
}

/** The child a value is about when the intent names an object (hostPath → hostPath.path, roleRef → roleRef.kind/name). */
function childFor(field: FieldRef, value: unknown): FieldRef | undefined {
  if (field.type === 'list') {
    // a list of values (capabilities.add): its elements
    const element = fieldCatalogue().find((f) => f.scope === field.scope && f.path.join('.') === [...field.path, '*'].join('.'));
    return element && element.type !== 'object' ? element : undefined;
  }
  if (field.type !== 'object') return undefined;
  const children = fieldCatalogue().filter(
    (f) => f.scope === field.scope && f.path.length === field.path.length + 1 && field.path.every((p, i) => f.path[i] === p),
  );
  const named = (leaf: string) => children.find((c) => c.path[c.path.length - 1] === leaf);
  if (typeof value === 'string' && KIND_VALUE.has(value.toLowerCase()) && named('kind')) return named('kind');
  return named('path') ?? named('name') ?? named('value') ?? named('type');
}

/** What one mention says, read from the words around it and the clause's framing. */
function readClaim(
  intent: string,
  sentence: { start: number; end: number; text: string },
  mention: Mention,
  next: number,
  prev: number,
  hasLater: boolean,
  inherited?: Role,
): Omit<Claim, 'sentence' | 'joiner' | 'group' | 'via'>[] {
  const field = mention.fields[0] as FieldRef;
  const pre = intent.slice(Math.max(prev, sentence.start), mention.start);
  const post = intent.slice(mention.end, Math.min(next, sentence.end));
  const whole = sentence.text;
  const base = conditionFor(field);
  const at = mention.start;
  const clause = clauseStart(intent, sentence.start, mention.start);
  // values are not verbs: "has to be Forbid" forbids nothing
  const scrub = (t: string) => t.replace(/"[^"]*"|`[^`]*`/g, ' ').replace(/(?<=\S\s+)[A-Z][A-Za-z]*\b/g, ' ');
  let frame = scrub(`${intent.slice(clause, mention.start)} ${mention.text} ${post}`);
  // a clause that only names the field ("… a privileged port: containerPort below 1024") takes its sentence's framing
  if (!PROHIBIT.test(frame) && !REQUIRE.test(frame) && !EXEMPT.test(frame) && !NO_SUBJECT.test(frame))
    frame = scrub(`${intent.slice(sentence.start, mention.start)} ${mention.text} ${post}`);
  // a phrase mention spans words between its own ("request at most 100Gi of storage"): they speak too
  const inside = mention.via === 'words' || mention.via === 'lexicon' ? intent.slice(mention.start, mention.end) : '';
  const nearPost = post.replace(/\([^)]*\)/g, ' ').slice(0, 60);
  const exempt = EXEMPT.test(nearPost) || (EXEMPT.test(whole) && !PROHIBIT.test(whole) && !REQUIRE.test(whole));
  const prohibit = PROHIBIT.test(frame) || NO_SUBJECT.test(frame);
  // a scope describes the subject before the rule's verb ("Deployments with more than 3 replicas must …") and needs a rule after it
  const lead = scrub(intent.slice(clause, mention.start));
  const beforeVerb = !PROHIBIT.test(lead) && !REQUIRE.test(lead) && !NO_SUBJECT.test(lead);
  const scopeWords =
    hasLater &&
    beforeVerb &&
    (/\b(with|whose|of type|that (?:run|runs|use|uses|set|sets|have|has)|which|if|when)\s+(?:the\s+|a\s+|an\s+)?(?:[\w`"'()-]+\s*){0,6}$/i.test(
      pre,
    ) ||
      /\b(?:of type|whose \S+)$/i.test(mention.text));
  const requirement = !prohibit && REQUIRE.test(frame);
  const missingHere = MISSING_BEFORE.test(pre.slice(-40)) || /^\s*(?:is |are )?(?:unset|missing|omitted)\b/i.test(post);
  if (!exempt && !prohibit && !requirement && !scopeWords && !inherited && !missingHere) return [];
  const role: Role =
    inherited ?? (exempt ? 'exempt' : scopeWords ? 'scope' : prohibit ? 'violation' : requirement ? 'requirement' : 'violation');
  const asViolation = role === 'requirement' ? 'violation' : role;
  const one = (cond: Condition, r: Role = asViolation) => [{ field, cond, role: r, at }];
  if (role === 'exempt') return one({ ...base, operator: 'missing' }, 'exempt');

  // numbers and bounds: the comparison closest to the mention ("more than 3 replicas must define at least one …")
  const numeric = field.type === 'number' || field.type === 'quantity' || field.type === 'int-or-string';
  if (numeric || field.type === 'list') {
    const kind = numberKind(field);
    const after = readBound(inside, kind) ?? readBound(post, kind);
    const before = readBound(pre, kind);
    const distBefore = before ? pre.length - (before.at + before.text.length) : Number.POSITIVE_INFINITY;
    const bound = after && (!before || after.at <= distBefore) ? after : before;
    if (bound && field.type === 'list') {
      // "at least one entry": the list must not be empty
      if (bound.zone === 'gte' && bound.value === 1) return one({ ...base, operator: 'missing' });
    } else if (bound) {
      const lead = frame.slice(0, Math.max(0, frame.indexOf(bound.text))).slice(-20);
      const good = bound.good || (role === 'requirement' && /\b(must|has to|needs? to|should)\s+(?:be\s+|have\s+)?$/i.test(lead));
      const zone = good && role !== 'scope' ? complement(bound.zone) : bound.zone;
      return one({ ...base, operator: zone, value: bound.value });
    }
  }
  const exclude = (token: string) =>
    (token.toLowerCase() === mention.text.toLowerCase() && !mention.quoted) ||
    (KIND_VALUE.has(token.toLowerCase()) && !/Ref$/.test(field.path.at(-1) ?? ''));
  // flags
  if (field.type === 'boolean') {
    const flag = readFlag(post.slice(0, 40)) ?? readFlag(pre.slice(-30));
    if (role === 'requirement' && flag !== undefined) {
      const strict = STRICT.test(frame);
      return one({ ...base, operator: 'not-equals', value: flag, ...(strict ? { ifMissing: 'deny' } : {}) });
    }
    if (missingHere && flag === undefined) return one({ ...base, operator: 'missing' });
    // "containers must mount their root filesystem read-only": a required flag is true
    if (role === 'requirement')
      return one({ ...base, operator: 'not-equals', value: true, ...(STRICT.test(frame) ? { ifMissing: 'deny' } : {}) });
    return one({ ...base, operator: 'equals', value: flag ?? true });
  }
  // "an environment variable named DEBUG whose value is "true"": the same list element
  const named = post.match(/^\s*(?:named|called)\s+[`"']?([\w.-]+)[`"']?(?:[^.;]*?\bwhose\s+(\w+)\s+is\s+("[^"]*"|`[^`]*`|[\w.-]+))?/i);
  if (named && field.path.at(-1) === 'name') {
    const conds: Condition[] = [{ ...base, operator: 'equals', value: named[1] as string }];
    if (named[2] && named[3]) {
      const sibling = [...field.path.slice(0, -1), named[2]];
      conds.push({ ...base, path: sibling, operator: 'equals', value: (named[3] as string).replace(/^["`]|["`]$/g, '') });
    }
    return conds.map((cond) => ({ field, cond, role: asViolation, at }));
  }
  // literal values
  const fieldWords = new Set(field.path.flatMap((p) => identifierWords(p)));
  const literals = [
    ...readLiterals(inside, (t) => exclude(t) || identifierWords(t).every((w) => fieldWords.has(w)), false).filter((l) => l.at > 0),
    ...valuesNear(pre, post, exclude, mention.via === 'api-name' || mention.via === 'map-key'),
  ];
  if (!literals.length && mention.quoted) literals.push({ value: mention.quoted, at: 0, quoted: true });
  const pattern =
    (field.path.at(-1) === 'image' ? imagePattern(intent) : undefined) ??
    (field.path.at(-1) === 'schedule' ? cronPattern(whole) : undefined) ??
    readPattern(pre, post);
  const target =
    field.type === 'object' || (field.type === 'list' && literals.length) ? (childFor(field, literals[0]?.value) ?? field) : field;
  const tbase = target === field ? base : conditionFor(target);
  if (pattern) {
    const allow = pattern.fixed ? pattern.allow : pattern.allow || (role === 'requirement' && !prohibit);
    const missingToo = missingHere || (allow && STRICT.test(whole));
    return [
      {
        field: target,
        cond: { ...tbase, operator: allow ? 'not-regex' : 'regex', value: pattern.value, ...(missingToo ? { ifMissing: 'deny' } : {}) },
        role: asViolation,
        at,
      },
    ];
  }
  if (literals.length && target.type !== 'list' && target.type !== 'map') {
    // a reference ("roleRef is the ClusterRole `cluster-admin`"): its kind and its name
    if (target !== field && target.path.at(-1) === 'kind' && literals.length > 1) {
      const nameField = childFor(field, 'x');
      const conds: Condition[] = [{ ...conditionFor(target), operator: 'equals', value: String(literals[0]?.value) }];
      if (nameField) conds.push({ ...conditionFor(nameField), operator: 'equals', value: String(literals[1]?.value) });
      return conds.map((cond) => ({ field: target, cond, role: asViolation, at }));
    }
    const values = literals.map((l) => asFieldValue(target, l.value));
    const allowList = role === 'requirement' || (role !== 'scope' && /\b(only|either|one of)\b/i.test(frame));
    const op: Condition['operator'] = values.length > 1 ? (allowList ? 'not-in' : 'in') : allowList ? 'not-equals' : 'equals';
    // "must declare X, and it must not be `default`": a missing field is a violation too
    const strict = (allowList && STRICT.test(whole)) || (!allowList && STRICT.test(intent.slice(clause, mention.start))) || missingHere;
    const orUnset = /\b(?:unset|missing|absent) or\b|\bor (?:unset|missing|absent)\b/i.test(post.slice(0, 40));
    const value = values.length > 1 ? values : (values[0] as string | number | boolean);
    return [
      {
        field: target,
        cond: { ...tbase, operator: op, value, ...(strict || orUnset ? { ifMissing: 'deny' } : {}) },
        role: asViolation,
        at,
      },
    ];
  }
  // presence: a requirement needs a verb of presence ("must define"); "must go through the scheduler" names no field to set
  if (role === 'requirement' && !missingHere && !PRESENCE_REQUIRED.test(frame)) return [];
  if (role === 'requirement' || missingHere) return one({ ...base, operator: 'missing' });
  return one({ ...base, operator: 'present' });
}

/** Values written next to the mention: after it first ("must be X"), else right before it ("the `hostpath` StorageClass"). */
function valuesNear(pre: string, post: string, exclude: (t: string) => boolean, keyValue: boolean): Literal[] {
  const cut = post.search(/\b(?:such as|for example|e\.g\.|i\.e\.|like)\b|\(for\b|;/i);
  const after = readLiterals(cut >= 0 ? post.slice(0, cut) : post, exclude, keyValue).filter((l) => l.at < 80);
  if (after.length) return after;
  const before = readLiterals(pre, exclude, false);
  // only the values right before the mention ("the `hostpath` StorageClass", "the system-cluster-critical or system-node-critical priority classes")
  const out: Literal[] = [];
  let end = pre.length;
  for (const l of [...before].reverse()) {
    const token = pre.slice(l.at).match(/^("[^"]*"|`[^`]*`|'[^']*'|\S+)/)?.[0] ?? '';
    const gap = pre.slice(l.at + token.length, end);
    if (!/^(?:\s|,|\bor\b|\band\b|\bthe\b|\ba\b|\ban\b)*$/i.test(gap)) break;
    out.unshift(l);
    end = l.at;
  }
  return out;
}

function kindsFor(request: DraftRequest, fields: FieldRef[]): string[] {
  if (request.kinds?.length) return request.kinds;
  const named = kindsIn(request.intent);
  const objectKinds = fields.filter((f) => f.scope === 'object' && f.kinds).flatMap((f) => f.kinds as string[]);
  if (objectKinds.length) {
    const both = named.filter((k) => objectKinds.includes(k));
    return both.length ? both : [...new Set(objectKinds)];
  }
  if (fields.every((f) => f.scope === 'object')) {
    const fromExamples = [...new Set(request.examples.deny.map((m) => m.kind))];
    return named.length ? named : fromExamples.length ? fromExamples : [...WORKLOAD_KINDS];
  }
  const workloads = named.filter((k) => WORKLOAD_KINDS.includes(k));
  return workloads.length && !(workloads.length === 1 && workloads[0] === 'Pod') ? workloads : [...WORKLOAD_KINDS];
}

function sameFieldRef(list: Mention[], m: Mention): boolean {
  const f = m.fields[0];
  return list.some(
    (o) => o !== m && o.via === 'api-name' && o.fields[0]?.scope === f?.scope && o.fields[0]?.path.join('.') === f?.path.join('.'),
  );
}

function isAncestor(a: string[], b: string[]): boolean {
  return a.length < b.length && a.every((p, i) => b[i] === p);
}

/** How much a reading says: a pattern or a bound, then values, then a flag, then presence alone. */
function specificity(c: Condition): number {
  if (c.operator === 'regex' || c.operator === 'not-regex' || ['lt', 'lte', 'gt', 'gte'].includes(c.operator)) return 3;
  if (c.value !== undefined && typeof c.value !== 'boolean') return 2;
  if (typeof c.value === 'boolean') return 1;
  return 0;
}

/** The rule the intent states, or undefined when it names no field. */
export function readIntentRule(request: DraftRequest): IntentRule | undefined {
  // a bracketed reference ("[PLAT-123]", "[ci-run-42]") is not part of the rule: blanked, positions kept
  const intent = request.intent.replace(/(?<![\w\]])\[[^\]\n]+\]/g, (m) => ' '.repeat(m.length));
  const context = request.kinds?.length ? request.kinds : kindsIn(intent);
  const mentions = findMentions(intent, context);
  if (!mentions.length) return undefined;
  const sentences = sentencesOf(intent);
  const claims: Claim[] = [];
  let groups = 0;
  const quotes = [...intent.matchAll(/"([^"]+)"|`([^`]+)`/g)].map((q) => ({
    start: q.index ?? 0,
    end: (q.index ?? 0) + q[0].length,
    text: (q[1] ?? q[2]) as string,
  }));
  sentences.forEach((sentence, si) => {
    const all = mentions.filter((m) => m.start >= sentence.start && m.start < sentence.end);
    const inQuotes = (m: Mention) =>
      quotes.find((q) => m.start >= q.start && m.end <= q.end && !(m.via === 'api-name' && m.fields[0]?.path.at(-1) === q.text));
    const mine = all
      // a quoted word is a value when the sentence names the field elsewhere ("storage class "hostpath"")
      .filter((m) => !inQuotes(m) || all.every((o) => o === m || inQuotes(o)))
      .map((m) => {
        const q = m.via === 'map-key' ? undefined : inQuotes(m);
        return q ? { ...m, quoted: q.text, start: q.start, end: q.end } : m;
      })
      // fields listed as examples in parentheses ("whatever the handler type (exec, httpGet, sleep)")
      .filter((m) => !parenthesisedList(intent, m))
      // a phrase that names a field the sentence also names by its API name ("Block Services whose spec.type is ExternalName")
      .filter((m, _, list) => m.via === 'api-name' || m.via === 'map-key' || !sameFieldRef(list, m))
      // a single capitalised word that names a field when the sentence names others is a value ("must not be ClientIP")
      .filter(
        (m, _, list) =>
          m.via === 'api-name' ||
          m.via === 'map-key' ||
          !/^[A-Z][\w-]*$/.test(m.text) ||
          list.every((o) => o === m || o.via !== 'api-name'),
      )
      // a field whose child the sentence also names ("mount volumes with mountPropagation"): the child is meant
      .filter((m, i, list) => {
        const o = list[i + 1];
        return !(
          o &&
          o.start - m.end < 40 &&
          o.fields[0]?.scope === m.fields[0]?.scope &&
          isAncestor(m.fields[0]?.path ?? [], o.fields[0]?.path ?? [])
        );
      });
    let lastRole: Role | undefined;
    let lastEnd = -1;
    mine.forEach((mention, i) => {
      const next = mine[i + 1]?.start ?? sentence.end;
      const prev = mine[i - 1]?.end ?? sentence.start;
      // "(serviceAccountName unset or "default")" right after a mention refines it: same role
      const parenthetical = lastEnd >= 0 && /^\s*\(\s*$/.test(intent.slice(lastEnd, mention.start));
      const read = readClaim(intent, sentence, mention, next, prev, i < mine.length - 1, parenthetical ? lastRole : undefined).map((c) => ({
        ...c,
        via: mention.via,
      }));
      if (parenthetical && read.length) {
        const previous = claims.findIndex((c) => c.sentence === si && c.at === mine[i - 1]?.start);
        if (previous >= 0) claims.splice(previous, 1);
      }
      lastEnd = mention.end;
      lastRole = read[0]?.role;
      const between = intent.slice(prev, mention.start);
      const joiner =
        i === 0 ? undefined : /\bor\b|\beither\b/i.test(between) ? 'or' : /\band\b|\bAND\b|\bboth\b/.test(between) ? 'and' : undefined;
      const group = groups++;
      for (const claim of read) {
        // a second mention of a field already read in this sentence refines it
        const known = claims.find(
          (c) => c.sentence === si && c.cond.scope === claim.cond.scope && c.cond.path.join('.') === claim.cond.path.join('.'),
        );
        if (known && claim.cond.path.join('.') === known.cond.path.join('.')) {
          const missingToo =
            [known.cond, claim.cond].some((c) => c.operator === 'missing') && [known.cond, claim.cond].some((c) => specificity(c) > 0);
          if (specificity(claim.cond) > specificity(known.cond))
            known.cond = { ...claim.cond, ...(known.cond.ifMissing ? { ifMissing: 'deny' } : {}) };
          if (missingToo) known.cond.ifMissing = 'deny';
          if (known.role === 'scope' && claim.role !== 'scope') known.role = claim.role;
          continue;
        }
        claims.push({ ...claim, sentence: si, joiner, group });
      }
    });
  });
  missingStatements(sentences, claims, mentions);
  // the same field read in several sentences: the most specific statement wins, its missing-field rule joins it
  const merged: Claim[] = [];
  for (const c of claims.filter((x) => x.role !== 'exempt')) {
    const known = merged.find((m) => m.cond.scope === c.cond.scope && m.cond.path.join('.') === c.cond.path.join('.') && m.role === c.role);
    if (!known) {
      merged.push(c);
      continue;
    }
    const weak = (op: Condition['operator']) => op === 'present' || op === 'missing';
    if (weak(known.cond.operator) && !weak(c.cond.operator))
      known.cond = { ...c.cond, ...(known.cond.operator === 'missing' || known.cond.ifMissing ? { ifMissing: 'deny' } : {}) };
    else if (!weak(known.cond.operator) && c.cond.operator === 'missing') known.cond.ifMissing = 'deny';
    else if (c.cond.ifMissing) known.cond.ifMissing = 'deny';
  }
  // a bare "X is set" about a field whose part another statement constrains says nothing more ("any other hostPath is denied")
  const vague = (c: Claim) => c.cond.operator === 'present' && !c.cond.value;
  const kept = merged.filter(
    (c) =>
      !(
        vague(c) &&
        merged.some((o) => o !== c && !vague(o) && o.cond.scope === c.cond.scope && c.cond.path.every((p, i) => o.cond.path[i] === p))
      ) && !(vague(c) && c.field.type === 'object' && c.via !== 'api-name' && merged.some((o) => o !== c && !vague(o))),
  );
  sentenceValues(intent, sentences, kept);
  const violations = kept.filter((c) => c.role === 'violation' || c.role === 'requirement');
  let scopes = kept.filter((c) => c.role === 'scope');
  if (!violations.length) {
    if (!scopes.length) return undefined;
    violations.push(...scopes.map((s) => ({ ...s, role: 'violation' as Role })));
    scopes = [];
  }
  const ns = namespaceScope(intent);
  const when = [...scopes.map((s) => s.cond), ...(ns ? [ns] : [])].slice(0, 2);
  const main = violations.slice(0, 3);
  // an extended resource (nvidia.com/gpu) is requested through its limit as much as its request
  const only = main.length === 1 ? main[0] : undefined;
  if (only && only.cond.path[0] === 'resources' && only.cond.path[1] === 'requests' && only.cond.path[2]?.includes('/'))
    main.push({ ...only, cond: { ...only.cond, path: ['resources', 'limits', only.cond.path[2]] }, group: -1, joiner: 'or' });
  const lists = listsOf(intent);
  if (lists) for (const m of main) if (m.cond.scope === 'container') m.cond.lists = lists;
  // requirements are met together, so any one failing is a violation; prohibitions joined by "and" must all hold
  const allProhibited =
    main.every((m) => m.role === 'violation') &&
    main.length > 1 &&
    main.slice(1).every((m) => m.joiner === 'and' && m.sentence === main[0]?.sentence) &&
    /\bAND\b|\band has\b|\bboth\b.*\band\b/.test(intent) &&
    !PRESENCE_REQUIRED.test(intent);
  const [first, ...rest] = main as [Claim, ...Claim[]];
  const kinds = kindsFor(request, [first.field, ...rest.map((r) => r.field), ...scopes.map((s) => s.field)]);
  // a Job field the rule also means in a CronJob's job template (spec.jobTemplate.spec.…): one alternative per kind
  if (main.length === 1 && first.field.scope === 'object' && first.field.kinds && kinds.some((k) => !first.field.kinds?.includes(k))) {
    const leaf = first.cond.path.at(-1);
    const others = fieldCatalogue().filter(
      (f) =>
        f.scope === 'object' &&
        f.path.at(-1) === leaf &&
        f !== first.field &&
        f.kinds?.some((k) => kinds.includes(k) && !first.field.kinds?.includes(k)),
    );
    const alt = others[0];
    if (alt && alt.path.join('.') !== first.cond.path.join('.')) {
      first.cond.onlyKinds = first.field.kinds.filter((k) => kinds.includes(k));
      main.push({
        ...first,
        cond: { ...first.cond, path: alt.path, onlyKinds: (alt.kinds ?? []).filter((k) => kinds.includes(k)) },
        group: -2,
        joiner: 'or',
      });
      rest.push(main[main.length - 1] as Claim);
    }
  }
  const oneGroup = main.every((m) => m.group === main[0]?.group);
  const combine = main.length > 1 ? (allProhibited || (oneGroup && !main.some((m) => m.group < 0)) ? 'all' : 'any') : undefined;
  const expectation = main
    .map((m) => expectationFor(m.cond.operator, displayPath(m.cond.path), m.cond.value))
    .join(combine === 'all' ? ' unless ' : '; ');
  const constraint: Constraint = {
    ...first.cond,
    kinds,
    expectation: `${expectation}${first.cond.ifMissing ? ' (and must be set)' : ''}`,
    derivedFrom: ['intent', ...main.map((m) => `field:${m.cond.path.join('.')}`)],
    ...(rest.length ? { also: rest.map((r) => r.cond), combine } : {}),
    ...(when.length ? { when } : {}),
  };
  return { constraint, claims: main.length + when.length, notes: [] };
}
