/**
 * The manifest feature list, in column order: data only (the extractors are in manifest.ts and the
 * manifest-*.ts files it dispatches to). Every row of extractManifestFeatures has exactly these
 * columns; numeric features are 0 and categorical ones NONE where they do not apply.
 */
import { categoricalFeature as c, type DescribedFeature, numericFeature as n } from './spec';

export type ManifestFeatures = Record<string, number | string>;

/** The categorical value of a feature that does not apply or has no value. */
export const NONE = 'none';

export const MANIFEST_FEATURES: readonly DescribedFeature[] = Object.freeze([
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
  n('ingress_wildcard_hosts', 'wildcard hosts in Ingress rules and TLS entries, and rules without a host'),
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
] satisfies DescribedFeature[]);

export const MANIFEST_FEATURE_NAMES: readonly string[] = Object.freeze(MANIFEST_FEATURES.map((f) => f.name));
