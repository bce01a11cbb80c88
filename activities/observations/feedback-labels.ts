/**
 * Real labels for the fix-strategy model, from what people said and what the platform saw. Pure:
 * records in, failure records (`failureRecordSchema`) out.
 *
 * Explicit feedback (`pac feedback`, POST /v1/feedback) → one row per policy and resource, the
 * latest outcome winning:
 *   accepted        the suggested fix was applied and kept → its strategy was right
 *                   (manifest_patch unless the feedback names policy_change);
 *   reverted        the suggested fix was undone → the other strategy was right;
 *   policy_changed, exempted → policy_change was right.
 *
 * Implicit feedback from observations: a resource (same API group, kind, namespace and name) denied
 * by policy P and later observed allowed by P (or exempted from P) is an outcome:
 *   - an exemption annotation naming P appeared (`kpc.io/exempt`)          → exempted (policy_change);
 *   - else a manifest feature P reads changed (the features P's metadata names, through the
 *     feature ⇔ field relevance table)                                     → accepted manifest patch;
 *   - else the corpus digest changed between the two observations (P's text or parameters moved)
 *                                                                          → policy change;
 *   - else it is not explained (an inventory change, a field the relevance table does not cover) and
 *     is counted, not labelled.
 * An implicit outcome for a policy and resource that also has explicit feedback is dropped: the
 * person's word wins.
 *
 * Features of a real row are what the model reads at serving time: the policy's fp_score
 * (fp_scores.jsonl; the prior 0.2 for a policy never measured, e.g. a published draft), reliability,
 * severity and failure type from its metadata, and `developer_revert_history` = explicit `reverted`
 * feedback for the same policy and resource before the row's time.
 */
import { FAILURE_TYPE_OF_CATEGORY, type FailureRecord, failureRecordSchema, type PolicyMeta } from '../../datasets/schemas';
import { isObject } from '../../lib/json';
import { exemptionOf } from '../analyze/exemptions';
import { extractManifestFeatures } from '../features/manifest';
import { relevantFeatures } from '../features/manifest-relevance';
import type { Feedback, Observation } from './schemas';

/** fp_score of a policy without a measurement: the mean of the measurement's Beta prior. */
export const FP_PRIOR = 0.2;

/** What the labels need to know about the policies. */
export interface PolicyFacts {
  meta: ReadonlyMap<string, Pick<PolicyMeta, 'id' | 'features' | 'reliability' | 'severity' | 'category'>>;
  fp: ReadonlyMap<string, number>;
}

type Decision = FailureRecord['decision'];

/** decision + accepted of an explicit feedback record (see the module comment). */
export function feedbackDecision(feedback: Pick<Feedback, 'outcome' | 'strategy'>): { decision: Decision; accepted: boolean } {
  const suggested: Decision = feedback.strategy === 'policy_change' ? 'policy_change' : 'manifest_patch';
  switch (feedback.outcome) {
    case 'accepted':
      return { decision: suggested, accepted: true };
    case 'reverted':
      return { decision: suggested, accepted: false };
    default:
      return { decision: 'policy_change', accepted: true };
  }
}

interface Identity {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string | null;
}

/** "<Kind> <namespace>/<name>" or "<Kind> <name>", as failure records name resources. */
export function resourceName(r: Identity): string {
  const name = r.name ?? '<unnamed>';
  return r.namespace ? `${r.kind} ${r.namespace}/${name}` : `${r.kind} ${name}`;
}

const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');
/** The identity of an object across versions of its API group. */
export const identityKey = (r: Identity): string => [group(r.apiVersion), r.kind, r.namespace ?? '', r.name ?? ''].join('\u0000');
const policyResourceKey = (policy: string, r: Identity) => `${policy}\u0001${identityKey(r)}`;

const isoUtc = (time: string) => new Date(time).toISOString();

export type ImplicitKind = 'manifest_patch' | 'exempted' | 'policy_changed';

export interface ImplicitOutcome {
  policy: string;
  kind: ImplicitKind;
  /** the last observation P denied, and the first later one it allowed (or exempted) */
  denied: Observation;
  allowed: Observation;
  /** the relevant features that changed between the two (manifest_patch) */
  changedFeatures: string[];
}

export interface ImplicitResult {
  outcomes: ImplicitOutcome[];
  /** allowed later without a change this module can explain */
  unexplained: number;
  /** transitions of a policy the facts do not know */
  unknownPolicy: number;
}

/**
 * The denied → allowed transitions in `observations` (any order) and what explains each one.
 * Observations that evaluated nothing (`denied: null`, e.g. imports) and objects without a name are
 * skipped.
 */
export function implicitOutcomes(observations: readonly Observation[], policies: PolicyFacts['meta']): ImplicitResult {
  const byIdentity = new Map<string, Observation[]>();
  for (const o of observations) {
    if (o.denied === null || o.name === null) continue;
    const key = identityKey(o);
    const list = byIdentity.get(key) ?? [];
    list.push(o);
    byIdentity.set(key, list);
  }
  const featureCache = new Map<string, Record<string, unknown>>();
  const features = (o: Observation) => {
    let f = featureCache.get(o.id);
    if (!f) {
      f = extractManifestFeatures(o.manifest) as Record<string, unknown>;
      featureCache.set(o.id, f);
    }
    return f;
  };
  const exemptions = (o: Observation) => new Set(isObject(o.manifest) ? (exemptionOf(o.manifest)?.ids ?? []) : []);
  const result: ImplicitResult = { outcomes: [], unexplained: 0, unknownPolicy: 0 };
  for (const list of byIdentity.values()) {
    list.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
    /** policy → the latest observation it denied (without an exemption of it) */
    const open = new Map<string, Observation>();
    for (const o of list) {
      const denied = new Set(o.denied ?? []);
      const exempt = exemptions(o);
      for (const [policy, before] of open) {
        if (denied.has(policy) && !exempt.has(policy)) continue;
        open.delete(policy);
        const meta = policies.get(policy);
        if (!meta) {
          result.unknownPolicy++;
          continue;
        }
        if (exempt.has(policy) && !exemptions(before).has(policy)) {
          result.outcomes.push({ policy, kind: 'exempted', denied: before, allowed: o, changedFeatures: [] });
          continue;
        }
        const [a, b] = [features(before), features(o)];
        const changed = relevantFeatures(meta).filter((name) => a[name] !== b[name]);
        if (changed.length > 0)
          result.outcomes.push({ policy, kind: 'manifest_patch', denied: before, allowed: o, changedFeatures: changed });
        else if (before.corpusDigest && o.corpusDigest && before.corpusDigest !== o.corpusDigest)
          result.outcomes.push({ policy, kind: 'policy_changed', denied: before, allowed: o, changedFeatures: [] });
        else result.unexplained++;
      }
      for (const policy of denied) if (!exempt.has(policy)) open.set(policy, o);
    }
  }
  result.outcomes.sort((a, b) => a.allowed.time.localeCompare(b.allowed.time) || a.policy.localeCompare(b.policy));
  return result;
}

export interface RealFixRows {
  /** oldest first: explicit (source feedback) and implicit (source observed) rows */
  rows: FailureRecord[];
  counts: { feedback: number; observed: number };
  skipped: {
    /** feedback records replaced by a later one for the same policy and resource */
    superseded: number;
    /** feedback or transitions naming a policy the facts do not know */
    unknownPolicy: number;
    /** implicit outcomes dropped because explicit feedback covers the same policy and resource */
    coveredByFeedback: number;
    /** transitions nothing explains */
    unexplained: number;
  };
}

function baseRow(policy: string, facts: PolicyFacts, identity: Identity, time: string, revertHistory: number) {
  const meta = facts.meta.get(policy);
  if (!meta) return undefined;
  return {
    time: isoUtc(time),
    policy,
    resource: resourceName(identity),
    failure_type: FAILURE_TYPE_OF_CATEGORY[meta.category as keyof typeof FAILURE_TYPE_OF_CATEGORY],
    severity: meta.severity,
    developer_revert_history: revertHistory,
    fp_score: facts.fp.get(policy) ?? FP_PRIOR,
    policy_reliability: meta.reliability,
  };
}

const IMPLICIT_TEXT: Record<ImplicitKind, string> = {
  manifest_patch: 'observed: allowed after a change of the fields it reads',
  exempted: 'observed: allowed after an exemption annotation appeared',
  policy_changed: 'observed: allowed after the policy corpus changed',
};

/** The real failure records: explicit feedback, then implicit outcomes it does not cover. */
export function realFixRows(input: {
  feedback: readonly Feedback[];
  observations: readonly Observation[];
  facts: PolicyFacts;
}): RealFixRows {
  const { facts } = input;
  const skipped: RealFixRows['skipped'] = { superseded: 0, unknownPolicy: 0, coveredByFeedback: 0, unexplained: 0 };
  const feedback = [...input.feedback].sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  // earlier reverts of the same policy on the same resource, replayed in time order
  const reverts = new Map<string, number>();
  const explicit = new Map<string, FailureRecord>();
  for (const f of feedback) {
    const key = policyResourceKey(f.policy, f);
    const history = reverts.get(key) ?? 0;
    if (f.outcome === 'reverted') reverts.set(key, history + 1);
    const base = baseRow(f.policy, facts, f, f.time, history);
    if (!base) {
      skipped.unknownPolicy++;
      continue;
    }
    if (explicit.has(key)) skipped.superseded++;
    explicit.set(
      key,
      failureRecordSchema.parse({
        id: `feedback-${f.id}`,
        ...base,
        message: `explicit feedback: ${f.outcome}${f.strategy ? ` (suggested ${f.strategy})` : ''}`,
        co_denials: 0,
        ...feedbackDecision(f),
        source: 'feedback',
      }),
    );
  }
  const implicit = implicitOutcomes(input.observations, facts.meta);
  skipped.unknownPolicy += implicit.unknownPolicy;
  skipped.unexplained = implicit.unexplained;
  const observed: FailureRecord[] = [];
  for (const outcome of implicit.outcomes) {
    const key = policyResourceKey(outcome.policy, outcome.allowed);
    if (explicit.has(key)) {
      skipped.coveredByFeedback++;
      continue;
    }
    const history = feedback.filter(
      (f) => f.outcome === 'reverted' && f.time < outcome.allowed.time && policyResourceKey(f.policy, f) === key,
    ).length;
    const base = baseRow(outcome.policy, facts, outcome.allowed, outcome.allowed.time, history);
    if (!base) continue;
    observed.push(
      failureRecordSchema.parse({
        id: `observed-${outcome.denied.id}-${outcome.allowed.id}-${outcome.policy}`,
        ...base,
        message:
          outcome.kind === 'manifest_patch'
            ? `${IMPLICIT_TEXT.manifest_patch} (${outcome.changedFeatures.slice(0, 5).join(', ')})`
            : IMPLICIT_TEXT[outcome.kind],
        co_denials: Math.max(0, (outcome.denied.denied?.length ?? 1) - 1),
        decision: outcome.kind === 'manifest_patch' ? 'manifest_patch' : 'policy_change',
        accepted: true,
        source: 'observed',
      }),
    );
  }
  const rows = [...explicit.values(), ...observed].sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  return { rows, counts: { feedback: explicit.size, observed: observed.length }, skipped };
}
