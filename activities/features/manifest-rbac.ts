/**
 * RBAC extractors: the rules of a Role or ClusterRole (what they grant) and the subjects and role
 * of a RoleBinding or ClusterRoleBinding.
 */
import type { ManifestFeatures } from './manifest-features';
import type { ManifestView } from './manifest-view';
import { bit, type Obj, obj, objs, strings } from './read-json';

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

const inCoreGroup = (rule: Obj): boolean => {
  const groups = Array.isArray(rule.apiGroups) ? rule.apiGroups : [''];
  return groups.some((g) => g === '' || g === '*');
};
const intersects = (values: readonly string[], set: ReadonlySet<string>): boolean => values.some((v) => set.has(v));

/** Role and ClusterRole: rules by what they grant. */
export function extractRole(f: ManifestFeatures, m: ManifestView): void {
  const rules = objs(m.raw.rules);
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

/** RoleBinding and ClusterRoleBinding: the role bound and who it is bound to. */
export function extractBinding(f: ManifestFeatures, m: ManifestView): void {
  const roleRef = obj(m.raw.roleRef);
  const subjects = objs(m.raw.subjects);
  f.rbac_role_ref_cluster_admin = bit(roleRef.kind === 'ClusterRole' && roleRef.name === 'cluster-admin');
  f.rbac_subjects_count = subjects.length;
  f.rbac_system_masters_subject = subjects.filter((s) => s.kind === 'Group' && s.name === 'system:masters').length;
  f.rbac_default_sa_subject = subjects.filter((s) => s.kind === 'ServiceAccount' && s.name === 'default').length;
}
