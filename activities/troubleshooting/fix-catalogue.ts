/**
 * The fix catalogue as data: which edit fixes which field, the values the fixes write, and the
 * house standard they bring a manifest to. No logic: fixes.ts and fixes-by-kind.ts turn these into
 * RFC 6902 patches for a concrete manifest.
 *
 * A FieldFix is one candidate: its edits (set a field, remove it, or keep only some list items),
 * each applied only when its condition holds, on paths relative to a container or a pod spec.
 * `reads` are the field names (as Rego spells them) the fix changes: the search tries a fix only
 * when the target policy's Rego reads one of them. Tables are in the order the search tries them.
 */
import type { JsonPatch } from './patch';

export interface FixCandidate {
  /** stable id: operator name and where, e.g. "container.readOnlyRootFilesystem@/spec/template/spec/containers/1" */
  id: string;
  description: string;
  patch: JsonPatch;
  /** field names (as they appear in Rego) this fix changes; used to match the policy's reads */
  reads: string[];
  /** values a person must still supply before applying (the patch holds a placeholder) */
  placeholders: string[];
}

/** Adds a candidate unless its patch is empty (the manifest already has what the fix would write). */
export type Propose = (id: string, description: string, patch: JsonPatch, reads: string[], placeholders?: string[]) => void;

/** A test on the value at `path`: there at all, there and not false, an object, an array (holding `includes`). */
export interface Condition {
  path: string[];
  is: 'present' | 'enabled' | 'object' | 'array';
  includes?: unknown;
}

export type Edit = { field: string[]; when?: Condition[] } & ({ set: unknown } | { remove: true } | { keepOnly: string[] });

export interface FieldFix {
  /** id stem: "container.<id>@<container>" or "pod.<id>@<pod spec>" */
  id: string;
  /** what the fix does; a container fix is prefixed with the container it edits */
  text: string;
  /** applied in order; an edit with `when` only if one of its conditions holds */
  edits: Edit[];
  reads: string[];
}

/** The non-root user and group id the fixes run workloads as. */
export const NON_ROOT_ID = 10001;
const RUNTIME_DEFAULT = { type: 'RuntimeDefault' };

// Row builders, so each table row reads as one sentence: fix(id, text, reads, ...edits).
const fix = (id: string, text: string, reads: string[], ...edits: Edit[]): FieldFix => ({ id, text, reads, edits });
const set = (field: string[], value: unknown, ...when: Condition[]): Edit => ({ field, set: value, ...(when.length ? { when } : {}) });
const remove = (field: string[], ...when: Condition[]): Edit => ({ field, remove: true, ...(when.length ? { when } : {}) });
const keepOnly = (field: string[], items: string[]): Edit => ({ field, keepOnly: items, when: [{ path: field, is: 'array' }] });
const is = (kind: Condition['is'], path: string[], includes?: unknown): Condition =>
  includes === undefined ? { path, is: kind } : { path, is: kind, includes };
const sc = (...field: string[]) => ['securityContext', ...field];
/** removes the field when it is there */
const drop = (field: string[]) => remove(field, is('present', field));

/** securityContext fixes of every container, relative to the container. */
export const CONTAINER_SECURITY_FIXES: readonly FieldFix[] = [
  fix(
    'readOnlyRootFilesystem',
    'set securityContext.readOnlyRootFilesystem=true',
    ['readOnlyRootFilesystem'],
    set(sc('readOnlyRootFilesystem'), true),
  ),
  fix(
    'allowPrivilegeEscalation',
    'set securityContext.allowPrivilegeEscalation=false',
    ['allowPrivilegeEscalation'],
    set(sc('allowPrivilegeEscalation'), false),
  ),
  fix('privileged', 'set securityContext.privileged=false', ['privileged'], set(sc('privileged'), false)),
  fix('runAsNonRoot', 'set securityContext.runAsNonRoot=true', ['runAsNonRoot'], set(sc('runAsNonRoot'), true)),
  fix('runAsUser', `run as the non-root user ${NON_ROOT_ID}`, ['runAsUser'], set(sc('runAsUser'), NON_ROOT_ID)),
  fix('runAsGroup', `run with the non-root group ${NON_ROOT_ID}`, ['runAsGroup'], set(sc('runAsGroup'), NON_ROOT_ID)),
  fix('seccomp', 'use the RuntimeDefault seccomp profile', ['seccompProfile'], set(sc('seccompProfile'), RUNTIME_DEFAULT)),
  fix('appArmor', 'use the RuntimeDefault AppArmor profile', ['appArmorProfile'], set(sc('appArmorProfile'), RUNTIME_DEFAULT)),
  fix('procMount', 'remove securityContext.procMount (Default)', ['procMount'], drop(sc('procMount'))),
  fix('seLinuxType', 'remove the custom SELinux type', ['seLinuxOptions', 'type'], drop(sc('seLinuxOptions', 'type'))),
  fix(
    'seLinuxOptions',
    'remove the custom SELinux user and role',
    ['seLinuxOptions', 'user', 'role'],
    remove(sc('seLinuxOptions'), is('present', sc('seLinuxOptions', 'user')), is('present', sc('seLinuxOptions', 'role'))),
  ),
  fix('hostProcess', 'remove windowsOptions.hostProcess', ['hostProcess', 'windowsOptions'], drop(sc('windowsOptions', 'hostProcess'))),
  fix('capabilitiesAdd', 'add no capability', ['capabilities', 'add'], keepOnly(sc('capabilities', 'add'), ['NET_BIND_SERVICE'])),
  fix('dropAll', 'drop ALL capabilities', ['capabilities', 'drop'], set(sc('capabilities', 'drop'), ['ALL'])),
];

/** Pod-spec fixes of every workload, relative to the pod spec. */
export const POD_SPEC_FIXES: readonly FieldFix[] = [
  ...['hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace'].map((field) =>
    fix(field, `remove ${field} from the pod spec`, [field], remove([field], is('enabled', [field]))),
  ),
  fix('runAsNonRoot', 'set the pod securityContext.runAsNonRoot=true', ['runAsNonRoot'], set(sc('runAsNonRoot'), true)),
  fix(
    'runAsUser',
    `run the pod as the non-root user ${NON_ROOT_ID}`,
    ['runAsUser'],
    set(sc('runAsUser'), NON_ROOT_ID, is('present', sc('runAsUser'))),
  ),
  fix(
    'groups',
    `use the non-root group ${NON_ROOT_ID} for the pod`,
    ['runAsGroup', 'fsGroup', 'supplementalGroups'],
    set(sc('runAsGroup'), NON_ROOT_ID, is('present', sc('runAsGroup'))),
    set(sc('fsGroup'), NON_ROOT_ID, is('present', sc('fsGroup'))),
    remove(sc('supplementalGroups'), is('array', sc('supplementalGroups'), 0)),
  ),
  fix('seccomp', 'set the pod seccompProfile to RuntimeDefault', ['seccompProfile'], set(sc('seccompProfile'), RUNTIME_DEFAULT)),
  fix('sysctls', 'remove the unsafe sysctls', ['sysctls'], remove(sc('sysctls'), is('array', sc('sysctls')))),
  fix('seLinuxType', 'remove the custom SELinux type of the pod', ['seLinuxOptions', 'type'], drop(sc('seLinuxOptions', 'type'))),
  fix(
    'seLinuxOptions',
    'remove the custom SELinux options of the pod',
    ['seLinuxOptions', 'user', 'role'],
    remove(sc('seLinuxOptions'), is('object', sc('seLinuxOptions'))),
  ),
  fix(
    'appArmor',
    'use the RuntimeDefault AppArmor profile for the pod',
    ['appArmorProfile'],
    set(sc('appArmorProfile'), RUNTIME_DEFAULT, is('object', sc('appArmorProfile'))),
  ),
  fix('hostProcess', 'remove windowsOptions.hostProcess from the pod', ['hostProcess'], drop(sc('windowsOptions', 'hostProcess'))),
  fix(
    'automount',
    'set automountServiceAccountToken=false',
    ['automountServiceAccountToken'],
    set(['automountServiceAccountToken'], false),
  ),
];

/** Requests and limits a container gets when it has none. */
export const RESOURCE_DEFAULTS: Record<string, { request: string; limit: string }> = {
  cpu: { request: '100m', limit: '400m' },
  memory: { request: '128Mi', limit: '256Mi' },
  'ephemeral-storage': { request: '64Mi', limit: '128Mi' },
};

/** The probes a long-running container gets: a TCP check on its first port (8080 without one). */
export const PROBES = ['livenessProbe', 'readinessProbe'];
export const DEFAULT_PROBE_PORT = 8080;

/** Stands for the digest of the approved build until a person supplies it. */
export const DIGEST_PLACEHOLDER = `sha256:${'0'.repeat(64)}`;
/** The internal mirror images are pulled through; images already on the internal registries stay. */
export const IMAGE_MIRROR = 'mirror.internal.example';
export const INTERNAL_REGISTRIES = /^(registry|mirror)\.internal\.example\//;

/** Namespaces of the house standard (they have a NetworkPolicy and PDBs in the inventory). */
export const HOUSE_NAMESPACES = ['shop', 'payments', 'platform', 'data', 'observability'];
/** Kinds without a namespace. */
export const CLUSTER_KINDS = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];

/** The labels every resource carries; `name` is the resource's name, "<team>" a placeholder. */
export const requiredLabels = (name: string): Record<string, string> => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/instance': name,
  'app.kubernetes.io/managed-by': 'Helm',
  team: '<team>',
});

/** The served apiVersion of each kind. */
export const CURRENT_API: Record<string, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  CronJob: 'batch/v1',
  Job: 'batch/v1',
  Ingress: 'networking.k8s.io/v1',
  IngressClass: 'networking.k8s.io/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  PodDisruptionBudget: 'policy/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PriorityClass: 'scheduling.k8s.io/v1',
  CustomResourceDefinition: 'apiextensions.k8s.io/v1',
  ValidatingWebhookConfiguration: 'admissionregistration.k8s.io/v1',
  MutatingWebhookConfiguration: 'admissionregistration.k8s.io/v1',
  StorageClass: 'storage.k8s.io/v1',
};
