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
 * Where a feature mirrors what a corpus policy checks, it follows the policy's reading of the
 * manifest (datasets/policies/<id>/policy.rego): the same container lists, defaults and allowed sets,
 * so "feature > 0" and "the policy denies" agree on the fixtures (test/unit/features.test.ts).
 */
import type { PolicyMeta } from '../../datasets/schemas';
import { parseQuantity } from '../../lib/quantity';

export type ManifestFeatures = Record<string, number | string>;

export type FeatureType = 'numeric' | 'categorical';

export interface FeatureSpec {
  name: string;
  type: FeatureType;
  description: string;
}

/** Registries images may come from (the default of image-allowed-registries). */
export const ALLOWED_REGISTRIES = ['registry.internal.example/', 'mirror.internal.example/'] as const;

/** The categorical value of a feature that does not apply or has no value. */
export const NONE = 'none';

// ---------------------------------------------------------------------------------------------
// The feature list, in column order.

const n = (name: string, description: string): FeatureSpec => ({ name, type: 'numeric', description });
const c = (name: string, description: string): FeatureSpec => ({ name, type: 'categorical', description });

export const MANIFEST_FEATURES: readonly FeatureSpec[] = Object.freeze([
  // identity
  c('kind', 'kind of the object ("none" when missing)'),
  c('namespace', 'metadata.namespace ("none" when unset)'),
  n('is_default_namespace', 'metadata.namespace is "default"'),
  n('namespace_missing', 'a namespaced kind without metadata.namespace'),
  n('is_cluster_scoped', 'the kind is cluster-scoped'),
  n('is_workload', 'a kind with a pod template (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController)'),
  n('is_service', 'kind Service'),
  n('api_version_deprecated', 'the apiVersion of this kind was removed from Kubernetes'),
  n('has_replicas', 'spec.replicas is a number'),
  n('replicas', 'spec.replicas; 1 when unset on a Deployment, StatefulSet or ReplicaSet; 0 for other kinds'),
  // metadata
  n('labels_count', 'number of metadata.labels'),
  n('label_app_name', 'label app.kubernetes.io/name is set'),
  n('label_app_instance', 'label app.kubernetes.io/instance is set'),
  n('label_managed_by', 'label app.kubernetes.io/managed-by is set'),
  n('label_team', 'label team is set'),
  n(
    'required_labels_missing',
    'required labels (name, instance, managed-by, team) missing, for workloads, Services, Ingresses and ConfigMaps',
  ),
  n('template_name_label_missing', 'the pod template lacks label app.kubernetes.io/name (template kinds)'),
  n('owner_annotation', 'annotation kube-pac.io/owner holds an email address'),
  n('owner_annotation_missing', 'a workload without a valid kube-pac.io/owner annotation'),
  // pod level
  n('pod_spec_present', "the object has a pod spec at its kind's template path"),
  n('windows_pod', 'spec.os.name is "windows"'),
  n('pod_run_as_non_root', 'pod securityContext.runAsNonRoot is true'),
  n('pod_run_as_user_root', 'pod securityContext.runAsUser is 0'),
  n('pod_run_as_group_root', 'pod securityContext.runAsGroup is 0'),
  n('pod_fs_group_root', 'pod securityContext.fsGroup is 0'),
  n('pod_supplemental_group_root', 'pod securityContext.supplementalGroups contains 0'),
  n('pod_fs_group_set', 'pod securityContext.fsGroup is a number'),
  c('pod_seccomp_type', 'pod securityContext.seccompProfile.type ("unset"; "none" without a pod spec)'),
  n('sysctls_count', 'pod securityContext.sysctls entries'),
  n('unsafe_sysctls_count', 'sysctls outside the Pod Security Standards safe set'),
  n('host_network', 'spec.hostNetwork is true'),
  n('host_pid', 'spec.hostPID is true'),
  n('host_ipc', 'spec.hostIPC is true'),
  n('share_process_namespace', 'spec.shareProcessNamespace is true'),
  n('host_process', 'windowsOptions.hostProcess=true on the pod or containers (count)'),
  // containers
  n('containers_count', 'entries of containers'),
  n('init_containers_count', 'entries of initContainers'),
  n('ephemeral_containers_count', 'entries of ephemeralContainers'),
  n('total_containers', 'containers of all three lists'),
  n('privileged_count', 'containers with securityContext.privileged=true'),
  n('allow_privilege_escalation_true_count', 'containers with allowPrivilegeEscalation=true'),
  n(
    'allow_privilege_escalation_unset_count',
    'containers without allowPrivilegeEscalation (defaults to true; not counted on Windows pods)',
  ),
  n('read_only_root_fs_false_count', 'containers with readOnlyRootFilesystem=false (not counted on Windows pods)'),
  n('read_only_root_fs_unset_count', 'containers without readOnlyRootFilesystem (not counted on Windows pods)'),
  n('run_as_non_root_missing_count', 'containers whose effective runAsNonRoot (container, else pod) is not true'),
  n('container_run_as_user_root_count', 'containers with securityContext.runAsUser=0'),
  n('container_run_as_group_root_count', 'containers with securityContext.runAsGroup=0'),
  n('capabilities_added_count', 'capabilities in securityContext.capabilities.add, over all containers'),
  n('capabilities_not_baseline_count', 'added capabilities outside the Baseline set'),
  n('capabilities_not_restricted_count', 'added capabilities other than NET_BIND_SERVICE (the Restricted level allows only it)'),
  n('dangerous_capabilities_count', 'added capabilities from the dangerous set (SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE, SYS_MODULE, …)'),
  n('capabilities_drop_all_missing_count', 'containers whose capabilities.drop lacks ALL (not counted on Windows pods)'),
  n('proc_mount_unmasked_count', 'containers with a procMount other than Default'),
  n('seccomp_unconfined_count', 'seccomp profiles (pod and containers) of a type other than RuntimeDefault or Localhost'),
  n('seccomp_missing_count', 'containers without a seccomp profile when the pod has no valid one (not counted on Windows pods)'),
  n('selinux_custom_count', 'seLinuxOptions (pod and containers) with a custom type, user or role'),
  n('apparmor_unconfined_count', 'AppArmor settings (annotations, appArmorProfile) other than RuntimeDefault/Localhost'),
  // images
  n('image_untagged_count', 'images with neither tag nor digest'),
  n('image_latest_count', 'images tagged latest without a digest'),
  n('image_unpinned_count', 'images not pinned by an @sha256 digest'),
  n('image_registry_not_allowed_count', 'images from a registry outside the allowed list'),
  n('distinct_registries', 'distinct registries of the images'),
  c('image_registry', 'registry of the first container\'s image ("none" without containers)'),
  // resources (containers and initContainers)
  n('resources_missing_count', 'containers and init containers without a resources block'),
  n('cpu_requests_missing', 'containers and init containers without resources.requests.cpu'),
  n('memory_requests_missing', 'containers and init containers without resources.requests.memory'),
  n('ephemeral_storage_requests_missing', 'containers and init containers without resources.requests.ephemeral-storage'),
  n('cpu_limits_missing', 'containers and init containers without resources.limits.cpu'),
  n('memory_limits_missing', 'containers and init containers without resources.limits.memory'),
  n('ephemeral_storage_limits_missing', 'containers and init containers without resources.limits.ephemeral-storage'),
  n('max_cpu_limit_ratio', 'largest cpu limit / request over containers with both (0 when none)'),
  n('max_memory_limit_ratio', 'largest memory limit / request over containers with both (0 when none)'),
  // probes
  n('liveness_probe_missing', 'long-running containers (containers of non-batch kinds) without livenessProbe'),
  n('readiness_probe_missing', 'long-running containers without readinessProbe'),
  // volumes and ports
  n('volumes_count', 'pod volumes'),
  n('hostpath_volumes', 'hostPath volumes'),
  n('emptydir_volumes', 'emptyDir volumes'),
  n('configmap_volumes', 'configMap volumes'),
  n('secret_volumes', 'secret volumes'),
  n('pvc_volumes', 'persistentVolumeClaim volumes'),
  n('projected_volumes', 'projected volumes'),
  n('non_restricted_volumes', 'volumes of a type outside the Restricted set'),
  n('host_ports_count', 'container ports with a hostPort'),
  // service account and env
  n('service_account_set', 'the pod names a service account other than "default"'),
  n('service_account_default', 'the pod runs as the "default" service account (unset or "default")'),
  c('automount_sa_token', 'automountServiceAccountToken of the pod spec or ServiceAccount: "true", "false", "unset" ("none" otherwise)'),
  n('automount_token_enabled', 'a pod spec or ServiceAccount that does not set automountServiceAccountToken: false'),
  n('env_vars_count', 'env entries over all containers'),
  n('env_secret_literal_count', 'env entries with a secret-looking name and a literal value'),
  n('env_secret_ref_count', 'env entries taken from a Secret (valueFrom.secretKeyRef)'),
  // batch
  n('job_ttl_missing', 'a Job or CronJob without a numeric ttlSecondsAfterFinished'),
  n('job_backoff_limit_missing', 'a Job or CronJob without a numeric backoffLimit'),
  c('cronjob_concurrency_policy', 'CronJob spec.concurrencyPolicy ("unset"; "none" for other kinds)'),
  n('cronjob_concurrency_allowed', 'a CronJob whose concurrencyPolicy is neither Forbid nor Replace'),
  // RBAC
  n('rbac_rules_count', 'rules of a Role or ClusterRole'),
  n('rbac_wildcard_verbs', 'rules granting verb "*"'),
  n('rbac_wildcard_resources', 'rules granting resource "*"'),
  n('rbac_secret_read', 'rules granting get/list/watch on secrets in the core group'),
  n('rbac_escalation_verbs', 'rules granting escalate, bind or impersonate'),
  n('rbac_pod_exec', 'rules granting exec, attach or port-forward into pods'),
  n('rbac_nodes_proxy', 'ClusterRole rules granting nodes/proxy (cluster-scoped: a Role cannot grant it)'),
  n('rbac_pv_create', 'ClusterRole rules granting create on persistentvolumes'),
  n('rbac_webhook_write', 'ClusterRole rules granting writes on admission webhook configurations'),
  n('rbac_role_ref_cluster_admin', 'a binding whose roleRef is ClusterRole cluster-admin'),
  n('rbac_subjects_count', 'subjects of a binding'),
  n('rbac_system_masters_subject', 'subjects that are Group system:masters'),
  n('rbac_default_sa_subject', 'subjects that are a ServiceAccount named default'),
  // Service
  c('service_type', 'Service spec.type (ClusterIP when unset; "none" for other kinds)'),
  n('service_ports_count', 'Service spec.ports entries'),
  n('service_nodeport_type', 'a Service of type NodePort'),
  n('service_lb_type', 'a Service of type LoadBalancer'),
  n('service_lb_unapproved', 'a LoadBalancer Service without the annotation kube-pac.io/external-exposure: approved'),
  n('service_node_ports_count', 'Service ports with an explicit nodePort'),
  n('service_external_ips_count', 'Service spec.externalIPs entries'),
  // Ingress
  n('ingress_hosts_count', 'Ingress rules with a host'),
  n('ingress_wildcard_hosts', 'wildcard hosts in Ingress rules and TLS entries'),
  n('ingress_tls_entries', 'Ingress spec.tls entries'),
  n('ingress_tls_missing', 'an Ingress without TLS'),
  n('ingress_tls_hosts_uncovered', 'rule hosts not covered by any TLS host (when TLS is set)'),
  c('ingress_class', 'Ingress spec.ingressClassName ("unset"; "none" for other kinds)'),
  n('ingress_class_missing', 'an Ingress without spec.ingressClassName'),
  // NetworkPolicy, Namespace, ConfigMap
  n('netpol_selects_all_pods', 'a NetworkPolicy whose podSelector is empty'),
  n('netpol_allow_all_ingress', 'ingress rules that allow every source on a policy selecting every pod'),
  c('namespace_pss_enforce', 'Namespace label pod-security.kubernetes.io/enforce ("unset"; "none" for other kinds)'),
  n('namespace_pss_weak', 'a Namespace enforcing neither baseline nor restricted'),
  n('configmap_keys_count', 'keys of data and binaryData'),
  n('configmap_credential_keys', 'credential-looking keys and PEM private key values of a ConfigMap'),
] satisfies FeatureSpec[]);

export const MANIFEST_FEATURE_NAMES: readonly string[] = Object.freeze(MANIFEST_FEATURES.map((f) => f.name));

// ---------------------------------------------------------------------------------------------
// Reading untrusted JSON.

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: unknown): Obj => (isObj(value) ? value : {});
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const objs = (value: unknown): Obj[] => arr(value).filter(isObj);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const bit = (condition: boolean): number => (condition ? 1 : 0);
const present = (value: unknown): boolean => value !== null && value !== undefined;
const strings = (value: unknown): string[] => arr(value).filter((v): v is string => typeof v === 'string');

function path(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isObj(current)) return undefined;
    current = current[key];
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Kinds.

const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController']);
const WORKLOAD_KINDS = new Set([...TEMPLATE_KINDS, 'Pod', 'CronJob']);
const BATCH_KINDS = new Set(['Job', 'CronJob']);
const REPLICA_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);
const LABELLED_KINDS = new Set([...WORKLOAD_KINDS, 'Service', 'Ingress', 'ConfigMap']);
const ROLE_KINDS = new Set(['Role', 'ClusterRole']);
const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);
const CLUSTER_SCOPED = new Set([
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
const REMOVED_API_VERSIONS: Record<string, readonly string[]> = {
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

function apiVersionRemoved(apiVersion: string | undefined, kind: string | undefined): boolean {
  if (apiVersion === undefined || kind === undefined) return false;
  const kinds = REMOVED_API_VERSIONS[apiVersion];
  return kinds !== undefined && (kinds.includes('*') || kinds.includes(kind));
}

/** The pod spec of a workload at its kind's template path, or undefined. */
function podSpecOf(m: Obj, kind: string | undefined): Obj | undefined {
  let spec: unknown;
  if (kind === 'Pod') spec = m.spec;
  else if (kind !== undefined && TEMPLATE_KINDS.has(kind)) spec = path(m, 'spec', 'template', 'spec');
  else if (kind === 'CronJob') spec = path(m, 'spec', 'jobTemplate', 'spec', 'template', 'spec');
  return isObj(spec) ? spec : undefined;
}

function podMetadataOf(m: Obj, kind: string | undefined): Obj {
  if (kind === 'Pod') return obj(m.metadata);
  if (kind !== undefined && TEMPLATE_KINDS.has(kind)) return obj(path(m, 'spec', 'template', 'metadata'));
  if (kind === 'CronJob') return obj(path(m, 'spec', 'jobTemplate', 'spec', 'template', 'metadata'));
  return {};
}

// ---------------------------------------------------------------------------------------------
// Security settings.

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

/** Capabilities the Pod Security Standards Baseline level lets a container add. */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** Capabilities that hand a container (close to) root on the node or its network. */
const DANGEROUS_CAPABILITIES = new Set([
  'ALL',
  'SYS_ADMIN',
  'NET_ADMIN',
  'NET_RAW',
  'SYS_PTRACE',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_BOOT',
  'SYS_TIME',
  'DAC_READ_SEARCH',
  'BPF',
  'PERFMON',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'SYSLOG',
]);

const ALLOWED_PROFILE_TYPES = new Set(['RuntimeDefault', 'Localhost']);
const ALLOWED_SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const RESTRICTED_VOLUME_SOURCES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

function profileUnconfined(profile: unknown): boolean {
  const type = path(profile, 'type');
  return present(type) && !(typeof type === 'string' && ALLOWED_PROFILE_TYPES.has(type));
}

function selinuxCustom(options: unknown): boolean {
  if (!isObj(options)) return false;
  const type = options.type ?? '';
  if (!(typeof type === 'string' && ALLOWED_SELINUX_TYPES.has(type))) return true;
  return [options.user, options.role].some((v) => present(v) && v !== '');
}

function apparmorAnnotationAllowed(value: unknown): boolean {
  if (value === 'runtime/default') return true;
  return typeof value === 'string' && value.startsWith('localhost/') && value.length > 'localhost/'.length;
}

// ---------------------------------------------------------------------------------------------
// Images.

const DIGEST = /@[A-Za-z0-9]+([+._-][A-Za-z0-9]+)*:[A-Fa-f0-9]{32,}$/;
const SHA256_PINNED = /^[^@]+@sha256:[a-f0-9]{64}$/;
const TAG = /:[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function lastSegment(image: string): string {
  const name = image.split('@')[0] ?? '';
  const segments = name.split('/');
  return segments[segments.length - 1] ?? '';
}

function imageTag(image: string): string | undefined {
  const last = lastSegment(image);
  const i = last.indexOf(':');
  return i >= 0 ? last.slice(i + 1) : undefined;
}

/** The registry host of an image reference ("docker.io" for short names). */
export function imageRegistry(image: string): string {
  const segments = image.split('/');
  const host = segments[0] ?? '';
  if (segments.length > 1 && (host.includes('.') || host.includes(':') || host === 'localhost')) return host;
  return 'docker.io';
}

function imageAllowed(image: string): boolean {
  const registry = imageRegistry(image);
  let ref = image;
  if (registry === 'docker.io' && !image.startsWith('docker.io/'))
    ref = image.includes('/') ? `docker.io/${image}` : `docker.io/library/${image}`;
  return ALLOWED_REGISTRIES.some((prefix) => ref.startsWith(prefix));
}

// ---------------------------------------------------------------------------------------------
// Resources.

function ratio(limit: unknown, request: unknown): number | undefined {
  const l = parseQuantity(limit);
  const r = parseQuantity(request);
  if (l === undefined || r === undefined || r <= 0) return undefined;
  return l / r;
}

// ---------------------------------------------------------------------------------------------
// Env and ConfigMaps.

const SECRET_ENV_NAME = /password|passwd|secret|token|api[_-]?key|private[_-]?key|credential/i;
const LOCATION_ENV_NAME = /[_.-](path|file|dir|url|uri|endpoint|name|ref)s?$/i;
const ONLY_REFERENCES = /^(\$\([A-Za-z_][A-Za-z0-9_.-]*\))+$/;
const URL_WITH_USER_INFO = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\s]*@/;

function envSecretLiteral(variable: Obj): boolean {
  const name = variable.name;
  if (typeof name !== 'string' || !SECRET_ENV_NAME.test(name)) return false;
  const value = variable.value;
  if (LOCATION_ENV_NAME.test(name) && !(typeof value === 'string' && URL_WITH_USER_INFO.test(value))) return false;
  if (!present(value) || value === '') return false;
  return !(typeof value === 'string' && ONLY_REFERENCES.test(value));
}

const CREDENTIAL_WORDS =
  /(^|_)(password|passwd|passphrase|pwd|secret|token|api_?key|private_?key|access_?key|auth_?key|credentials?|client_secret)(_|$)/;
const REFERENCE_SUFFIXES =
  /_(file|path|dir|mount|name|ref|key_ref|id|ttl|lifetime|expiry|expiration|timeout|length|min_length|max_length|policy|header|url|uri|endpoint|enabled|type|format|rotation|rotation_days|env|var)$/;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;

function credentialKey(key: string): boolean {
  const normalized = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  return CREDENTIAL_WORDS.test(normalized) && !REFERENCE_SUFFIXES.test(normalized);
}

function decodeBase64(value: unknown): string {
  if (typeof value !== 'string') return '';
  try {
    return Buffer.from(value, 'base64').toString('latin1');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// RBAC.

const inCoreGroup = (rule: Obj): boolean => {
  const groups = Array.isArray(rule.apiGroups) ? rule.apiGroups : [''];
  return groups.some((g) => g === '' || g === '*');
};
const intersects = (values: readonly string[], set: ReadonlySet<string>): boolean => values.some((v) => set.has(v));

const READ_VERBS = new Set(['get', 'list', 'watch', '*']);
const SECRET_RESOURCES = new Set(['secrets', '*']);
const ESCALATION_VERBS = new Set(['escalate', 'bind', 'impersonate']);
const EXEC_VERBS = new Set(['create', 'get', '*']);
const EXEC_RESOURCES = new Set(['pods/exec', 'pods/attach', 'pods/portforward', '*/exec', '*/attach', '*/portforward']);
const PROXY_RESOURCES = new Set(['nodes/proxy', '*/proxy']);
const CREATE_VERBS = new Set(['create', '*']);
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection', '*']);
const WEBHOOK_RESOURCES = new Set(['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']);
const ADMISSION_GROUPS = new Set(['admissionregistration.k8s.io', '*']);

// ---------------------------------------------------------------------------------------------
// The extractor.

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
type ContainerList = (typeof CONTAINER_LISTS)[number];
const REQUIRED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'team'] as const;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
const PSS_ENFORCE = 'pod-security.kubernetes.io/enforce';

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

  // identity
  f.kind = kind ?? NONE;
  const namespace = nonEmpty(metadata.namespace) ? metadata.namespace : undefined;
  f.namespace = namespace ?? NONE;
  f.is_default_namespace = bit(namespace === 'default');
  const clusterScoped = kind !== undefined && CLUSTER_SCOPED.has(kind);
  f.is_cluster_scoped = bit(clusterScoped);
  f.namespace_missing = bit(kind !== undefined && !clusterScoped && namespace === undefined);
  const workload = kind !== undefined && WORKLOAD_KINDS.has(kind);
  f.is_workload = bit(workload);
  f.is_service = bit(kind === 'Service');
  f.api_version_deprecated = bit(apiVersionRemoved(str(m.apiVersion), kind));
  const replicas = num(spec.replicas);
  f.has_replicas = bit(replicas !== undefined);
  f.replicas = replicas ?? (kind !== undefined && REPLICA_KINDS.has(kind) ? 1 : 0);

  // metadata
  f.labels_count = Object.keys(labels).length;
  f.label_app_name = bit(nonEmpty(labels['app.kubernetes.io/name']));
  f.label_app_instance = bit(nonEmpty(labels['app.kubernetes.io/instance']));
  f.label_managed_by = bit(nonEmpty(labels['app.kubernetes.io/managed-by']));
  f.label_team = bit(nonEmpty(labels.team));
  if (kind !== undefined && LABELLED_KINDS.has(kind))
    f.required_labels_missing = REQUIRED_LABELS.filter((l) => !nonEmpty(labels[l])).length;
  if (kind !== undefined && (TEMPLATE_KINDS.has(kind) || kind === 'CronJob')) {
    f.template_name_label_missing = bit(!nonEmpty(obj(podMetadataOf(m, kind).labels)['app.kubernetes.io/name']));
  }
  const owner = annotations['kube-pac.io/owner'];
  const ownerValid = typeof owner === 'string' && EMAIL.test(owner);
  f.owner_annotation = bit(ownerValid);
  f.owner_annotation_missing = bit(workload && !ownerValid);

  const pod = podSpecOf(m, kind);
  if (pod) fillPod(f, m, kind, pod);

  if (kind === 'ServiceAccount') {
    const automount = m.automountServiceAccountToken;
    f.automount_sa_token = automount === true ? 'true' : automount === false ? 'false' : 'unset';
    f.automount_token_enabled = bit(automount !== false);
  }
  if (kind !== undefined && BATCH_KINDS.has(kind)) {
    const jobSpec = kind === 'Job' ? spec : obj(path(spec, 'jobTemplate', 'spec'));
    f.job_ttl_missing = bit(num(jobSpec.ttlSecondsAfterFinished) === undefined);
    f.job_backoff_limit_missing = bit(num(jobSpec.backoffLimit) === undefined);
  }
  if (kind === 'CronJob') {
    const policy = spec.concurrencyPolicy;
    f.cronjob_concurrency_policy = typeof policy === 'string' ? policy : present(policy) ? 'other' : 'unset';
    f.cronjob_concurrency_allowed = bit(policy !== 'Forbid' && policy !== 'Replace');
  }
  if (kind !== undefined && ROLE_KINDS.has(kind)) fillRole(f, m);
  if (kind !== undefined && BINDING_KINDS.has(kind)) fillBinding(f, m);
  if (kind === 'Service') fillService(f, spec, annotations);
  if (kind === 'Ingress') fillIngress(f, spec);
  if (kind === 'NetworkPolicy') fillNetworkPolicy(f, spec);
  if (kind === 'Namespace') {
    const level = labels[PSS_ENFORCE];
    f.namespace_pss_enforce = typeof level === 'string' ? level : present(level) ? 'other' : 'unset';
    f.namespace_pss_weak = bit(level !== 'baseline' && level !== 'restricted');
  }
  if (kind === 'ConfigMap') fillConfigMap(f, m);
}

function fillPod(f: ManifestFeatures, m: Obj, kind: string | undefined, pod: Obj): void {
  const psc = obj(pod.securityContext);
  const windows = path(pod, 'os', 'name') === 'windows';
  f.pod_spec_present = 1;
  f.windows_pod = bit(windows);
  f.pod_run_as_non_root = bit(psc.runAsNonRoot === true);
  f.pod_run_as_user_root = bit(psc.runAsUser === 0);
  f.pod_run_as_group_root = bit(psc.runAsGroup === 0);
  f.pod_fs_group_root = bit(psc.fsGroup === 0);
  f.pod_supplemental_group_root = bit(arr(psc.supplementalGroups).includes(0));
  f.pod_fs_group_set = bit(num(psc.fsGroup) !== undefined);
  const seccompType = path(psc, 'seccompProfile', 'type');
  f.pod_seccomp_type = typeof seccompType === 'string' ? seccompType : present(seccompType) ? 'other' : 'unset';
  const sysctls = arr(psc.sysctls);
  f.sysctls_count = sysctls.length;
  f.unsafe_sysctls_count = sysctls.filter((s) => {
    const name = path(s, 'name');
    return !(typeof name === 'string' && SAFE_SYSCTLS.has(name));
  }).length;
  f.host_network = bit(pod.hostNetwork === true);
  f.host_pid = bit(pod.hostPID === true);
  f.host_ipc = bit(pod.hostIPC === true);
  f.share_process_namespace = bit(pod.shareProcessNamespace === true);

  let hostProcess = bit(path(psc, 'windowsOptions', 'hostProcess') === true);
  let seccompUnconfined = bit(profileUnconfined(psc.seccompProfile));
  const podSeccompValid = typeof seccompType === 'string' && ALLOWED_PROFILE_TYPES.has(seccompType);
  let selinux = bit(selinuxCustom(psc.seLinuxOptions));
  let apparmor = bit(profileUnconfined(psc.appArmorProfile));
  for (const [key, value] of Object.entries(obj(podMetadataOf(m, kind).annotations))) {
    if (key.startsWith(APPARMOR_ANNOTATION) && !apparmorAnnotationAllowed(value)) apparmor++;
  }

  const counts: Record<ContainerList, number> = { containers: 0, initContainers: 0, ephemeralContainers: 0 };
  let privileged = 0;
  let apeTrue = 0;
  let apeUnset = 0;
  let rorfFalse = 0;
  let rorfUnset = 0;
  let nonRootMissing = 0;
  let userRoot = 0;
  let groupRoot = 0;
  let capsAdded = 0;
  let capsNotBaseline = 0;
  let capsNotRestricted = 0;
  let capsDangerous = 0;
  let dropAllMissing = 0;
  let procMount = 0;
  let seccompMissing = 0;
  let hostPorts = 0;
  let envVars = 0;
  let envLiteral = 0;
  let envRef = 0;
  const registries = new Set<string>();
  let firstRegistry: string | undefined;
  let untagged = 0;
  let latest = 0;
  let unpinned = 0;
  let notAllowed = 0;
  let resourcesMissing = 0;
  const missing = { cpuReq: 0, memReq: 0, ephReq: 0, cpuLim: 0, memLim: 0, ephLim: 0 };
  let cpuRatio = 0;
  let memRatio = 0;
  let livenessMissing = 0;
  let readinessMissing = 0;
  const longRunningKind = kind !== undefined && !BATCH_KINDS.has(kind);

  for (const list of CONTAINER_LISTS) {
    for (const container of objs(pod[list])) {
      counts[list]++;
      const sc = obj(container.securityContext);
      if (sc.privileged === true) privileged++;
      if (!windows) {
        if (!present(sc.allowPrivilegeEscalation)) apeUnset++;
        if (!present(sc.readOnlyRootFilesystem)) rorfUnset++;
        else if (sc.readOnlyRootFilesystem !== true) rorfFalse++;
        if (!strings(path(sc, 'capabilities', 'drop')).includes('ALL')) dropAllMissing++;
        if (!podSeccompValid && !present(sc.seccompProfile)) seccompMissing++;
      }
      if (sc.allowPrivilegeEscalation === true) apeTrue++;
      const nonRoot = 'runAsNonRoot' in sc ? sc.runAsNonRoot : psc.runAsNonRoot;
      if (nonRoot !== true) nonRootMissing++;
      if (sc.runAsUser === 0) userRoot++;
      if (sc.runAsGroup === 0) groupRoot++;
      for (const capability of strings(path(sc, 'capabilities', 'add'))) {
        capsAdded++;
        if (!BASELINE_CAPABILITIES.has(capability)) capsNotBaseline++;
        if (capability !== 'NET_BIND_SERVICE') capsNotRestricted++;
        if (DANGEROUS_CAPABILITIES.has(capability.replace(/^CAP_/, ''))) capsDangerous++;
      }
      if (present(sc.procMount) && sc.procMount !== 'Default') procMount++;
      if (profileUnconfined(sc.seccompProfile)) seccompUnconfined++;
      if (selinuxCustom(sc.seLinuxOptions)) selinux++;
      if (profileUnconfined(sc.appArmorProfile)) apparmor++;
      if (path(sc, 'windowsOptions', 'hostProcess') === true) hostProcess++;

      for (const port of arr(container.ports)) {
        const hostPort = path(port, 'hostPort');
        if (present(hostPort) && hostPort !== 0) hostPorts++;
      }
      for (const variable of objs(container.env)) {
        envVars++;
        if (envSecretLiteral(variable)) envLiteral++;
        if (isObj(path(variable, 'valueFrom', 'secretKeyRef'))) envRef++;
      }

      const image = str(container.image) ?? '';
      const registry = imageRegistry(image);
      registries.add(registry);
      firstRegistry ??= registry;
      const digest = DIGEST.test(image);
      if (!digest && !TAG.test(lastSegment(image))) untagged++;
      if (!digest && imageTag(image) === 'latest') latest++;
      if (!SHA256_PINNED.test(image)) unpinned++;
      if (!imageAllowed(image)) notAllowed++;

      if (list !== 'ephemeralContainers') {
        if (!isObj(container.resources)) resourcesMissing++;
        const requests = obj(path(container, 'resources', 'requests'));
        const limits = obj(path(container, 'resources', 'limits'));
        const has = (o: Obj, key: string) => present(o[key]) && o[key] !== '';
        if (!has(requests, 'cpu')) missing.cpuReq++;
        if (!has(requests, 'memory')) missing.memReq++;
        if (!has(requests, 'ephemeral-storage')) missing.ephReq++;
        if (!has(limits, 'cpu')) missing.cpuLim++;
        if (!has(limits, 'memory')) missing.memLim++;
        if (!has(limits, 'ephemeral-storage')) missing.ephLim++;
        cpuRatio = Math.max(cpuRatio, ratio(limits.cpu, requests.cpu) ?? 0);
        memRatio = Math.max(memRatio, ratio(limits.memory, requests.memory) ?? 0);
      }
      if (list === 'containers' && longRunningKind) {
        if (!present(container.livenessProbe)) livenessMissing++;
        if (!present(container.readinessProbe)) readinessMissing++;
      }
    }
  }

  f.host_process = hostProcess;
  f.containers_count = counts.containers;
  f.init_containers_count = counts.initContainers;
  f.ephemeral_containers_count = counts.ephemeralContainers;
  f.total_containers = counts.containers + counts.initContainers + counts.ephemeralContainers;
  f.privileged_count = privileged;
  f.allow_privilege_escalation_true_count = apeTrue;
  f.allow_privilege_escalation_unset_count = apeUnset;
  f.read_only_root_fs_false_count = rorfFalse;
  f.read_only_root_fs_unset_count = rorfUnset;
  f.run_as_non_root_missing_count = nonRootMissing;
  f.container_run_as_user_root_count = userRoot;
  f.container_run_as_group_root_count = groupRoot;
  f.capabilities_added_count = capsAdded;
  f.capabilities_not_baseline_count = capsNotBaseline;
  f.capabilities_not_restricted_count = capsNotRestricted;
  f.dangerous_capabilities_count = capsDangerous;
  f.capabilities_drop_all_missing_count = dropAllMissing;
  f.proc_mount_unmasked_count = procMount;
  f.seccomp_unconfined_count = seccompUnconfined;
  f.seccomp_missing_count = seccompMissing;
  f.selinux_custom_count = selinux;
  f.apparmor_unconfined_count = apparmor;
  f.image_untagged_count = untagged;
  f.image_latest_count = latest;
  f.image_unpinned_count = unpinned;
  f.image_registry_not_allowed_count = notAllowed;
  f.distinct_registries = registries.size;
  f.image_registry = firstRegistry ?? NONE;
  f.resources_missing_count = resourcesMissing;
  f.cpu_requests_missing = missing.cpuReq;
  f.memory_requests_missing = missing.memReq;
  f.ephemeral_storage_requests_missing = missing.ephReq;
  f.cpu_limits_missing = missing.cpuLim;
  f.memory_limits_missing = missing.memLim;
  f.ephemeral_storage_limits_missing = missing.ephLim;
  f.max_cpu_limit_ratio = cpuRatio;
  f.max_memory_limit_ratio = memRatio;
  f.liveness_probe_missing = livenessMissing;
  f.readiness_probe_missing = readinessMissing;
  f.host_ports_count = hostPorts;
  f.env_vars_count = envVars;
  f.env_secret_literal_count = envLiteral;
  f.env_secret_ref_count = envRef;

  const volumes = objs(pod.volumes);
  const sourcesOf = (v: Obj) => Object.keys(v).filter((key) => key !== 'name' && present(v[key]));
  f.volumes_count = volumes.length;
  f.hostpath_volumes = volumes.filter((v) => present(v.hostPath)).length;
  f.emptydir_volumes = volumes.filter((v) => present(v.emptyDir)).length;
  f.configmap_volumes = volumes.filter((v) => present(v.configMap)).length;
  f.secret_volumes = volumes.filter((v) => present(v.secret)).length;
  f.pvc_volumes = volumes.filter((v) => present(v.persistentVolumeClaim)).length;
  f.projected_volumes = volumes.filter((v) => present(v.projected)).length;
  f.non_restricted_volumes = volumes.filter((v) => sourcesOf(v).some((s) => !RESTRICTED_VOLUME_SOURCES.has(s))).length;

  const account = nonEmpty(pod.serviceAccountName) ? pod.serviceAccountName : nonEmpty(pod.serviceAccount) ? pod.serviceAccount : undefined;
  f.service_account_set = bit(account !== undefined && account !== 'default');
  f.service_account_default = bit(account === undefined || account === 'default');
  const automount = pod.automountServiceAccountToken;
  f.automount_sa_token = automount === true ? 'true' : automount === false ? 'false' : 'unset';
  f.automount_token_enabled = bit(automount !== false);
}

function fillRole(f: ManifestFeatures, m: Obj): void {
  const rules = objs(m.rules);
  const count = (test: (rule: Obj, verbs: string[], resources: string[]) => boolean) =>
    rules.filter((rule) => test(rule, strings(rule.verbs), strings(rule.resources))).length;
  f.rbac_rules_count = rules.length;
  f.rbac_wildcard_verbs = count((_, verbs) => verbs.includes('*'));
  f.rbac_wildcard_resources = count((_, __, resources) => resources.includes('*'));
  f.rbac_secret_read = count(
    (rule, verbs, resources) => intersects(verbs, READ_VERBS) && intersects(resources, SECRET_RESOURCES) && inCoreGroup(rule),
  );
  f.rbac_escalation_verbs = count((_, verbs) => intersects(verbs, ESCALATION_VERBS));
  f.rbac_pod_exec = count(
    (rule, verbs, resources) => intersects(verbs, EXEC_VERBS) && intersects(resources, EXEC_RESOURCES) && inCoreGroup(rule),
  );
  // nodes, PersistentVolumes and webhook configurations are cluster-scoped: only a ClusterRole grants them
  if (m.kind !== 'ClusterRole') return;
  f.rbac_nodes_proxy = count((rule, verbs, resources) => verbs.length > 0 && intersects(resources, PROXY_RESOURCES) && inCoreGroup(rule));
  f.rbac_pv_create = count(
    (rule, verbs, resources) => resources.includes('persistentvolumes') && intersects(verbs, CREATE_VERBS) && inCoreGroup(rule),
  );
  f.rbac_webhook_write = count(
    (rule, verbs, resources) =>
      intersects(verbs, WRITE_VERBS) && intersects(resources, WEBHOOK_RESOURCES) && intersects(strings(rule.apiGroups), ADMISSION_GROUPS),
  );
}

function fillBinding(f: ManifestFeatures, m: Obj): void {
  const roleRef = obj(m.roleRef);
  const subjects = objs(m.subjects);
  f.rbac_role_ref_cluster_admin = bit(roleRef.kind === 'ClusterRole' && roleRef.name === 'cluster-admin');
  f.rbac_subjects_count = subjects.length;
  f.rbac_system_masters_subject = subjects.filter((s) => s.kind === 'Group' && s.name === 'system:masters').length;
  f.rbac_default_sa_subject = subjects.filter((s) => s.kind === 'ServiceAccount' && s.name === 'default').length;
}

function fillService(f: ManifestFeatures, spec: Obj, annotations: Obj): void {
  const type = present(spec.type) ? spec.type : 'ClusterIP';
  f.service_type = typeof type === 'string' ? type : 'other';
  const ports = arr(spec.ports);
  f.service_ports_count = ports.length;
  f.service_nodeport_type = bit(type === 'NodePort');
  f.service_lb_type = bit(type === 'LoadBalancer');
  f.service_lb_unapproved = bit(type === 'LoadBalancer' && annotations['kube-pac.io/external-exposure'] !== 'approved');
  f.service_node_ports_count = ports.filter((p) => present(path(p, 'nodePort'))).length;
  f.service_external_ips_count = arr(spec.externalIPs).length;
}

function fillIngress(f: ManifestFeatures, spec: Obj): void {
  const hosts = objs(spec.rules)
    .map((rule) => rule.host)
    .filter(nonEmpty);
  const tls = objs(spec.tls);
  const tlsHosts = tls.flatMap((entry) => strings(entry.hosts));
  f.ingress_hosts_count = hosts.length;
  f.ingress_wildcard_hosts = [...hosts, ...tlsHosts].filter((h) => h.startsWith('*')).length;
  f.ingress_tls_entries = arr(spec.tls).length;
  f.ingress_tls_missing = bit(arr(spec.tls).length === 0);
  const covered = (host: string) =>
    tlsHosts.some((t) => t === host || (t.startsWith('*.') && host.includes('.') && host.slice(host.indexOf('.') + 1) === t.slice(2)));
  f.ingress_tls_hosts_uncovered = arr(spec.tls).length > 0 ? hosts.filter((h) => !covered(h)).length : 0;
  const className = spec.ingressClassName;
  f.ingress_class = nonEmpty(className) ? className : 'unset';
  f.ingress_class_missing = bit(!nonEmpty(className));
}

function fillNetworkPolicy(f: ManifestFeatures, spec: Obj): void {
  const selector = obj(spec.podSelector);
  const selectsAll = Object.keys(obj(selector.matchLabels)).length === 0 && arr(selector.matchExpressions).length === 0;
  f.netpol_selects_all_pods = bit(selectsAll);
  const policyTypes = spec.policyTypes;
  const governsIngress = policyTypes === undefined || policyTypes === false || arr(policyTypes).includes('Ingress');
  if (!selectsAll || !governsIngress) return;
  f.netpol_allow_all_ingress = arr(spec.ingress).filter((rule) => {
    const from = arr(path(rule, 'from'));
    if (from.length === 0) return true;
    return from.some((peer) => {
      if (isObj(peer) && Object.keys(peer).length === 0) return true;
      const cidr = path(peer, 'ipBlock', 'cidr');
      return (cidr === '0.0.0.0/0' || cidr === '::/0') && arr(path(peer, 'ipBlock', 'except')).length === 0;
    });
  }).length;
}

function fillConfigMap(f: ManifestFeatures, m: Obj): void {
  const data = obj(m.data);
  const binary = obj(m.binaryData);
  const keys = [...Object.keys(data), ...Object.keys(binary)];
  f.configmap_keys_count = keys.length;
  let credentials = keys.filter(credentialKey).length;
  credentials += Object.values(data).filter((v) => typeof v === 'string' && PEM_PRIVATE_KEY.test(v)).length;
  credentials += Object.values(binary).filter((v) => PEM_PRIVATE_KEY.test(decodeBase64(v))).length;
  f.configmap_credential_keys = credentials;
}

// ---------------------------------------------------------------------------------------------
// Which features say a policy is relevant.

/**
 * For every name in the `features` arrays of datasets/policies/index.jsonl: the manifest features
 * whose non-zero value (or non-"none" value) shows the policy has something to look at in a
 * manifest. Violation indicators come first.
 */
export const POLICY_FEATURE_RELEVANCE: Record<string, string[]> = {
  allow_privilege_escalation: ['allow_privilege_escalation_true_count', 'allow_privilege_escalation_unset_count'],
  api_version: ['api_version_deprecated'],
  apparmor_unconfined: ['apparmor_unconfined_count'],
  automount_sa_token: ['automount_token_enabled'],
  capabilities_added: [
    'capabilities_not_baseline_count',
    'capabilities_not_restricted_count',
    'dangerous_capabilities_count',
    'capabilities_added_count',
  ],
  capabilities_dropped_all: ['capabilities_drop_all_missing_count'],
  configmap_keys: ['configmap_credential_keys', 'configmap_keys_count'],
  configmap_values: ['configmap_credential_keys'],
  cpu_limit_ratio: ['max_cpu_limit_ratio'],
  cpu_limits_missing: ['cpu_limits_missing'],
  cpu_requests_missing: ['cpu_requests_missing'],
  cronjob_concurrency: ['cronjob_concurrency_allowed'],
  env_secret_literal: ['env_secret_literal_count'],
  ephemeral_storage_limits_missing: ['ephemeral_storage_limits_missing'],
  host_ipc: ['host_ipc'],
  host_network: ['host_network'],
  host_pid: ['host_pid'],
  host_ports: ['host_ports_count'],
  host_process: ['host_process'],
  hostpath_volumes: ['hostpath_volumes'],
  image_digest_pinned: ['image_unpinned_count'],
  image_latest: ['image_latest_count'],
  image_registry: ['image_registry_not_allowed_count', 'distinct_registries'],
  image_tag: ['image_untagged_count', 'image_latest_count'],
  ingress_class: ['ingress_class_missing'],
  ingress_hosts: ['ingress_wildcard_hosts', 'ingress_tls_hosts_uncovered', 'ingress_hosts_count'],
  ingress_tls: ['ingress_tls_missing'],
  ingress_tls_hosts: ['ingress_tls_hosts_uncovered', 'ingress_wildcard_hosts'],
  job_backoff_limit: ['job_backoff_limit_missing'],
  job_ttl: ['job_ttl_missing'],
  labels_missing: ['required_labels_missing', 'template_name_label_missing'],
  liveness_probe_missing: ['liveness_probe_missing'],
  memory_limit_ratio: ['max_memory_limit_ratio'],
  memory_limits_missing: ['memory_limits_missing'],
  memory_requests_missing: ['memory_requests_missing'],
  namespace: ['is_default_namespace', 'namespace_missing'],
  namespace_labels: ['namespace_pss_weak'],
  netpol_ingress_sources: ['netpol_allow_all_ingress'],
  netpol_pod_selector: ['netpol_allow_all_ingress', 'netpol_selects_all_pods'],
  // the inventory decides; a manifest can only say it is a namespaced workload or Service
  netpol_present: ['is_workload', 'is_service'],
  owner_annotation: ['owner_annotation_missing'],
  pdb_present: ['replicas', 'has_replicas'],
  privileged_containers: ['privileged_count'],
  proc_mount_unmasked: ['proc_mount_unmasked_count'],
  read_only_root_fs: ['read_only_root_fs_false_count', 'read_only_root_fs_unset_count'],
  readiness_probe_missing: ['readiness_probe_missing'],
  replicas: ['replicas', 'has_replicas'],
  rbac_escalation_verbs: ['rbac_escalation_verbs'],
  rbac_nodes_proxy: ['rbac_nodes_proxy'],
  rbac_pod_exec: ['rbac_pod_exec'],
  rbac_pv_create: ['rbac_pv_create'],
  rbac_role_ref: ['rbac_role_ref_cluster_admin'],
  rbac_secret_read: ['rbac_secret_read'],
  rbac_subjects: ['rbac_system_masters_subject', 'rbac_default_sa_subject', 'rbac_subjects_count'],
  rbac_webhook_config: ['rbac_webhook_write'],
  rbac_wildcard_resources: ['rbac_wildcard_resources'],
  rbac_wildcard_verbs: ['rbac_wildcard_verbs'],
  run_as_group_root: ['pod_run_as_group_root', 'pod_fs_group_root', 'pod_supplemental_group_root', 'container_run_as_group_root_count'],
  run_as_non_root: ['run_as_non_root_missing_count'],
  run_as_user_root: ['pod_run_as_user_root', 'container_run_as_user_root_count'],
  seccomp_profile_set: ['seccomp_missing_count', 'seccomp_unconfined_count'],
  seccomp_unconfined: ['seccomp_unconfined_count'],
  selinux_custom_type: ['selinux_custom_count'],
  service_account_default: ['service_account_default'],
  service_annotations: ['service_lb_unapproved'],
  service_external_ips: ['service_external_ips_count'],
  service_node_ports: ['service_node_ports_count', 'service_nodeport_type'],
  service_type: ['service_nodeport_type', 'service_lb_unapproved', 'service_lb_type'],
  share_process_namespace: ['share_process_namespace'],
  sysctls_unsafe: ['unsafe_sysctls_count'],
  volume_types: ['non_restricted_volumes'],
};

/** The manifest features that indicate `meta` is relevant, in MANIFEST_FEATURES order, each once. */
export function relevantFeatures(meta: Pick<PolicyMeta, 'features'>): string[] {
  const wanted = new Set(meta.features.flatMap((name) => POLICY_FEATURE_RELEVANCE[name] ?? []));
  return MANIFEST_FEATURE_NAMES.filter((name) => wanted.has(name));
}
