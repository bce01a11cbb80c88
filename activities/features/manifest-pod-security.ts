/**
 * Security features of a pod's containers, read as the corpus policies read them: privilege,
 * escalation, root file system, users and groups, capabilities, proc mount, and the seccomp,
 * SELinux and AppArmor profiles of the pod and its containers. Windows pods are exempt where the
 * Pod Security Standards exempt them.
 */
import {
  ALLOWED_PROFILE_TYPES,
  ALLOWED_SELINUX_TYPES,
  APPARMOR_ANNOTATION_PREFIX,
  BASELINE_CAPABILITIES,
  RESTRICTED_ADDABLE_CAPABILITY,
} from '../../lib/k8s-pod-security';
import type { ManifestFeatures } from './manifest-features';
import type { PodView } from './manifest-pod';
import { bit, countIf, isObj, obj, path, present, strings } from './read-json';

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

/** Containers per list, and the settings of each container's securityContext. */
export function extractContainerSecurity(f: ManifestFeatures, pod: PodView): void {
  const { containers, psc } = pod;
  // Windows pods are exempt from the Linux-only checks
  const linux = pod.windows ? [] : containers;
  f.containers_count = countIf(containers, (c) => c.list === 'containers');
  f.init_containers_count = countIf(containers, (c) => c.list === 'initContainers');
  f.ephemeral_containers_count = countIf(containers, (c) => c.list === 'ephemeralContainers');
  f.total_containers = containers.length;
  f.privileged_count = countIf(containers, ({ sc }) => sc.privileged === true);
  f.allow_privilege_escalation_true_count = countIf(containers, ({ sc }) => sc.allowPrivilegeEscalation === true);
  f.allow_privilege_escalation_unset_count = countIf(linux, ({ sc }) => !present(sc.allowPrivilegeEscalation));
  f.read_only_root_fs_false_count = countIf(linux, ({ sc }) => present(sc.readOnlyRootFilesystem) && sc.readOnlyRootFilesystem !== true);
  f.read_only_root_fs_unset_count = countIf(linux, ({ sc }) => !present(sc.readOnlyRootFilesystem));
  f.run_as_non_root_missing_count = countIf(containers, ({ sc }) => ('runAsNonRoot' in sc ? sc.runAsNonRoot : psc.runAsNonRoot) !== true);
  f.container_run_as_user_root_count = countIf(containers, ({ sc }) => sc.runAsUser === 0);
  f.container_run_as_group_root_count = countIf(containers, ({ sc }) => sc.runAsGroup === 0);
  const added = containers.flatMap(({ sc }) => strings(path(sc, 'capabilities', 'add')));
  f.capabilities_added_count = added.length;
  f.capabilities_not_baseline_count = countIf(added, (cap) => !BASELINE_CAPABILITIES.has(cap));
  f.capabilities_not_restricted_count = countIf(added, (cap) => cap !== RESTRICTED_ADDABLE_CAPABILITY);
  f.dangerous_capabilities_count = countIf(added, (cap) => DANGEROUS_CAPABILITIES.has(cap.replace(/^CAP_/, '')));
  f.capabilities_drop_all_missing_count = countIf(linux, ({ sc }) => !strings(path(sc, 'capabilities', 'drop')).includes('ALL'));
  f.proc_mount_unmasked_count = countIf(containers, ({ sc }) => present(sc.procMount) && sc.procMount !== 'Default');
}

/** seccomp, SELinux, AppArmor and Windows host-process settings of the pod and its containers. */
export function extractSecurityProfiles(f: ManifestFeatures, pod: PodView): void {
  const { containers, psc } = pod;
  const podSeccompType = path(psc, 'seccompProfile', 'type');
  const podSeccompValid = typeof podSeccompType === 'string' && ALLOWED_PROFILE_TYPES.has(podSeccompType);
  const apparmorAnnotations = countIf(
    Object.entries(obj(pod.metadata.annotations)),
    ([key, value]) => key.startsWith(APPARMOR_ANNOTATION_PREFIX) && !apparmorAnnotationAllowed(value),
  );
  f.host_process =
    bit(path(psc, 'windowsOptions', 'hostProcess') === true) +
    countIf(containers, ({ sc }) => path(sc, 'windowsOptions', 'hostProcess') === true);
  f.seccomp_unconfined_count =
    bit(profileUnconfined(psc.seccompProfile)) + countIf(containers, ({ sc }) => profileUnconfined(sc.seccompProfile));
  f.seccomp_missing_count = pod.windows || podSeccompValid ? 0 : countIf(containers, ({ sc }) => !present(sc.seccompProfile));
  f.selinux_custom_count = bit(selinuxCustom(psc.seLinuxOptions)) + countIf(containers, ({ sc }) => selinuxCustom(sc.seLinuxOptions));
  f.apparmor_unconfined_count =
    bit(profileUnconfined(psc.appArmorProfile)) +
    apparmorAnnotations +
    countIf(containers, ({ sc }) => profileUnconfined(sc.appArmorProfile));
}
