/**
 * The pod of a workload as the pod-spec extractors read it (`PodView`: the spec, its template
 * metadata and its containers in list order), and the pod-level features: host namespaces, pod
 * security context, volumes and service account.
 */
import { podTemplatePath } from '../../lib/k8s-api';
import { RESTRICTED_VOLUME_SOURCES, SAFE_SYSCTLS } from '../../lib/k8s-pod-security';
import type { ManifestFeatures } from './manifest-features';
import { arr, bit, category, countIf, isObj, nonEmpty, num, type Obj, obj, objs, path, present } from './read-json';

export { CONTAINER_LISTS } from '../../lib/k8s-api';

import { CONTAINER_LISTS } from '../../lib/k8s-api';
export type ContainerList = (typeof CONTAINER_LISTS)[number];

export interface ContainerView {
  list: ContainerList;
  container: Obj;
  /** its securityContext ({} when unset) */
  sc: Obj;
}

export interface PodView {
  kind: string;
  spec: Obj;
  /** the pod template's metadata (the Pod's own for a Pod) */
  metadata: Obj;
  /** spec.securityContext ({} when unset) */
  psc: Obj;
  windows: boolean;
  /** every container of the three lists, in list order */
  containers: ContainerView[];
}

/** The pod of a manifest of this kind, when its kind runs pods and the pod spec is an object. */
export function podViewOf(m: Obj, kind: string): PodView | undefined {
  const template = podTemplatePath(kind);
  const spec = template && path(m, ...template, 'spec');
  if (!isObj(spec)) return undefined;
  const containers: ContainerView[] = [];
  for (const list of CONTAINER_LISTS) {
    for (const container of objs(spec[list])) containers.push({ list, container, sc: obj(container.securityContext) });
  }
  return {
    kind,
    spec,
    metadata: podMetadataOf(m, kind),
    psc: obj(spec.securityContext),
    windows: path(spec, 'os', 'name') === 'windows',
    containers,
  };
}

/** The pod template's metadata of a workload ({} for kinds that run no pods). */
export function podMetadataOf(m: Obj, kind: string): Obj {
  const template = podTemplatePath(kind);
  return template ? obj(path(m, ...template, 'metadata')) : {};
}

/** Host namespaces and the pod-wide security context. */
export function extractPodLevel(f: ManifestFeatures, pod: PodView): void {
  const { spec, psc } = pod;
  f.pod_spec_present = 1;
  f.windows_pod = bit(pod.windows);
  f.pod_run_as_non_root = bit(psc.runAsNonRoot === true);
  f.pod_run_as_user_root = bit(psc.runAsUser === 0);
  f.pod_run_as_group_root = bit(psc.runAsGroup === 0);
  f.pod_fs_group_root = bit(psc.fsGroup === 0);
  f.pod_supplemental_group_root = bit(arr(psc.supplementalGroups).includes(0));
  f.pod_fs_group_set = bit(num(psc.fsGroup) !== undefined);
  f.pod_seccomp_type = category(path(psc, 'seccompProfile', 'type'));
  const sysctls = arr(psc.sysctls);
  f.sysctls_count = sysctls.length;
  f.unsafe_sysctls_count = sysctls.filter((s) => {
    const name = path(s, 'name');
    return !(typeof name === 'string' && SAFE_SYSCTLS.has(name));
  }).length;
  f.host_network = bit(spec.hostNetwork === true);
  f.host_pid = bit(spec.hostPID === true);
  f.host_ipc = bit(spec.hostIPC === true);
  f.share_process_namespace = bit(spec.shareProcessNamespace === true);
}

const volumesWith = (volumes: readonly Obj[], source: string): number => countIf(volumes, (v) => present(v[source]));

/** A volume's sources: its keys other than name, with a value. */
const sourcesOf = (volume: Obj): string[] => Object.keys(volume).filter((key) => key !== 'name' && present(volume[key]));

/** Volumes by source. */
export function extractVolumes(f: ManifestFeatures, pod: PodView): void {
  const volumes = objs(pod.spec.volumes);
  f.volumes_count = volumes.length;
  f.hostpath_volumes = volumesWith(volumes, 'hostPath');
  f.emptydir_volumes = volumesWith(volumes, 'emptyDir');
  f.configmap_volumes = volumesWith(volumes, 'configMap');
  f.secret_volumes = volumesWith(volumes, 'secret');
  f.pvc_volumes = volumesWith(volumes, 'persistentVolumeClaim');
  f.projected_volumes = volumesWith(volumes, 'projected');
  f.non_restricted_volumes = countIf(volumes, (v) => sourcesOf(v).some((s) => !RESTRICTED_VOLUME_SOURCES.has(s)));
}

/** The service account the pod runs as, and whether it mounts its token. */
export function extractPodServiceAccount(f: ManifestFeatures, pod: PodView): void {
  const { spec } = pod;
  const account = nonEmpty(spec.serviceAccountName)
    ? spec.serviceAccountName
    : nonEmpty(spec.serviceAccount)
      ? spec.serviceAccount
      : undefined;
  f.service_account_set = bit(account !== undefined && account !== 'default');
  f.service_account_default = bit(account === undefined || account === 'default');
  extractAutomount(f, spec.automountServiceAccountToken);
}

/** automountServiceAccountToken of a pod spec or a ServiceAccount (unset means mounted). */
export function extractAutomount(f: ManifestFeatures, automount: unknown): void {
  f.automount_sa_token = automount === true ? 'true' : automount === false ? 'false' : 'unset';
  f.automount_token_enabled = bit(automount !== false);
}
