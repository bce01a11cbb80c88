/**
 * The rules `pac analyze` reports on — the corpus policies (datasets/policies/index.jsonl) and the
 * built-in exemption checks — and which of them a run evaluates (--policy, --skip, --bundle).
 */
import { bundlePolicies, isBundleName } from '../../datasets/bundles';
import { loadPolicyIndex } from '../../datasets/load';
import { BUNDLE_NAMES, DEFAULT_BUNDLES, type PolicyMeta } from '../../datasets/schemas';
import { EXEMPTION_RULES } from './exemptions';
import type { RuleInfo } from './report';
import { pssLevelOf } from './severity';

/** Bad flags or files of an analysis (unknown policy, bundle or parameter file): exit code 2. */
export class AnalyzeInputError extends Error {
  override name = 'AnalyzeInputError';
}

function helpText(meta: PolicyMeta): string {
  return [
    meta.description,
    '',
    `Denial message: ${meta.message}`,
    ...(meta.pss.length ? [`Pod Security Standards controls: ${meta.pss.join(', ')}`] : []),
    ...(meta.cis.length ? [`CIS Kubernetes Benchmark: ${meta.cis.join(', ')}`] : []),
    ...(meta.parameters.length ? [`Parameters (--params): ${meta.parameters.map((p) => `${p.name} (${p.description})`).join('; ')}`] : []),
    '',
    `Fix: \`pac troubleshoot <file> --policy ${meta.id}\` shows the smallest denied manifest and verified patches; \`pac autofix <file> --policy ${meta.id}\` applies them.`,
    `Exempt one object (with a reason): annotations kpc.io/exempt: "${meta.id}" and kpc.io/exempt-reason: "<why>".`,
  ].join('\n');
}

export function ruleOfPolicy(meta: PolicyMeta): RuleInfo {
  return {
    id: meta.id,
    title: meta.title,
    description: meta.description,
    severity: meta.severity,
    pss: pssLevelOf(meta.pss),
    category: meta.category,
    help: helpText(meta),
    reliability: meta.reliability,
  };
}

export interface Catalogue {
  /** every rule by id: corpus policies and the built-in exemption checks */
  rules: ReadonlyMap<string, RuleInfo>;
  /** the corpus policy ids, sorted */
  policyIds: readonly string[];
}

export function loadCatalogue(index: readonly PolicyMeta[] = loadPolicyIndex()): Catalogue {
  const rules = new Map<string, RuleInfo>();
  for (const meta of index) rules.set(meta.id, ruleOfPolicy(meta));
  for (const rule of EXEMPTION_RULES) rules.set(rule.id, rule);
  return { rules, policyIds: index.map((m) => m.id).sort() };
}

/**
 * The catalogue with the engine's policies that the index does not describe (policies published by
 * the drafting loop): they are reported too, with their id as title and medium severity.
 */
export function withEnginePolicies(catalogue: Catalogue, engineIds: readonly string[]): Catalogue {
  const extra = engineIds.filter((id) => !catalogue.rules.has(id));
  if (extra.length === 0) return catalogue;
  const rules = new Map(catalogue.rules);
  for (const id of extra)
    rules.set(id, {
      id,
      title: id,
      description: `Published policy ${id} (not described in datasets/policies/index.jsonl).`,
      severity: 'medium',
      pss: null,
      category: 'published',
      help: `A policy published by the drafting loop. Exempt one object with kpc.io/exempt: "${id}" and kpc.io/exempt-reason: "<why>".`,
      reliability: 0.5,
    });
  return { rules, policyIds: [...catalogue.policyIds, ...extra].sort() };
}

/** Named sets of policies (datasets/bundles.ts: pss-baseline, pss-restricted, rbac, best-practices, all). */
export interface BundleSource {
  names(): readonly string[];
  /** the bundles a run uses when none is named */
  defaults: readonly string[];
  /** the policy ids of the named bundles (their union), or undefined when a name is unknown */
  policies(names: readonly string[]): string[] | undefined;
}

/** The corpus' bundles (datasets/bundles.ts) over a policy index. */
export function corpusBundles(index: PolicyMeta[]): BundleSource {
  return {
    names: () => BUNDLE_NAMES,
    defaults: DEFAULT_BUNDLES,
    policies: (names) => (names.every(isBundleName) ? bundlePolicies(names, index).map((m) => m.id) : undefined),
  };
}

export interface SelectionOptions {
  /** only these policies (with --bundle: added to the bundles) */
  policies?: readonly string[];
  /** never these */
  skip?: readonly string[];
  /** the named bundles (default: the source's default bundles, unless --policy is given) */
  bundles?: readonly string[];
}

/**
 * The policies a run evaluates: the named bundles (default: the default bundles; with --policy and
 * no bundle: none) plus --policy, minus --skip. An unknown id or bundle is an input error that
 * names the choices.
 */
export function selectPolicies(catalogue: Catalogue, options: SelectionOptions, bundles: BundleSource): string[] {
  const known = new Set(catalogue.policyIds);
  const check = (flag: string, ids: readonly string[]) => {
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length)
      throw new AnalyzeInputError(
        `${flag}: unknown polic${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((u) => `"${u}"`).join(', ')} (see datasets/policies/index.jsonl)`,
      );
  };
  check('--policy', options.policies ?? []);
  check('--skip', options.skip ?? []);
  const named = options.bundles?.length ? options.bundles : options.policies?.length ? [] : bundles.defaults;
  const base = named.length ? bundles.policies(named) : [];
  if (!base) {
    const unknown = named.filter((n) => !bundles.names().includes(n));
    throw new AnalyzeInputError(
      `--bundle: unknown bundle ${unknown.map((u) => `"${u}"`).join(', ')}: expected one of ${bundles.names().join(', ')}`,
    );
  }
  const skip = new Set(options.skip ?? []);
  const selected = [...new Set([...base, ...(options.policies ?? [])])].filter((id) => !skip.has(id)).sort();
  if (selected.length === 0) throw new AnalyzeInputError('no policy left to evaluate (check --policy, --skip and --bundle)');
  return selected;
}
