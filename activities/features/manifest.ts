/**
 * Manifest features: a fixed set of numeric and categorical columns describing one Kubernetes object
 * (security context, images, resources, probes, volumes, service accounts, RBAC, networking, …).
 *
 *   const row = extractManifestFeatures(manifest); // every name of MANIFEST_FEATURES, always
 *
 * The extractor is total: it never throws and always returns every feature of MANIFEST_FEATURES
 * (a feature that does not apply, or whose field is missing or of the wrong type, is 0 or "none"),
 * so rows of any manifests line up column by column for training and for drift monitoring.
 * Booleans are 0/1, counts are numbers, categoricals are strings.
 *
 * Identity and metadata features are read here for every kind; the rest come from the per-kind
 * extractors of KIND_EXTRACTORS (manifest-workloads, -rbac, -networking, -config), in table order.
 * Where a feature mirrors what a corpus policy checks, it follows the policy's reading of the
 * manifest (datasets/policies/<id>/policy.rego): the same container lists, defaults and allowed sets,
 * so "feature > 0" and "the policy denies" agree on the fixtures (test/unit/features-fixtures.test.ts).
 */
import { apiVersionRemoved, BATCH_KINDS, CLUSTER_SCOPED_KINDS, POD_KINDS } from '../../lib/k8s-api';
import { extractConfigMap, extractNamespace, extractServiceAccount } from './manifest-config';
import { MANIFEST_FEATURES, type ManifestFeatures, NONE } from './manifest-features';
import { extractIngress, extractNetworkPolicy, extractService } from './manifest-networking';
import { podMetadataOf } from './manifest-pod';
import { extractBinding, extractRole } from './manifest-rbac';
import { extractAutoscaler, extractDisruptionBudget, extractStorageClaims } from './manifest-scaling';
import type { KindExtractor, ManifestView } from './manifest-view';
import { extractCronJob, extractJob, extractPodSpec } from './manifest-workloads';
import { bit, nonEmpty, num, type Obj, obj, str } from './read-json';

/** The per-kind extractors by family of kinds, run in this order after identity and metadata. */
const FAMILY_EXTRACTORS: readonly (readonly [kinds: Iterable<string>, extract: KindExtractor])[] = [
  [POD_KINDS, extractPodSpec],
  [BATCH_KINDS, extractJob],
  [['CronJob'], extractCronJob],
  [['ServiceAccount'], extractServiceAccount],
  [['Role', 'ClusterRole'], extractRole],
  [['RoleBinding', 'ClusterRoleBinding'], extractBinding],
  [['Service'], extractService],
  [['Ingress'], extractIngress],
  [['NetworkPolicy'], extractNetworkPolicy],
  [['Namespace'], extractNamespace],
  [['ConfigMap'], extractConfigMap],
  [['PodDisruptionBudget'], extractDisruptionBudget],
  [['HorizontalPodAutoscaler'], extractAutoscaler],
  [['PersistentVolumeClaim', ...POD_KINDS], extractStorageClaims],
];

/** Kind → its extractors in family order: the one table extractManifestFeatures dispatches through. */
const KIND_EXTRACTORS: ReadonlyMap<string, readonly KindExtractor[]> = (() => {
  const table = new Map<string, KindExtractor[]>();
  for (const [kinds, extract] of FAMILY_EXTRACTORS) {
    for (const kind of kinds) table.set(kind, [...(table.get(kind) ?? []), extract]);
  }
  return table;
})();

/** Kinds with replicas, where an unset spec.replicas means 1. */
const REPLICA_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);
/** Kinds the house standard wants labelled. */
const LABELLED_KINDS = new Set([...POD_KINDS, 'Service', 'Ingress', 'ConfigMap']);
const REQUIRED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'team'] as const;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

// Built with Object.fromEntries so the template keeps V8's fast properties: a spread copy of it is
// ~10x cheaper than adding 125 keys one by one (which was most of the extraction time).
const EMPTY_ROW: ManifestFeatures = Object.fromEntries(MANIFEST_FEATURES.map((f) => [f.name, f.type === 'numeric' ? 0 : NONE]));

/**
 * The features of one manifest. Total: any value (null, a number, an object of an unknown kind,
 * fields of the wrong type) gives a row with every feature of MANIFEST_FEATURES.
 */
export function extractManifestFeatures(manifest: unknown): ManifestFeatures {
  const f: ManifestFeatures = { ...EMPTY_ROW };
  try {
    fill(f, obj(manifest));
  } catch {
    // a shape nobody anticipated: keep what was filled, the row is still complete
  }
  return f;
}

function fill(f: ManifestFeatures, m: Obj): void {
  const kind = nonEmpty(m.kind) ? m.kind : undefined;
  const metadata = obj(m.metadata);
  const labels = obj(metadata.labels);
  const annotations = obj(metadata.annotations);
  const spec = obj(m.spec);
  extractIdentity(f, m, kind, metadata, spec);
  extractMetadata(f, m, kind, labels, annotations);
  if (kind === undefined) return;
  const view: ManifestView = { raw: m, kind, metadata, labels, annotations, spec };
  for (const extract of KIND_EXTRACTORS.get(kind) ?? []) extract(f, view);
}

function extractIdentity(f: ManifestFeatures, m: Obj, kind: string | undefined, metadata: Obj, spec: Obj): void {
  f.kind = kind ?? NONE;
  const namespace = nonEmpty(metadata.namespace) ? metadata.namespace : undefined;
  f.namespace = namespace ?? NONE;
  f.is_default_namespace = bit(namespace === 'default');
  const clusterScoped = kind !== undefined && CLUSTER_SCOPED_KINDS.has(kind);
  f.is_cluster_scoped = bit(clusterScoped);
  f.namespace_missing = bit(kind !== undefined && !clusterScoped && namespace === undefined);
  f.is_workload = bit(kind !== undefined && POD_KINDS.has(kind));
  f.is_service = bit(kind === 'Service');
  f.api_version_deprecated = bit(apiVersionRemoved(str(m.apiVersion), kind));
  const replicas = num(spec.replicas);
  f.has_replicas = bit(replicas !== undefined);
  f.replicas = replicas ?? (kind !== undefined && REPLICA_KINDS.has(kind) ? 1 : 0);
}

function extractMetadata(f: ManifestFeatures, m: Obj, kind: string | undefined, labels: Obj, annotations: Obj): void {
  f.labels_count = Object.keys(labels).length;
  f.label_app_name = bit(nonEmpty(labels['app.kubernetes.io/name']));
  f.label_app_instance = bit(nonEmpty(labels['app.kubernetes.io/instance']));
  f.label_managed_by = bit(nonEmpty(labels['app.kubernetes.io/managed-by']));
  f.label_team = bit(nonEmpty(labels.team));
  if (kind !== undefined && LABELLED_KINDS.has(kind))
    f.required_labels_missing = REQUIRED_LABELS.filter((l) => !nonEmpty(labels[l])).length;
  // a Pod's own labels are read above; the other workloads carry a pod template with labels of its own
  if (kind !== undefined && kind !== 'Pod' && POD_KINDS.has(kind)) {
    f.template_name_label_missing = bit(!nonEmpty(obj(podMetadataOf(m, kind).labels)['app.kubernetes.io/name']));
  }
  const owner = annotations['kube-pac.io/owner'];
  const ownerValid = typeof owner === 'string' && EMAIL.test(owner);
  f.owner_annotation = bit(ownerValid);
  f.owner_annotation_missing = bit(kind !== undefined && POD_KINDS.has(kind) && !ownerValid);
}
