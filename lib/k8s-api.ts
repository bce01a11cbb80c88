/**
 * Facts of the Kubernetes API that any reader of manifests needs, with no policy or feature logic:
 * where a workload keeps its pod template, which kinds are cluster-scoped, which apiVersions were
 * removed. Data and lookups only.
 *
 *   podTemplatePath('CronJob'); // ['spec', 'jobTemplate', 'spec', 'template'] — its metadata and spec
 */

/** The controllers whose pod template sits at spec.template. */
export const TEMPLATE_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'ReplicationController',
]);

const POD_TEMPLATE_PATHS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  // a Pod is its own template: metadata and spec at the top
  ['Pod', []],
  ...[...TEMPLATE_KINDS].map((kind): [string, readonly string[]] => [kind, ['spec', 'template']]),
  ['CronJob', ['spec', 'jobTemplate', 'spec', 'template']],
]);

/** The kinds that run pods: Pod, the template controllers and CronJob. */
export const POD_KINDS: ReadonlySet<string> = new Set(POD_TEMPLATE_PATHS.keys());

/** The kinds whose pods run to completion (batch/v1). */
export const BATCH_KINDS: ReadonlySet<string> = new Set(['Job', 'CronJob']);

/**
 * The path of the object holding the pod's `metadata` and `spec` in a manifest of this kind ([] for
 * a Pod), or undefined for kinds that run no pods.
 */
export function podTemplatePath(kind: string): readonly string[] | undefined {
  return POD_TEMPLATE_PATHS.get(kind);
}

/** The path of the pod spec in a manifest of this kind, or undefined for kinds that run no pods. */
export function podSpecPath(kind: string): string[] | undefined {
  const template = POD_TEMPLATE_PATHS.get(kind);
  return template ? [...template, 'spec'] : undefined;
}

/** Every list of containers a pod spec may hold. */
export const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** Kinds that live outside namespaces. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'CustomResourceDefinition',
  'PodSecurityPolicy',
  'ClusterRole',
  'ClusterRoleBinding',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'APIService',
  'CertificateSigningRequest',
  'ClusterIssuer',
  'ComponentStatus',
  'CSIDriver',
  'CSINode',
  'FlowSchema',
  'IngressClass',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'RuntimeClass',
  'SelfSubjectAccessReview',
  'SelfSubjectReview',
  'SelfSubjectRulesReview',
  'SubjectAccessReview',
  'TokenReview',
  'VolumeAttachment',
]);

/** apiVersions removed from Kubernetes, with the kinds they were removed for ("*": all). */
const REMOVED_API_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  'extensions/v1beta1': ['Deployment', 'DaemonSet', 'ReplicaSet', 'NetworkPolicy', 'PodSecurityPolicy', 'Ingress'],
  'apps/v1beta1': ['*'],
  'apps/v1beta2': ['*'],
  'batch/v1beta1': ['CronJob'],
  'batch/v2alpha1': ['CronJob'],
  'policy/v1beta1': ['PodDisruptionBudget', 'PodSecurityPolicy'],
  'networking.k8s.io/v1beta1': ['Ingress', 'IngressClass'],
  'rbac.authorization.k8s.io/v1beta1': ['*'],
  'rbac.authorization.k8s.io/v1alpha1': ['*'],
  'autoscaling/v2beta1': ['HorizontalPodAutoscaler'],
  'autoscaling/v2beta2': ['HorizontalPodAutoscaler'],
  'apiextensions.k8s.io/v1beta1': ['CustomResourceDefinition'],
  'admissionregistration.k8s.io/v1beta1': ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
  'apiregistration.k8s.io/v1beta1': ['APIService'],
  'certificates.k8s.io/v1beta1': ['CertificateSigningRequest'],
  'coordination.k8s.io/v1beta1': ['Lease'],
  'scheduling.k8s.io/v1beta1': ['PriorityClass'],
  'storage.k8s.io/v1beta1': ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment', 'CSIStorageCapacity'],
  'discovery.k8s.io/v1beta1': ['EndpointSlice'],
  'events.k8s.io/v1beta1': ['Event'],
  'node.k8s.io/v1beta1': ['RuntimeClass'],
  'flowcontrol.apiserver.k8s.io/v1beta1': ['FlowSchema', 'PriorityLevelConfiguration'],
  'flowcontrol.apiserver.k8s.io/v1beta2': ['FlowSchema', 'PriorityLevelConfiguration'],
  'flowcontrol.apiserver.k8s.io/v1beta3': ['FlowSchema', 'PriorityLevelConfiguration'],
};

/** Whether `apiVersion` was removed from Kubernetes for `kind`. */
export function apiVersionRemoved(apiVersion: string | undefined, kind: string | undefined): boolean {
  if (apiVersion === undefined || kind === undefined) return false;
  // own keys only: an apiVersion such as "constructor" must not reach Object.prototype
  const kinds = Object.hasOwn(REMOVED_API_VERSIONS, apiVersion) ? REMOVED_API_VERSIONS[apiVersion] : undefined;
  return kinds !== undefined && (kinds.includes('*') || kinds.includes(kind));
}
