/**
 * Fix recommender. For a manifest a policy denies:
 *
 * 1. Strategy: the fix-strategy classifier says whether the manifest should be patched or the policy
 *    changed — the registry's champion (MLflow alias `champion` of kpc-fix-strategy, cached by
 *    version, activities/lifecycle/champion.ts); without one (none registered, MLflow down) the
 *    fp_score rule decides and the strategy says so in a note.
 * 2. Manifest fixes: a beam search over the fix catalogue (fixes.ts), guided by the policy's
 *    metadata and by the field names its Rego reads (`opa parse`): only catalogue entries that
 *    touch a field the policy reads are tried. Every level's candidates are evaluated against the
 *    whole corpus in one `opa eval`; a candidate is verified when the target policy allows it and no
 *    policy denies it that did not deny the original. Verified patches are ranked by size.
 * 3. Policy-side changes (when the strategy is `policy_change`): a parameter value derived from the
 *    manifest (registries, ratios, host ports, exempt namespaces …) verified with OPA through
 *    `data.kpc.params`, or, for a policy without parameters, an exemption to add to its Rego (not
 *    verifiable without changing the corpus; marked so).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicyIndex, readJsonl } from '../../datasets/load';
import { FP_SCORES_FILE, POLICIES_DIR } from '../../datasets/paths';
import { FAILURE_TYPE_OF_CATEGORY, fpMeasurementSchema, type PolicyMeta } from '../../datasets/schemas';
import type { Config } from '../../infra/config';
import { isObject } from '../../lib/json';
import { parseQuantity } from '../../lib/quantity';
import { servedChampion } from '../lifecycle/champion';
import { opaParse } from '../opa/opa';
import { fpRule } from '../training/fix';
import { type FixCandidate, generateCandidates } from './fixes';
import { type Denials, evaluateDenials, type PolicyParams } from './oracle';
import { applyPatch, type JsonPatch, patchSize } from './patch';
import { containersOf } from './workload';

type Json = unknown;

export interface VerifiedFix {
  patch: JsonPatch;
  description: string[];
  candidateIds: string[];
  placeholders: string[];
  size: number;
  verification: { targetAllows: boolean; newDenials: string[]; remainingDenials: string[] };
}

export interface PolicyChange {
  kind: 'parameter' | 'exemption';
  policy: string;
  /** parameter: `data.kpc.params` to deploy; exemption: the Rego to add */
  params?: PolicyParams;
  rego?: string;
  description: string;
  reason: string;
  verified: boolean;
}

export interface Strategy {
  decision: 'manifest_patch' | 'policy_change';
  /** P(policy_change) from the model; the policy's fp_score when the rule decided */
  probability: number;
  reason: string;
  /** who decided: the registry's champion (its version) or the fp_score rule (with why) */
  model: { source: 'champion' | 'rule'; version?: string; note?: string };
}

/** The fallback when no fix champion can be served: fp_score above this → policy_change. */
export const FALLBACK_FP_THRESHOLD = 0.5;

export interface Recommendation {
  policy: string;
  strategy: Strategy;
  fixes: VerifiedFix[];
  policyChanges: PolicyChange[];
  denialsBefore: string[];
  searched: { levels: number; candidates: number; batches: number; guidedBy: string[] };
}

// ---------------------------------------------------------------------------------------------
// Guidance: the field names a policy's Rego reads
// ---------------------------------------------------------------------------------------------

/** Every string term in the AST: the keys of refs (`input.spec.hostNetwork`) and literals (`object.get(x, "volumes", [])`). */
export function stringsOfAst(ast: unknown): Set<string> {
  const out = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) for (const n of node) visit(n);
    else if (isObject(node)) {
      if (node.type === 'string' && typeof node.value === 'string') out.add(node.value);
      for (const [key, value] of Object.entries(node)) if (key !== 'location') visit(value);
    }
  };
  visit(ast);
  return out;
}

const readsCache = new Map<string, Set<string>>();

/** The names the policy reads: strings of its AST, its metadata features split into words. */
export async function policyReads(config: Config, meta: PolicyMeta): Promise<Set<string>> {
  const cached = readsCache.get(meta.id);
  if (cached) return cached;
  const { ast } = await opaParse({ opa: config.opa, path: join(POLICIES_DIR, meta.id, 'policy.rego') });
  const reads = stringsOfAst(ast);
  for (const feature of meta.features) {
    reads.add(feature);
    for (const word of feature.split('_')) reads.add(word);
  }
  readsCache.set(meta.id, reads);
  return reads;
}

/** Catalogue entries whose fields the policy reads (case-insensitive). */
export function guidedCandidates(candidates: readonly FixCandidate[], reads: ReadonlySet<string>): FixCandidate[] {
  const lower = new Set([...reads].map((r) => r.toLowerCase()));
  return candidates.filter((c) => c.reads.some((r) => lower.has(r.toLowerCase())));
}

// ---------------------------------------------------------------------------------------------
// Strategy
// ---------------------------------------------------------------------------------------------

let fpScores: Map<string, number> | undefined;

/** Measured fp_score per policy (datasets/failures/fp_scores.jsonl), read once per process. */
function fpScoreOf(policy: string): number {
  fpScores ??= new Map(readJsonl(FP_SCORES_FILE, fpMeasurementSchema).map((m) => [m.policy, m.fp_score]));
  return fpScores.get(policy) ?? 0.2;
}

export function describeResource(manifest: Json): string {
  const m = isObject(manifest) ? manifest : {};
  const meta = isObject(m.metadata) ? m.metadata : {};
  const name = String(meta.name ?? '<unnamed>');
  return meta.namespace ? `${String(m.kind)} ${String(meta.namespace)}/${name}` : `${String(m.kind)} ${name}`;
}

export async function decideStrategy(
  config: Pick<Config, 'mlflow' | 'models'>,
  meta: PolicyMeta,
  manifest: Json,
  coDenials: number,
  revertHistory = 0,
): Promise<Strategy> {
  const fpScore = fpScoreOf(meta.id);
  const facts = [
    `fp_score ${fpScore.toFixed(2)}`,
    `reliability ${meta.reliability}`,
    `severity ${meta.severity}`,
    coDenials === 0 ? 'no other policy denies the resource' : `${coDenials} other polic${coDenials === 1 ? 'y denies' : 'ies deny'} it`,
  ];
  const advice = (decision: Strategy['decision']) =>
    decision === 'policy_change'
      ? 'denials like this one are usually spurious, so change the policy rather than the manifest'
      : 'patch the manifest';
  const served = await servedChampion(config, 'fix');
  if (!served.model) {
    const decision = fpRule(FALLBACK_FP_THRESHOLD)({ fp_score: fpScore });
    const note = `${served.note ?? 'no fix-strategy champion'}; the fp_score rule decided (fp_score > ${FALLBACK_FP_THRESHOLD} → policy_change)`;
    return {
      decision,
      probability: fpScore,
      reason: `the fp_score rule (${facts.join(', ')}): ${advice(decision)} — note: ${note}`,
      model: { source: 'rule', note },
    };
  }
  const prediction = served.model.predict({
    fp_score: fpScore,
    developer_revert_history: revertHistory,
    policy_reliability: meta.reliability,
    severity: meta.severity,
    failure_type: FAILURE_TYPE_OF_CATEGORY[meta.category],
    resource: describeResource(manifest),
  });
  const reason = `the fix-strategy classifier (champion version ${served.version}) gives P(policy_change)=${prediction.probability.toFixed(2)} (${facts.join(', ')}): ${advice(prediction.decision)}${served.note ? ` — note: ${served.note}` : ''}`;
  return {
    decision: prediction.decision,
    probability: prediction.probability,
    reason,
    model: { source: 'champion', ...(served.version ? { version: served.version } : {}), ...(served.note ? { note: served.note } : {}) },
  };
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

interface State {
  manifest: Json;
  patch: JsonPatch;
  steps: FixCandidate[];
}

export interface RecommendOptions {
  manifest: Json;
  policy: string;
  /** denials of the original manifest (evaluated when absent) */
  denialsBefore?: Denials;
  maxDepth?: number;
  beamWidth?: number;
  /** how many verified fixes to return (default 5) */
  limit?: number;
  /** false: try the whole fix catalogue instead of what the policy reads (for comparison) */
  guided?: boolean;
  /** override the strategy (e.g. ask for manifest fixes whatever the classifier says) */
  strategy?: 'manifest_patch' | 'policy_change';
  revertHistory?: number;
}

const targetCount = (d: Denials, policy: string) => d[policy]?.length ?? 0;

export async function searchManifestFixes(
  config: Config,
  input: {
    manifest: Json;
    policy: string;
    before: Denials;
    /** the policy's reads; undefined = try the whole catalogue (no guidance) */
    reads?: ReadonlySet<string>;
    maxDepth?: number;
    beamWidth?: number;
  },
): Promise<{ fixes: VerifiedFix[]; levels: number; candidates: number; batches: number }> {
  const maxDepth = input.maxDepth ?? 4;
  const beamWidth = input.beamWidth ?? 4;
  const beforeSet = new Set(Object.keys(input.before));
  let frontier: State[] = [{ manifest: input.manifest, patch: [], steps: [] }];
  const verified = new Map<string, VerifiedFix>();
  let candidates = 0;
  let batches = 0;
  let levels = 0;
  for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
    levels = depth;
    const next: State[] = [];
    const seen = new Set<string>();
    for (const state of frontier) {
      const all = generateCandidates(state.manifest);
      for (const candidate of input.reads ? guidedCandidates(all, input.reads) : all) {
        if (state.steps.some((s) => s.id === candidate.id)) continue;
        let manifest: Json;
        try {
          manifest = applyPatch(state.manifest, candidate.patch);
        } catch {
          continue;
        }
        const key = JSON.stringify(manifest);
        if (seen.has(key)) continue;
        seen.add(key);
        next.push({ manifest, patch: [...state.patch, ...candidate.patch], steps: [...state.steps, candidate] });
      }
    }
    if (next.length === 0) break;
    candidates += next.length;
    batches += 1;
    const after = await evaluateDenials({ config, manifests: next.map((s) => s.manifest) });
    const scored = next.map((state, i) => {
      const d = after[i] as Denials;
      const newDenials = Object.keys(d).filter((p) => !beforeSet.has(p));
      return { state, d, newDenials, remaining: targetCount(d, input.policy) };
    });
    for (const s of scored) {
      if (s.remaining > 0 || s.newDenials.length > 0) continue;
      const key = JSON.stringify(s.state.patch);
      if (verified.has(key)) continue;
      verified.set(key, {
        patch: s.state.patch,
        description: s.state.steps.map((c) => c.description),
        candidateIds: s.state.steps.map((c) => c.id),
        placeholders: [...new Set(s.state.steps.flatMap((c) => c.placeholders))],
        size: patchSize(s.state.patch),
        verification: { targetAllows: true, newDenials: [], remainingDenials: Object.keys(s.d).sort() },
      });
    }
    if (verified.size > 0) break; // the smallest fixes are at this depth
    // keep the states that removed the most target denials without new ones
    frontier = scored
      .filter((s) => s.newDenials.length === 0)
      .sort((a, b) => a.remaining - b.remaining || patchSize(a.state.patch) - patchSize(b.state.patch))
      .slice(0, beamWidth)
      .map((s) => s.state);
  }
  const fixes = [...verified.values()].sort((a, b) => a.size - b.size || a.candidateIds.join().localeCompare(b.candidateIds.join()));
  return { fixes, levels, candidates, batches };
}

// ---------------------------------------------------------------------------------------------
// Policy-side changes
// ---------------------------------------------------------------------------------------------

function ratioCeil(x: number): number {
  return Math.ceil(x * 2) / 2;
}

/** Parameter values that would let this manifest through, derived from the manifest. */
export function parameterProposals(meta: PolicyMeta, manifest: Json): { params: PolicyParams; description: string }[] {
  const m = isObject(manifest) ? manifest : {};
  const meta0 = isObject(m.metadata) ? m.metadata : {};
  const out: { params: PolicyParams; description: string }[] = [];
  const param = (name: string) => meta.parameters.find((p) => p.name === name);
  const containers = containersOf(manifest).map((c) => c.container);
  const add = (name: string, value: unknown, description: string) => {
    if (param(name)) out.push({ params: { [meta.id]: { [name]: value } }, description });
  };
  switch (meta.id) {
    case 'image-allowed-registries': {
      const registries = [...new Set(containers.map((c) => String(c.image ?? '').split('/')[0] ?? '').filter(Boolean))];
      const defaults = (param('registries')?.default as string[] | undefined) ?? [];
      add(
        'registries',
        [...defaults, ...registries.map((r) => `${r}/`)],
        `allow the registr${registries.length === 1 ? 'y' : 'ies'} ${registries.join(', ')}`,
      );
      break;
    }
    case 'metadata-required-labels': {
      const labels = isObject(meta0.labels) ? meta0.labels : {};
      const defaults = (param('labels')?.default as string[] | undefined) ?? [];
      add(
        'labels',
        defaults.filter((l) => labels[l] !== undefined),
        'require only the labels this resource carries',
      );
      break;
    }
    case 'namespace-pss-labels':
      add('exempt_namespaces', [String(meta0.name ?? '')], `exempt namespace ${String(meta0.name)}`);
      break;
    case 'pss-host-ports': {
      const ports = containers.flatMap((c) =>
        Array.isArray(c.ports) ? c.ports.filter(isObject).flatMap((p) => (p.hostPort !== undefined ? [p.hostPort] : [])) : [],
      );
      add('allowed_host_ports', [...new Set(ports)], `allow host port${ports.length === 1 ? '' : 's'} ${ports.join(', ')}`);
      break;
    }
    case 'replicas-minimum': {
      const replicas = isObject(m.spec) && typeof m.spec.replicas === 'number' ? m.spec.replicas : 1;
      add('min', replicas, `lower the minimum to ${replicas} replica${replicas === 1 ? '' : 's'}`);
      break;
    }
    case 'rbac-cluster-admin-binding': {
      const subjects = Array.isArray(m.subjects) ? m.subjects.filter(isObject) : [];
      const keys = subjects.map((s) =>
        s.kind === 'ServiceAccount'
          ? `ServiceAccount:${String(s.namespace ?? (m.kind === 'RoleBinding' ? (meta0.namespace ?? '') : ''))}/${String(s.name ?? '')}`
          : `${String(s.kind ?? '')}:${String(s.name ?? '')}`,
      );
      add('allowed_subjects', keys, `allow ${keys.join(', ')} to hold cluster-admin`);
      break;
    }
    case 'resources-limit-request-ratio': {
      const ratios: Record<string, number> = { cpu: 0, memory: 0 };
      for (const c of containers) {
        const res = isObject(c.resources) ? c.resources : {};
        for (const r of ['cpu', 'memory']) {
          const req = parseQuantity((isObject(res.requests) ? res.requests : {})[r]);
          const lim = parseQuantity((isObject(res.limits) ? res.limits : {})[r]);
          if (req && lim) ratios[r] = Math.max(ratios[r] ?? 0, lim / req);
        }
      }
      const params: Record<string, unknown> = {};
      if ((ratios.cpu ?? 0) > 0) params.max_cpu_ratio = ratioCeil(ratios.cpu as number);
      if ((ratios.memory ?? 0) > 0) params.max_memory_ratio = ratioCeil(ratios.memory as number);
      if (Object.keys(params).length)
        out.push({ params: { [meta.id]: params }, description: `raise the allowed limit/request ratios to ${JSON.stringify(params)}` });
      break;
    }
    default:
      break;
  }
  return out;
}

export function exemptionRego(meta: PolicyMeta, manifest: Json): string {
  const m = isObject(manifest) ? manifest : {};
  const meta0 = isObject(m.metadata) ? m.metadata : {};
  const conditions = [`input.kind == ${JSON.stringify(m.kind)}`, `k8s.name == ${JSON.stringify(meta0.name ?? '')}`];
  if (meta0.namespace) conditions.push(`k8s.namespace == ${JSON.stringify(meta0.namespace)}`);
  return [
    `# in datasets/policies/${meta.id}/policy.rego: add "not exempt" to every deny rule, and`,
    'exempt if {',
    ...conditions.map((c) => `\t${c}`),
    '}',
  ].join('\n');
}

export async function policyChanges(config: Config, meta: PolicyMeta, manifest: Json, strategy: Strategy): Promise<PolicyChange[]> {
  const proposals = parameterProposals(meta, manifest);
  const out: PolicyChange[] = [];
  for (const proposal of proposals) {
    const [denials] = await evaluateDenials({ config, manifests: [manifest], policies: [meta.id], params: proposal.params });
    out.push({
      kind: 'parameter',
      policy: meta.id,
      params: proposal.params,
      description: `${proposal.description} (data.kpc.params.${meta.id})`,
      reason: strategy.reason,
      verified: targetCount(denials ?? {}, meta.id) === 0,
    });
  }
  if (!out.some((c) => c.verified)) {
    out.push({
      kind: 'exemption',
      policy: meta.id,
      rego: exemptionRego(meta, manifest),
      description: `exempt ${describeResource(manifest)} from ${meta.id}${meta.parameters.length ? '' : ' (the policy has no parameters)'}`,
      reason: strategy.reason,
      verified: false,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

export class RecommendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecommendError';
  }
}

export function policyMeta(id: string): PolicyMeta {
  const meta = loadPolicyIndex().find((m) => m.id === id);
  if (!meta) throw new RecommendError(`unknown policy "${id}": not in datasets/policies/index.jsonl`);
  return meta;
}

export async function recommendFixes(config: Config, options: RecommendOptions): Promise<Recommendation> {
  const meta = policyMeta(options.policy);
  const before = options.denialsBefore ?? ((await evaluateDenials({ config, manifests: [options.manifest] }))[0] as Denials);
  if (targetCount(before, options.policy) === 0)
    throw new RecommendError(`${options.policy} does not deny ${describeResource(options.manifest)}: nothing to fix`);
  const coDenials = Object.keys(before).filter((p) => p !== options.policy).length;
  const classified = await decideStrategy(config, meta, options.manifest, coDenials, options.revertHistory);
  const strategy = options.strategy
    ? { ...classified, decision: options.strategy, reason: `${classified.reason} (overridden: ${options.strategy})` }
    : classified;
  const reads = options.guided === false ? undefined : await policyReads(config, meta);
  const search = await searchManifestFixes(config, {
    manifest: options.manifest,
    policy: options.policy,
    before,
    reads,
    maxDepth: options.maxDepth,
    beamWidth: options.beamWidth,
  });
  const changes = strategy.decision === 'policy_change' ? await policyChanges(config, meta, options.manifest, strategy) : [];
  return {
    policy: options.policy,
    strategy,
    fixes: search.fixes.slice(0, options.limit ?? 5),
    policyChanges: changes,
    denialsBefore: Object.keys(before).sort(),
    searched: { levels: search.levels, candidates: search.candidates, batches: search.batches, guidedBy: [...meta.features] },
  };
}

/** Re-checks a patch independently: apply it, evaluate the whole corpus. */
export async function verifyPatch(
  config: Config,
  input: { manifest: Json; patch: JsonPatch; policy: string; before?: Denials },
): Promise<{ targetAllows: boolean; newDenials: string[]; remainingDenials: string[]; patched: Json }> {
  const patched = applyPatch(input.manifest, input.patch);
  const [before, after] = input.before
    ? [input.before, (await evaluateDenials({ config, manifests: [patched] }))[0] as Denials]
    : ((await evaluateDenials({ config, manifests: [input.manifest, patched] })) as [Denials, Denials]);
  const newDenials = Object.keys(after).filter((p) => !(p in before));
  return { targetAllows: targetCount(after, input.policy) === 0, newDenials, remainingDenials: Object.keys(after).sort(), patched };
}

export function readRegoSource(policy: string): string {
  return readFileSync(join(POLICIES_DIR, policy, 'policy.rego'), 'utf8');
}
