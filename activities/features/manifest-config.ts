/**
 * Extractors of configuration kinds: ServiceAccount (token mounting), Namespace (its Pod Security
 * level) and ConfigMap (keys, and credentials that belong in a Secret).
 */
import type { ManifestFeatures } from './manifest-features';
import { extractAutomount } from './manifest-pod';
import { credentialKey, holdsPrivateKey, holdsPrivateKeyBase64 } from './manifest-secrets';
import type { ManifestView } from './manifest-view';
import { bit, category, obj } from './read-json';

const PSS_ENFORCE = 'pod-security.kubernetes.io/enforce';

/** ServiceAccount: automountServiceAccountToken (unset means mounted). */
export function extractServiceAccount(f: ManifestFeatures, m: ManifestView): void {
  extractAutomount(f, m.raw.automountServiceAccountToken);
}

/** Namespace: the Pod Security level it enforces. */
export function extractNamespace(f: ManifestFeatures, m: ManifestView): void {
  const level = m.labels[PSS_ENFORCE];
  f.namespace_pss_enforce = category(level);
  f.namespace_pss_weak = bit(level !== 'baseline' && level !== 'restricted');
}

/** ConfigMap: its keys, and those naming credentials or holding a private key. */
export function extractConfigMap(f: ManifestFeatures, m: ManifestView): void {
  const data = obj(m.raw.data);
  const binary = obj(m.raw.binaryData);
  const keys = [...Object.keys(data), ...Object.keys(binary)];
  f.configmap_keys_count = keys.length;
  f.configmap_credential_keys =
    keys.filter(credentialKey).length +
    Object.values(data).filter(holdsPrivateKey).length +
    Object.values(binary).filter(holdsPrivateKeyBase64).length;
}
