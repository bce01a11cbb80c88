/**
 * Policy bundles: named sets of policies (a policy lists its bundles in its policy.yaml; `all` is
 * every policy). `pac analyze --bundle` selects them; DEFAULT_BUNDLES when none is named.
 *
 *   bundlePolicies(['pss-restricted']).map((m) => m.id); // the Baseline and Restricted policies
 */
import { DatasetError, loadPolicyIndex } from './load';
import { POLICY_INDEX_FILE } from './paths';
import { BUNDLE_NAMES, type BundleName, DEFAULT_BUNDLES, type PolicyMeta } from './schemas';

export { BUNDLE_DESCRIPTIONS, BUNDLE_NAMES, type BundleName, DEFAULT_BUNDLES } from './schemas';

export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

/** Whether `name` is a bundle name. */
export function isBundleName(name: string): name is BundleName {
  return (BUNDLE_NAMES as readonly string[]).includes(name);
}

/**
 * The policies of the named bundles (their union, in index order); an unknown name is a
 * BundleError that lists the known ones. No names means the default bundles.
 */
export function bundlePolicies(names: readonly string[] = DEFAULT_BUNDLES, index: PolicyMeta[] = loadPolicyIndex()): PolicyMeta[] {
  const unknown = names.filter((name) => !isBundleName(name));
  if (unknown.length)
    throw new BundleError(
      `unknown bundle${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => JSON.stringify(n)).join(', ')}; known bundles: ${BUNDLE_NAMES.join(', ')}`,
    );
  const wanted = new Set(names.length ? names : DEFAULT_BUNDLES);
  return index.filter((meta) => wanted.has('all') || meta.bundles.some((bundle) => wanted.has(bundle)));
}

/** Every bundle with its policy ids (for docs and `pac` listings); fails when a named bundle is empty. */
export function bundleTable(index: PolicyMeta[] = loadPolicyIndex()): Record<BundleName, string[]> {
  const table = Object.fromEntries(BUNDLE_NAMES.map((name) => [name, bundlePolicies([name], index).map((m) => m.id)])) as Record<
    BundleName,
    string[]
  >;
  const empty = BUNDLE_NAMES.filter((name) => table[name].length === 0);
  if (empty.length)
    throw new DatasetError(POLICY_INDEX_FILE, [`no policy lists the bundle${empty.length === 1 ? '' : 's'} ${empty.join(', ')}`]);
  return table;
}
