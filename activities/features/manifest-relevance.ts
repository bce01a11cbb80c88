/**
 * Which manifest features say a corpus policy has something to look at in a manifest: the table
 * (data, policy-feature-relevance.json) from the names in the `features` arrays of
 * datasets/policies/index.jsonl to manifest features, and `relevantFeatures`, which the ranker's
 * heuristic and the analyzer read.
 */
import type { PolicyMeta } from '../../datasets/schemas';
import { MANIFEST_FEATURE_NAMES } from './manifest-features';
import relevance from './policy-feature-relevance.json' with { type: 'json' };

/**
 * For every name in the `features` arrays of datasets/policies/index.jsonl: the manifest features
 * whose non-zero value (or non-"none" value) shows the policy has something to look at in a
 * manifest. Violation indicators come first. netpol_present maps to is_workload and is_service:
 * the inventory decides, a manifest can only say it is a namespaced workload or Service.
 */
export const POLICY_FEATURE_RELEVANCE: Record<string, string[]> = relevance;

/** The manifest features that indicate `meta` is relevant, in MANIFEST_FEATURES order, each once. */
export function relevantFeatures(meta: Pick<PolicyMeta, 'features'>): string[] {
  const wanted = new Set(meta.features.flatMap((name) => POLICY_FEATURE_RELEVANCE[name] ?? []));
  return MANIFEST_FEATURE_NAMES.filter((name) => wanted.has(name));
}
