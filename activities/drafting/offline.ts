/**
 * The offline generator: derives ranked candidate constraints from a request — by diffing the
 * must-deny against the must-allow examples when there are examples (examples.ts), and by reading
 * the intent against a lexicon of Kubernetes fields and operator phrases (intent.ts, lexicon.ts) —
 * then writes Rego and tests for one.
 *
 * Pure and deterministic: the same request, retrieval and attempt give the same draft. A later
 * attempt takes the next candidate not already rejected by the guardrails (the repair loop).
 */
import { tokenize } from '../llm/embeddings';
import { type Candidate, constraintDenies } from './candidate';
import { candidatesFromExamples } from './examples';
import { kindsNamed, LEXICON, type LexiconEntry, lexiconScore, readOperator, safeTest } from './intent';
import { readIntentRule } from './intent-rule';
import { API_VERSION_BY_KIND, CATEGORY_BY_KIND, CATEGORY_BY_SCOPE } from './lexicon';
import { podSpecPath, WORKLOAD_KINDS } from './manifest-paths';
import { expectationFor, policyIdFor, sentence } from './naming';
import { type TestBase, writeTests } from './rego-tests';
import { constraintParameters, describeConstraint, displayPath, packageOf, writePolicy } from './rego-writer';
import type { Constraint, Draft, DraftRequest, Provenance } from './schemas';

export type OfflineContext = {
  request: DraftRequest;
  retrieved: Provenance[];
  /** ids of the corpus (a new id must not collide) */
  corpusIds: string[];
  /** descriptions of candidates the guardrails already rejected (the repair loop's feedback) */
  rejected: string[];
  attempt: number;
};

function defaultKinds(request: DraftRequest, retrieved: Provenance[], entry?: LexiconEntry): string[] {
  if (request.kinds?.length) return request.kinds;
  const fromExamples = [...new Set(request.examples.deny.map((m) => m.kind))];
  if (fromExamples.length) {
    if (fromExamples.every((k) => WORKLOAD_KINDS.includes(k))) return [...WORKLOAD_KINDS];
    return fromExamples;
  }
  const named = kindsNamed(request.intent);
  if (entry?.kinds) {
    const both = named.filter((k) => entry.kinds?.includes(k));
    return both.length ? both : entry.kinds;
  }
  if (entry && entry.scope !== 'object') {
    const workloads = named.filter((k) => WORKLOAD_KINDS.includes(k));
    // "pods" or "containers" alone: every workload kind (a Deployment's pods are pods too)
    return workloads.length && !(workloads.length === 1 && workloads[0] === 'Pod') ? workloads : [...WORKLOAD_KINDS];
  }
  if (named.length) return named;
  return retrieved[0]?.kinds.filter((k) => k !== '*') ?? [...WORKLOAD_KINDS];
}

/**
 * The rule the intent states, checked against the examples: they confirm it, or the draft follows
 * the intent and asks about each example it decides the other way.
 */
function intentCandidate(request: DraftRequest, kinds: string[]): Candidate | undefined {
  const read = readIntentRule(request);
  if (!read) return undefined;
  const c = read.constraint;
  const wrongDeny = request.examples.deny.flatMap((m, i) => (constraintDenies(c, m) ? [] : [`examples.deny[${i}]`]));
  const wrongAllow = request.examples.allow.flatMap((m, i) => (constraintDenies(c, m) ? [`examples.allow[${i}]`] : []));
  const candidate: Candidate = { constraint: c, score: 100 + read.claims, samples: {} };
  if (wrongDeny.length || wrongAllow.length) {
    const fromExamples = candidatesFromExamples(request, kinds).sort((a, b) => b.score - a.score)[0];
    const odd = [...wrongDeny, ...wrongAllow];
    candidate.clarification = {
      conflict: `The intent and the examples disagree: the intent reads as "${describeConstraint(c)}", but ${odd.join(' and ')} ${odd.length > 1 ? 'are' : 'is'} decided the other way by it.`,
      question: `Which one is right? Fix the intent (its numbers, values or wording) or the example(s) ${odd.join(', ')}, then send the request again. The draft below follows the intent.`,
      fromIntent: describeConstraint(c),
      fromExamples: fromExamples ? describeConstraint(fromExamples.constraint) : 'no single field separates the examples',
      examples: odd,
    };
  }
  return candidate;
}

/** Every candidate constraint for the request, best first. */
export function deriveCandidates(request: DraftRequest, retrieved: Provenance[]): Candidate[] {
  const tokens = new Set(tokenize(request.intent));
  const lower = request.intent.toLowerCase();
  const named = kindsNamed(request.intent);
  const onlyOtherKinds = named.length > 0 && named.every((k) => !WORKLOAD_KINDS.includes(k));
  const kindFit = (entry: LexiconEntry) => {
    if (entry.kinds?.some((k) => named.includes(k) || request.kinds?.includes(k))) return 2;
    if (entry.scope !== 'object' && onlyOtherKinds) return -3;
    return 0;
  };
  const scored = LEXICON.map((entry) => {
    const base = lexiconScore(entry, tokens, lower);
    return { entry, score: base > 0 ? base + kindFit(entry) : 0 };
  })
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score);
  const out: Candidate[] = [];
  const fromIntent = intentCandidate(request, defaultKinds(request, retrieved));
  if (fromIntent) out.push(fromIntent);
  const pathTokens = (path: string[]) => new Set(tokenize(path.filter((p) => p !== '*').join(' ')));
  if (request.examples.deny.length) {
    const kinds = defaultKinds(request, retrieved);
    for (const candidate of candidatesFromExamples(request, kinds)) {
      const overlap = [...pathTokens(candidate.constraint.path)].filter((t) => tokens.has(t)).length;
      const lexicon = scored.find(
        (x) => x.entry.scope === candidate.constraint.scope && x.entry.path.join('.') === candidate.constraint.path.join('.'),
      );
      const wanted = readOperator(
        request.intent,
        typeof candidate.constraint.value === 'number' ? 'number' : typeof candidate.constraint.value === 'boolean' ? 'boolean' : 'string',
      );
      const sameOperator = wanted.operator === candidate.constraint.operator ? 1 : 0;
      const metadataPenalty = candidate.constraint.path[0] === 'metadata' && overlap === 0 ? 2 : 0;
      candidate.score += overlap * 3 + (lexicon ? lexicon.score : 0) + sameOperator - metadataPenalty;
      out.push(candidate);
    }
  }
  for (const { entry, score } of scored) {
    const kinds = defaultKinds(request, retrieved, entry);
    const read = readOperator(request.intent, entry.type);
    let { operator, value } = read;
    if ((operator === 'regex' || operator === 'not-regex') && entry.type === 'number') continue;
    if ((operator === 'gt' || operator === 'lt') && entry.type !== 'number') continue;
    if (entry.type === 'number' && (operator === 'present' || operator === 'equals') && value === undefined) operator = 'present';
    if (typeof value === 'string' && entry.type === 'number' && /^\d+$/.test(value)) value = Number(value);
    const field = displayPath(entry.path);
    const expectation = expectationFor(operator, field, value);
    const constraint: Constraint = {
      kinds,
      scope: entry.scope,
      path: entry.path,
      operator,
      ...(value !== undefined ? { value } : {}),
      expectation,
      derivedFrom: ['intent', `lexicon:${entry.path.join('.')}`, `cue:${read.cue}`],
    };
    // the examples must agree with it
    if (
      request.examples.deny.some((m) => !constraintDenies(constraint, m)) ||
      request.examples.allow.some((m) => constraintDenies(constraint, m))
    )
      continue;
    const samples: Candidate['samples'] = {};
    if (operator === 'present' || operator === 'regex') samples.violating = entry.sample;
    if (operator === 'missing') samples.compliant = entry.sample;
    if ((operator === 'regex' || operator === 'not-regex') && typeof value === 'string') {
      const literal = `${value.replace(/^\^/, '').replace(/\\(.)/g, '$1')}example`;
      const matching = [entry.sample, literal].find((x) => typeof x === 'string' && safeTest(value, x));
      const other = ['kpc-elsewhere.example/x', 'kpc-example'].find((x) => !safeTest(value, x));
      if (operator === 'regex') samples.violating = matching;
      else {
        samples.violating = other;
        samples.compliant = matching;
      }
    }
    out.push({ constraint, score: score + 1, samples });
  }
  // unique by what they deny
  const seen = new Set<string>();
  return out
    .sort((a, b) => b.score - a.score)
    .filter((c) => {
      const key = describeConstraint(c.constraint);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

export class NoCandidateError extends Error {
  constructor(readonly reasons: string[]) {
    super(`the offline generator found no constraint for this request: ${reasons.join('; ')}`);
    this.name = 'NoCandidateError';
  }
}

/** The offline draft for this attempt: the best candidate not yet rejected. */
export function generateOffline(context: OfflineContext): Draft {
  const { request } = context;
  const candidates = deriveCandidates(request, context.retrieved);
  const fresh = candidates.filter((c) => !context.rejected.includes(describeConstraint(c.constraint)));
  // the intent and the examples disagree: never fall back on the examples' reading silently; the draft keeps asking
  const chosen = candidates[0]?.clarification ? candidates[0] : fresh[0];
  if (!chosen) {
    const reasons = candidates.length
      ? [`all ${candidates.length} candidate constraints were rejected by the guardrails`]
      : [
          request.examples.deny.length
            ? 'no field separates the must-deny examples from the must-allow examples'
            : 'the intent names no field the generator knows; add must-deny and must-allow examples, or configure an LLM (PAC_LLM_BASE_URL)',
        ];
    throw new NoCandidateError(reasons);
  }
  const c = chosen.constraint;
  const policyId = request.policyId ?? request.replaces ?? policyIdFor(c, context.corpusIds);
  const title = sentence(request.intent);
  // small, readable test inputs: up to three kinds, preferring ones whose pod spec sits at different depths
  const preferred = ['Deployment', 'Pod', 'CronJob', 'Service', 'Ingress'];
  const kinds = [...c.kinds].sort((a, b) => (preferred.indexOf(a) + 1 || 99) - (preferred.indexOf(b) + 1 || 99)).slice(0, 3);
  const testBases: TestBase[] = kinds.map((kind) => ({ kind, manifest: synthesize(kind), source: 'synthesized' }));
  const policy = writePolicy(policyId, title, c);
  const tests = writeTests(policyId, c, testBases, request, chosen.samples);
  const category = request.category ?? CATEGORY_BY_KIND[c.kinds[0] as string] ?? CATEGORY_BY_SCOPE[c.scope];
  const scopeWords =
    c.scope === 'container'
      ? 'every container (containers, initContainers, ephemeralContainers) of'
      : c.scope === 'pod'
        ? 'the pod spec of'
        : '';
  return {
    policyId,
    packageName: packageOf(policyId),
    title,
    description:
      `${request.intent.trim()} Denies ${c.kinds.join(', ')} objects when ${displayPath(c.path)} of ${scopeWords || 'the object'} violates: ${c.expectation}. Parameters: ${constraintParameters(
        c,
      )
        .map((p) => p.name)
        .join(', ')}.`.replace(/\s+/g, ' '),
    kinds: c.kinds,
    severity: request.severity,
    category,
    message: `<Kind> <namespace>/<name>: ${c.scope === 'container' ? 'container "<name>" (<list>) ' : ''}sets ${displayPath(c.path)}=<value>; ${c.expectation}`,
    policy,
    tests,
    generator: 'offline',
    constraint: c,
    ...(request.replaces ? { replaces: request.replaces } : {}),
    attempt: context.attempt,
    ...(chosen.clarification ? { clarification: chosen.clarification } : {}),
  };
}

/** A minimal object of a kind that has no house-standard fixture, for tests. */
export function synthesize(kind: string): Record<string, unknown> {
  const metadata = { name: 'kpc-example', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'kpc-example' } };
  const container = { name: 'app', image: 'registry.internal.example/shop/app:1.0.0' };
  const spec = podSpecPath(kind);
  if (spec) {
    const manifest: Record<string, unknown> = { apiVersion: API_VERSION_BY_KIND[kind] ?? 'apps/v1', kind, metadata };
    let node: Record<string, unknown> = manifest;
    for (const key of spec) {
      node[key] = node[key] ?? {};
      node = node[key] as Record<string, unknown>;
    }
    node.containers = [container];
    return manifest;
  }
  return { apiVersion: API_VERSION_BY_KIND[kind] ?? 'v1', kind, metadata, spec: {} };
}

/** For messages and the status query: which fields the generator looked at. */
export function explainCandidate(c: Constraint): string {
  return `${describeConstraint(c)} (from ${c.derivedFrom.join(', ')})`;
}
