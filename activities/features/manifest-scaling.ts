/**
 * Extractors of the kinds that bound a workload's scale and storage: PodDisruptionBudget (how many
 * pods may be evicted), HorizontalPodAutoscaler (its replica bounds) and the storage claims of
 * PersistentVolumeClaims, StatefulSet volumeClaimTemplates and generic ephemeral volumes.
 */
import { podTemplatePath } from '../../lib/k8s-api';
import type { ManifestFeatures } from './manifest-features';
import type { ManifestView } from './manifest-view';
import { bit, countIf, num, objs, path, str } from './read-json';

/** "25%" → 25; undefined for anything else. */
function percent(value: unknown): number | undefined {
  const text = str(value);
  return text !== undefined && /^\d+%$/.test(text) ? Number(text.slice(0, -1)) : undefined;
}

/** PodDisruptionBudget: minAvailable as a count or a percentage, and a maxUnavailable of zero. */
export function extractDisruptionBudget(f: ManifestFeatures, m: ManifestView): void {
  f.pdb_min_available = num(m.spec.minAvailable) ?? 0;
  f.pdb_min_available_percent = percent(m.spec.minAvailable) ?? 0;
  const max = m.spec.maxUnavailable;
  f.pdb_max_unavailable_zero = bit(max === 0 || max === '0' || percent(max) === 0);
}

/** HorizontalPodAutoscaler (v1 and v2): the replica bounds (minReplicas defaults to 1). */
export function extractAutoscaler(f: ManifestFeatures, m: ManifestView): void {
  f.hpa_min_replicas = num(m.spec.minReplicas) ?? 1;
  f.hpa_max_replicas = num(m.spec.maxReplicas) ?? 0;
}

/** Storage claims: a PersistentVolumeClaim, a StatefulSet's volumeClaimTemplates, generic ephemeral volumes. */
export function extractStorageClaims(f: ManifestFeatures, m: ManifestView): void {
  if (m.kind === 'PersistentVolumeClaim') {
    f.storage_claims_count = 1;
    return;
  }
  const template = podTemplatePath(m.kind);
  const volumes = template ? objs(path(m.raw, ...template, 'spec', 'volumes')) : [];
  const templates = m.kind === 'StatefulSet' ? objs(m.spec.volumeClaimTemplates).length : 0;
  f.storage_claims_count = templates + countIf(volumes, (v) => path(v, 'ephemeral', 'volumeClaimTemplate') !== undefined);
}
