/**
 * Feature extraction without engines: manifest features against the real fixtures of
 * datasets/fixtures (a feature that mirrors a policy is non-zero exactly on the manifests the
 * policy denies), totality on garbage, the policy → feature relevance map, Rego features of a
 * hand-written AST, and the polars tables.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import {
  describeFrame,
  extractManifestFeatures,
  extractRegoFeatures,
  featureFrame,
  MANIFEST_FEATURE_NAMES,
  MANIFEST_FEATURES,
  type ManifestFeatures,
  POLICY_FEATURE_RELEVANCE,
  REGO_FEATURES,
  relevantFeatures,
} from '../../activities/features';
import { loadNegativeFixtures, loadPolicyIndex, loadPositiveFixtures, readJsonl } from '../../datasets/load';
import { GENERATED_DIR } from '../../datasets/paths';
import { labelledManifestSchema } from '../../datasets/schemas';

const positives = loadPositiveFixtures().map((f) => ({ name: f.name, manifest: f.manifest, x: extractManifestFeatures(f.manifest) }));
const negatives = loadNegativeFixtures().map((f) => ({
  name: f.name,
  manifest: f.manifest,
  deny: f.expected.deny,
  x: extractManifestFeatures(f.manifest),
}));

const value = (row: ManifestFeatures, name: string): number => {
  const v = row[name];
  if (typeof v !== 'number') throw new Error(`${name} is not numeric: ${String(v)}`);
  return v;
};
const anyPositive = (row: ManifestFeatures, names: readonly string[]) => names.some((name) => value(row, name) > 0);

describe('manifest features: the feature list', () => {
  it('has at least 40 uniquely named features of a known type, each described', () => {
    expect(MANIFEST_FEATURES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(MANIFEST_FEATURE_NAMES).size).toBe(MANIFEST_FEATURES.length);
    for (const f of MANIFEST_FEATURES) {
      expect(f.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(['numeric', 'categorical']).toContain(f.type);
      expect(f.description.length).toBeGreaterThan(5);
    }
  });

  it('returns every feature, in the list order, with the declared type, for every fixture', () => {
    for (const { x } of [...positives, ...negatives]) {
      expect(Object.keys(x)).toEqual(MANIFEST_FEATURE_NAMES);
      for (const f of MANIFEST_FEATURES) expect(typeof x[f.name]).toBe(f.type === 'numeric' ? 'number' : 'string');
    }
  });

  it('is deterministic and does not modify the manifest', () => {
    for (const { manifest, x } of [...positives.slice(0, 20), ...negatives.slice(0, 40)]) {
      const before = JSON.stringify(manifest);
      expect(extractManifestFeatures(manifest)).toEqual(x);
      expect(JSON.stringify(manifest)).toBe(before);
    }
  });
});

describe('manifest features: garbage in, a complete row out', () => {
  const garbage: unknown[] = [
    null,
    undefined,
    42,
    'Deployment',
    [],
    [{ kind: 'Pod' }],
    {},
    { kind: 'Weird' },
    { kind: 42, metadata: 'x', spec: [] },
    { kind: 'Pod', metadata: null, spec: { containers: 'x', securityContext: 'str', volumes: {}, hostNetwork: 'yes' } },
    {
      kind: 'Pod',
      spec: { containers: [null, 1, 'c', [], { securityContext: 'x', image: 5, resources: { limits: 'a' }, env: {}, ports: 'p' }] },
    },
    {
      kind: 'Deployment',
      spec: {
        replicas: '3',
        template: {
          metadata: 7,
          spec: {
            containers: [{ securityContext: { capabilities: { add: 'SYS_ADMIN', drop: {} } }, resources: { requests: { cpu: [] } } }],
          },
        },
      },
    },
    { kind: 'CronJob', spec: { jobTemplate: null } },
    { kind: 'Role', rules: [null, { verbs: '*', resources: 5 }] },
    { kind: 'RoleBinding', roleRef: 'cluster-admin', subjects: {} },
    { kind: 'Service', spec: { type: 7, ports: [null], externalIPs: 'x' } },
    { kind: 'Ingress', spec: { rules: 'x', tls: [{ hosts: [null, 3] }] } },
    { kind: 'NetworkPolicy', spec: { podSelector: null, ingress: [null, { from: 'x' }] } },
    { kind: 'Namespace', metadata: { labels: ['x'] } },
    { kind: 'ConfigMap', data: 'x', binaryData: { key: 5 } },
  ];

  it.each(garbage.map((g) => [JSON.stringify(g) ?? String(g), g]))('%s', (_, input) => {
    const row = extractManifestFeatures(input);
    expect(Object.keys(row)).toEqual(MANIFEST_FEATURE_NAMES);
    for (const f of MANIFEST_FEATURES) {
      const v = row[f.name];
      if (f.type === 'numeric') expect(Number.isFinite(v)).toBe(true);
      else expect(typeof v).toBe('string');
    }
  });

  it('fills "none" and 0 when nothing applies', () => {
    const row = extractManifestFeatures(null);
    expect(row.kind).toBe('none');
    expect(row.service_type).toBe('none');
    expect(row.total_containers).toBe(0);
    expect(extractManifestFeatures({ kind: 'Weird' }).namespace_missing).toBe(1);
  });
});

/**
 * Policy → the features that mirror what it checks. On the fixtures, these features are non-zero
 * exactly on the manifests the policy is expected to deny: on every negative fixture it denies,
 * on no other negative fixture and on no positive fixture.
 */
const MIRRORS: [policy: string, features: string[]][] = [
  ['pss-privileged', ['privileged_count']],
  ['pss-host-namespaces', ['host_network', 'host_pid', 'host_ipc']],
  ['pss-host-process', ['host_process']],
  ['pss-hostpath-volumes', ['hostpath_volumes']],
  ['pss-host-ports', ['host_ports_count']],
  ['pss-volume-types', ['non_restricted_volumes']],
  ['pss-privilege-escalation', ['allow_privilege_escalation_true_count', 'allow_privilege_escalation_unset_count']],
  ['container-readonly-rootfs', ['read_only_root_fs_false_count', 'read_only_root_fs_unset_count']],
  ['pss-capabilities-baseline', ['capabilities_not_baseline_count']],
  ['pss-capabilities-restricted', ['capabilities_drop_all_missing_count', 'capabilities_not_restricted_count']],
  ['pss-sysctls', ['unsafe_sysctls_count']],
  ['pss-seccomp-baseline', ['seccomp_unconfined_count']],
  ['pss-seccomp-restricted', ['seccomp_missing_count', 'seccomp_unconfined_count']],
  ['pss-run-as-non-root', ['run_as_non_root_missing_count']],
  ['pss-run-as-non-root-user', ['pod_run_as_user_root', 'container_run_as_user_root_count']],
  [
    'pod-run-as-root-group',
    ['pod_run_as_group_root', 'pod_fs_group_root', 'pod_supplemental_group_root', 'container_run_as_group_root_count'],
  ],
  ['pss-apparmor', ['apparmor_unconfined_count']],
  ['pss-selinux', ['selinux_custom_count']],
  ['pss-proc-mount', ['proc_mount_unmasked_count']],
  ['pod-no-shared-process-namespace', ['share_process_namespace']],
  ['image-digest-pinned', ['image_unpinned_count']],
  ['image-tag-required', ['image_untagged_count']],
  ['image-no-latest-tag', ['image_latest_count']],
  ['image-allowed-registries', ['image_registry_not_allowed_count']],
  ['resources-cpu-requests', ['cpu_requests_missing']],
  ['resources-cpu-limits', ['cpu_limits_missing']],
  ['resources-memory-requests', ['memory_requests_missing']],
  ['resources-memory-limits', ['memory_limits_missing']],
  ['resources-ephemeral-storage-limits', ['ephemeral_storage_limits_missing']],
  ['probes-liveness', ['liveness_probe_missing']],
  ['probes-readiness', ['readiness_probe_missing']],
  ['secrets-in-env-literal', ['env_secret_literal_count']],
  ['sa-token-automount', ['automount_token_enabled']],
  ['sa-dedicated-service-account', ['service_account_default']],
  ['job-ttl-after-finished', ['job_ttl_missing', 'job_backoff_limit_missing']],
  ['cronjob-concurrency-policy', ['cronjob_concurrency_allowed']],
  ['api-deprecated-versions', ['api_version_deprecated']],
  ['namespace-not-default', ['is_default_namespace', 'namespace_missing']],
  ['metadata-required-labels', ['required_labels_missing', 'template_name_label_missing']],
  ['metadata-owner-annotation', ['owner_annotation_missing']],
  ['rbac-wildcard-verbs', ['rbac_wildcard_verbs']],
  ['rbac-wildcard-resources', ['rbac_wildcard_resources']],
  ['rbac-secret-read', ['rbac_secret_read']],
  ['rbac-escalate-bind-impersonate', ['rbac_escalation_verbs']],
  ['rbac-pod-exec', ['rbac_pod_exec']],
  ['rbac-nodes-proxy', ['rbac_nodes_proxy']],
  ['rbac-pv-create', ['rbac_pv_create']],
  ['rbac-webhook-config', ['rbac_webhook_write']],
  ['rbac-cluster-admin-binding', ['rbac_role_ref_cluster_admin']],
  ['rbac-system-masters-group', ['rbac_system_masters_subject']],
  ['rbac-default-sa-binding', ['rbac_default_sa_subject']],
  ['svc-no-external-ips', ['service_external_ips_count']],
  ['svc-no-nodeport', ['service_nodeport_type', 'service_node_ports_count']],
  ['svc-no-loadbalancer', ['service_lb_unapproved']],
  ['ingress-tls-required', ['ingress_tls_missing']],
  ['ingress-class-required', ['ingress_class_missing']],
  ['ingress-no-wildcard-host', ['ingress_wildcard_hosts']],
  ['ingress-tls-host-coverage', ['ingress_tls_hosts_uncovered']],
  ['netpol-no-allow-all-ingress', ['netpol_allow_all_ingress']],
  ['namespace-pss-labels', ['namespace_pss_weak']],
  ['configmap-no-credentials', ['configmap_credential_keys']],
];

describe('manifest features against the fixtures', () => {
  it('has fixtures to compare with', () => {
    expect(positives.length).toBeGreaterThan(20);
    expect(negatives.length).toBeGreaterThan(50);
  });

  it.each(MIRRORS)('%s ⇔ %s > 0', (policy, features) => {
    for (const name of features) expect(MANIFEST_FEATURE_NAMES).toContain(name);
    const denied = negatives.filter((f) => f.deny.includes(policy));
    expect(denied.length, `negative fixtures of ${policy}`).toBeGreaterThan(0);
    expect(denied.filter((f) => !anyPositive(f.x, features)).map((f) => f.name)).toEqual([]);
    expect(negatives.filter((f) => !f.deny.includes(policy) && anyPositive(f.x, features)).map((f) => f.name)).toEqual([]);
    expect(positives.filter((f) => anyPositive(f.x, features)).map((f) => f.name)).toEqual([]);
  });

  // the labelled manifests (datasets/generated, labels computed with the real OPA), when generated
  const generatedDir = GENERATED_DIR;
  const labelled = existsSync(generatedDir)
    ? readdirSync(generatedDir)
        .filter((name) => name.endsWith('.jsonl'))
        .sort()
    : [];
  it.skipIf(labelled.length === 0)('agrees with the OPA labels of the generated manifests', () => {
    const rows = readJsonl(join(generatedDir, labelled[0] as string), labelledManifestSchema).map((row) => ({
      deny: row.deny,
      x: extractManifestFeatures(row.manifest),
    }));
    expect(rows.length).toBeGreaterThan(100);
    const problems: string[] = [];
    for (const [policy, features] of MIRRORS) {
      // sa-token-automount denies only the ServiceAccount named "default"; the feature covers every one
      const exact = policy !== 'sa-token-automount';
      const missed = rows.filter((r) => r.deny.includes(policy) && !anyPositive(r.x, features)).length;
      const extra = rows.filter(
        (r) => !r.deny.includes(policy) && anyPositive(r.x, features) && (exact || r.x.kind !== 'ServiceAccount'),
      ).length;
      if (missed || extra) problems.push(`${policy}: ${missed} denied rows without the feature, ${extra} rows with it not denied`);
    }
    expect(problems).toEqual([]);
  });

  it('replicas: below 2 on the replicas-minimum negatives, at least 2 on positive Deployments and StatefulSets', () => {
    const denied = negatives.filter((f) => f.deny.includes('replicas-minimum'));
    expect(denied.length).toBeGreaterThan(0);
    for (const f of denied) expect(value(f.x, 'replicas'), f.name).toBeLessThan(2);
    const scaled = positives.filter((f) => f.x.kind === 'Deployment' || f.x.kind === 'StatefulSet');
    expect(scaled.length).toBeGreaterThan(0);
    for (const f of scaled) {
      expect(value(f.x, 'replicas'), f.name).toBeGreaterThanOrEqual(2);
      expect(f.x.has_replicas).toBe(1);
    }
  });

  it('limit/request ratios: the ratio negatives exceed 4x cpu or 2x memory, positives do not', () => {
    const over = (x: ManifestFeatures) => value(x, 'max_cpu_limit_ratio') > 4 || value(x, 'max_memory_limit_ratio') > 2;
    const denied = negatives.filter((f) => f.deny.includes('resources-limit-request-ratio'));
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.filter((f) => !over(f.x)).map((f) => f.name)).toEqual([]);
    expect(positives.filter((f) => over(f.x)).map((f) => f.name)).toEqual([]);
  });

  it('positive workloads follow the house standard', () => {
    const workloads = positives.filter((f) => f.x.is_workload === 1);
    expect(workloads.length).toBeGreaterThan(10);
    for (const { name, x } of workloads) {
      expect(x.pod_spec_present, name).toBe(1);
      expect(value(x, 'containers_count'), name).toBeGreaterThanOrEqual(1);
      expect(x.total_containers, name).toBe(
        value(x, 'containers_count') + value(x, 'init_containers_count') + value(x, 'ephemeral_containers_count'),
      );
      expect(x.pod_seccomp_type, name).toBe('RuntimeDefault');
      expect(x.automount_sa_token, name).toBe('false');
      expect(x.pod_run_as_non_root, name).toBe(1);
      expect(x.image_registry, name).toMatch(/^(registry|mirror)\.internal\.example$/);
    }
  });
});

describe('manifest features: hand-made cases', () => {
  const deployment = (container: Record<string, unknown>, pod: Record<string, unknown> = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { template: { spec: { containers: [container], ...pod } } },
  });

  it('reads the pod template path of every workload kind', () => {
    const pod = { containers: [{ name: 'a', securityContext: { privileged: true } }] };
    const cases: unknown[] = [
      { kind: 'Pod', spec: pod },
      ...['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].map((kind) => ({ kind, spec: { template: { spec: pod } } })),
      { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: pod } } } } },
    ];
    for (const m of cases) expect(extractManifestFeatures(m).privileged_count).toBe(1);
    // a Service with the same spec shape has no pod spec
    expect(extractManifestFeatures({ kind: 'Service', spec: pod }).privileged_count).toBe(0);
  });

  it('counts over all three container lists', () => {
    const c = { image: 'nginx', securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN', 'NET_BIND_SERVICE'] } } };
    const x = extractManifestFeatures({ kind: 'Pod', spec: { containers: [c], initContainers: [c], ephemeralContainers: [c] } });
    expect(x.total_containers).toBe(3);
    expect(x.privileged_count).toBe(3);
    expect(x.capabilities_added_count).toBe(6);
    expect(x.capabilities_not_baseline_count).toBe(3);
    expect(x.dangerous_capabilities_count).toBe(3);
    expect(x.image_untagged_count).toBe(3);
    expect(x.image_registry).toBe('docker.io');
    // ephemeral containers have no resources: 2 containers are counted, not 3
    expect(x.cpu_limits_missing).toBe(2);
    // probes only for `containers` of long-running kinds
    expect(x.liveness_probe_missing).toBe(1);
  });

  it('images: tag, latest, digest and registry', () => {
    const digest = `@sha256:${'a'.repeat(64)}`;
    const images = [
      'nginx',
      'nginx:latest',
      `registry.internal.example/t/a:1.2.3${digest}`,
      'registry.internal.example/t/a:latest',
      'mirror.internal.example/t/b:2.0.0',
      'localhost:5000/x',
      `quay.io/org/y${digest}`,
    ];
    const x = extractManifestFeatures({ kind: 'Pod', spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } });
    expect(x.image_untagged_count).toBe(2); // nginx, localhost:5000/x
    expect(x.image_latest_count).toBe(2);
    expect(x.image_unpinned_count).toBe(5);
    expect(x.image_registry_not_allowed_count).toBe(4);
    expect(x.distinct_registries).toBe(5);
  });

  it('resources: missing counts and limit/request ratios', () => {
    const x = extractManifestFeatures(
      deployment({
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' } },
      }),
    );
    expect(x.cpu_requests_missing).toBe(0);
    expect(x.ephemeral_storage_requests_missing).toBe(1);
    expect(x.ephemeral_storage_limits_missing).toBe(0);
    expect(x.max_cpu_limit_ratio).toBeCloseTo(10);
    expect(x.max_memory_limit_ratio).toBeCloseTo(8);
    expect(extractManifestFeatures(deployment({})).resources_missing_count).toBe(1);
  });

  it('security context: inheritance from the pod and Windows exemptions', () => {
    const inherits = extractManifestFeatures(deployment({ name: 'a' }, { securityContext: { runAsNonRoot: true } }));
    expect(inherits.run_as_non_root_missing_count).toBe(0);
    const overrides = extractManifestFeatures(
      deployment({ name: 'a', securityContext: { runAsNonRoot: false } }, { securityContext: { runAsNonRoot: true } }),
    );
    expect(overrides.run_as_non_root_missing_count).toBe(1);
    const windows = extractManifestFeatures(deployment({ name: 'a' }, { os: { name: 'windows' } }));
    expect(windows.windows_pod).toBe(1);
    expect(windows.allow_privilege_escalation_unset_count).toBe(0);
    expect(windows.capabilities_drop_all_missing_count).toBe(0);
    expect(extractManifestFeatures(deployment({ name: 'a' })).allow_privilege_escalation_unset_count).toBe(1);
  });

  it('env: secret-looking literals, references and locations', () => {
    const env = [
      { name: 'DB_PASSWORD', value: 'hunter2' },
      { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      { name: 'TOKEN_FILE', value: '/var/run/token' },
      { name: 'SECRET_URL', value: 'https://user:pw@example.com' },
      { name: 'PASSWORD', value: '$(OTHER)' },
      { name: 'LOG_LEVEL', value: 'info' },
    ];
    const x = extractManifestFeatures(deployment({ env }));
    expect(x.env_vars_count).toBe(6);
    expect(x.env_secret_literal_count).toBe(2);
    expect(x.env_secret_ref_count).toBe(1);
  });

  it('RBAC roles and bindings', () => {
    const role = extractManifestFeatures({
      kind: 'ClusterRole',
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['secrets'], verbs: ['get'] },
      ],
    });
    expect(role.rbac_rules_count).toBe(3);
    expect(role.rbac_wildcard_verbs).toBe(1);
    expect(role.rbac_secret_read).toBe(1); // the wildcard rule; "apps" is not the core group
    expect(role.rbac_pod_exec).toBe(0); // "*" is not one of the exec sub-resources
    expect(role.rbac_nodes_proxy).toBe(1);
    const binding = extractManifestFeatures({
      kind: 'ClusterRoleBinding',
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [
        { kind: 'Group', name: 'system:masters' },
        { kind: 'ServiceAccount', name: 'default', namespace: 'shop' },
      ],
    });
    expect(binding).toMatchObject({
      rbac_role_ref_cluster_admin: 1,
      rbac_subjects_count: 2,
      rbac_system_masters_subject: 1,
      rbac_default_sa_subject: 1,
    });
    expect(binding.is_cluster_scoped).toBe(1);
    expect(binding.namespace_missing).toBe(0);
  });

  it('networking: Service, Ingress and NetworkPolicy shapes', () => {
    expect(extractManifestFeatures({ kind: 'Service', spec: { ports: [{ port: 80 }] } })).toMatchObject({
      service_type: 'ClusterIP',
      service_ports_count: 1,
    });
    const ingress = extractManifestFeatures({
      kind: 'Ingress',
      spec: {
        rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }, { host: '*.example.org' }],
        tls: [{ hosts: ['a.example.com', '*.example.org'] }],
      },
    });
    expect(ingress).toMatchObject({
      ingress_hosts_count: 3,
      ingress_wildcard_hosts: 2,
      ingress_tls_entries: 1,
      ingress_tls_hosts_uncovered: 1,
      ingress_class: 'unset',
      ingress_class_missing: 1,
    });
    const netpol = extractManifestFeatures({
      kind: 'NetworkPolicy',
      spec: {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }, { from: [{ podSelector: { matchLabels: { a: 'b' } } }] }],
      },
    });
    expect(netpol).toMatchObject({ netpol_selects_all_pods: 1, netpol_allow_all_ingress: 1 });
  });
});

describe('policy → feature relevance', () => {
  const index = loadPolicyIndex();
  const indexNames = [...new Set(index.flatMap((meta) => meta.features))].sort();

  it('maps every feature name of datasets/policies/index.jsonl to existing manifest features', () => {
    const known = new Set(MANIFEST_FEATURE_NAMES);
    const problems: string[] = [];
    for (const name of indexNames) {
      const mapped = POLICY_FEATURE_RELEVANCE[name];
      if (!mapped || mapped.length === 0) problems.push(`${name}: no mapping in POLICY_FEATURE_RELEVANCE`);
      for (const feature of mapped ?? []) if (!known.has(feature)) problems.push(`${name} → ${feature}: not in MANIFEST_FEATURES`);
    }
    expect(problems).toEqual([]);
  });

  it('maps no name that the index does not use', () => {
    expect(Object.keys(POLICY_FEATURE_RELEVANCE).filter((name) => !indexNames.includes(name))).toEqual([]);
  });

  it('gives every policy its relevant features, in feature order, each once', () => {
    for (const meta of index) {
      const features = relevantFeatures(meta);
      expect(features.length, meta.id).toBeGreaterThan(0);
      expect(new Set(features).size).toBe(features.length);
      const positions = features.map((f) => MANIFEST_FEATURE_NAMES.indexOf(f));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
    expect(relevantFeatures({ features: ['privileged_containers'] })).toEqual(['privileged_count']);
    expect(relevantFeatures({ features: ['no_such_feature'] })).toEqual([]);
  });

  it('on every negative fixture, some relevant feature of each denying policy is set', () => {
    const byId = new Map(index.map((meta) => [meta.id, meta]));
    const problems: string[] = [];
    for (const f of negatives) {
      for (const id of f.deny) {
        const meta = byId.get(id);
        if (!meta) continue;
        if (!relevantFeatures(meta).some((name) => value(f.x, name) > 0)) problems.push(`${f.name}: ${id}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('Rego features of a hand-written AST', () => {
  const v = (name: string) => ({ type: 'var', value: name });
  const s = (text: string) => ({ type: 'string', value: text });
  const ref = (...parts: object[]) => ({ type: 'ref', value: parts });
  const op = (name: string) => ref(...name.split('.').map((p, i) => (i === 0 ? v(p) : s(p))));
  const call = (name: string, ...args: object[]) => ({ type: 'call', value: [op(name), ...args] });
  const expr = (index: number, terms: unknown, extra: object = {}) => ({ index, terms, ...extra });

  // package p
  // import data.kpc.lib.k8s
  // default allow := false
  // has_label(x) if { regex.match("^a", x) }
  // deny contains msg if {
  //   some c in input.containers
  //   x := input.items[_].name
  //   not has_label(x)
  //   names := [n | some n in c.names; s := {m | m := data.inventory.ns[_]}]
  //   every k in names { count(k) > 0 }
  //   k8s.param("p", "k", 1) == 1
  //   msg := sprintf("%v", [x])
  // }
  const ast = {
    package: { path: [v('data'), s('p')] },
    imports: [{ path: op('data.kpc.lib.k8s') }],
    rules: [
      {
        default: true,
        head: { name: 'allow', value: { type: 'boolean', value: false }, ref: [v('allow')] },
        body: [expr(0, { type: 'boolean', value: true }, { generated: true })],
      },
      { head: { name: 'has_label', args: [v('x')], ref: [v('has_label')] }, body: [expr(0, [op('regex.match'), s('^a'), v('x')])] },
      {
        head: { name: 'deny', key: v('msg'), ref: [v('deny')] },
        body: [
          expr(0, { symbols: [call('internal.member_2', v('c'), ref(v('input'), s('containers')))] }),
          expr(1, [op('assign'), v('x'), ref(v('input'), s('items'), v('$0'), s('name'))]),
          expr(2, [op('has_label'), v('x')], { negated: true }),
          expr(3, [
            op('assign'),
            v('names'),
            {
              type: 'arraycomprehension',
              value: {
                term: v('n'),
                body: [
                  expr(0, { symbols: [call('internal.member_2', v('n'), ref(v('c'), s('names')))] }),
                  expr(1, [
                    op('assign'),
                    v('s'),
                    {
                      type: 'setcomprehension',
                      value: { term: v('m'), body: [expr(0, [op('assign'), v('m'), ref(v('data'), s('inventory'), s('ns'), v('$1'))])] },
                    },
                  ]),
                ],
              },
            },
          ]),
          expr(4, {
            key: null,
            value: v('k'),
            domain: v('names'),
            body: [expr(0, [op('gt'), call('count', v('k')), { type: 'number', value: 0 }])],
          }),
          expr(5, [op('equal'), call('k8s.param', s('p'), s('k'), { type: 'number', value: 1 }), { type: 'number', value: 1 }]),
          expr(6, [op('assign'), v('msg'), call('sprintf', s('%v'), { type: 'array', value: [v('x')] })]),
        ],
      },
    ],
    comments: [{ Text: 'IGE=', Location: { row: 1, col: 1 } }],
  };

  it('counts rules, iteration, comprehensions, calls and data references', () => {
    const f = extractRegoFeatures(ast, 'package p\n\n# a comment\nimport data.kpc.lib.k8s\n');
    expect(Object.keys(f)).toEqual(REGO_FEATURES.map((spec) => spec.name));
    expect(f).toMatchObject({
      rules: 3,
      distinct_rule_names: 3,
      deny_rules: 1,
      functions: 1,
      helper_rules: 1,
      default_rules: 1,
      imports: 1,
      some_decls: 2,
      some_in: 2,
      every_exprs: 1,
      negations: 1,
      comprehensions: 2,
      max_comprehension_depth: 2,
      iterations_wildcard: 2,
      regex_calls: 1,
      aggregate_calls: 1,
      string_calls: 1,
      function_calls: 1,
      library_calls: 1,
      refs_to_inventory: 1,
      refs_to_params: 1,
      refs_to_input: 2,
      comments: 1,
      lines_of_code: 2,
    });
    // regex.match, has_label, count, k8s.param, sprintf
    expect(f.calls_total).toBe(5);
    expect(f.max_nesting_depth).toBeGreaterThanOrEqual(5);
    expect(f.ast_nodes).toBeGreaterThan(40);
  });

  it('is total: any value gives every feature', () => {
    for (const input of [null, 42, 'x', [], {}, { rules: 'x' }, { rules: [null, { head: 3, body: 'b' }] }]) {
      const f = extractRegoFeatures(input);
      expect(Object.keys(f)).toEqual(REGO_FEATURES.map((spec) => spec.name));
      for (const x of Object.values(f)) expect(Number.isFinite(x)).toBe(true);
    }
  });
});

describe('feature tables', () => {
  const spec = [
    { name: 'count', type: 'numeric', description: 'a count' },
    { name: 'kind', type: 'categorical', description: 'a kind' },
    { name: 'ratio', type: 'numeric', description: 'a ratio' },
  ] as const;

  it('builds Float64 and String columns in spec order', () => {
    const df = featureFrame(
      [
        { kind: 'Pod', count: 1, ratio: 0.5, extra: 9 },
        { count: 3, kind: 'Pod', ratio: 'x' },
        { count: 2, kind: 'Service' },
      ],
      spec,
    );
    expect(df.columns).toEqual(['count', 'kind', 'ratio']);
    expect(df.height).toBe(3);
    expect(pl.Float64.equals(df.getColumn('count').dtype)).toBe(true);
    expect(df.getColumn('kind').dtype.variant).toBe('String');
    expect(df.getColumn('ratio').toArray()).toEqual([0.5, null, null]);
  });

  it('builds an empty frame with the right columns', () => {
    const df = featureFrame([], MANIFEST_FEATURES);
    expect(df.height).toBe(0);
    expect(df.columns).toEqual(MANIFEST_FEATURE_NAMES);
    expect(describeFrame(df).columns.every((c) => c.count === 0)).toBe(true);
  });

  it('describes numeric and categorical columns as plain JSON', () => {
    const df = featureFrame(
      [
        { count: 1, kind: 'Pod', ratio: 2 },
        { count: 2, kind: 'Service', ratio: 2 },
        { count: 3, kind: 'Pod' },
        { count: 6, kind: 'Deployment', ratio: 2 },
      ],
      spec,
    );
    const summary = describeFrame(df, { top: 2 });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(summary.rows).toBe(4);
    const [count, kind, ratio] = summary.columns;
    expect(count).toMatchObject({ name: 'count', type: 'numeric', count: 4, nulls: 0, mean: 3, min: 1, max: 6 });
    expect(count?.type === 'numeric' && count.std).toBeCloseTo(Math.sqrt(14 / 3));
    expect(kind).toEqual({
      name: 'kind',
      type: 'categorical',
      count: 4,
      nulls: 0,
      distinct: 3,
      top: [
        { value: 'Pod', count: 2 },
        { value: 'Deployment', count: 1 },
      ],
    });
    expect(ratio).toMatchObject({ count: 3, nulls: 1, mean: 2, std: 0 });
  });

  it('summarises manifest features of the fixtures', () => {
    const df = featureFrame(
      positives.map((f) => f.x),
      MANIFEST_FEATURES,
    );
    const summary = describeFrame(df);
    const kind = summary.columns.find((c) => c.name === 'kind');
    expect(kind?.type).toBe('categorical');
    expect(kind?.type === 'categorical' && kind.top[0]?.value).toBe('Deployment');
    const privileged = summary.columns.find((c) => c.name === 'privileged_count');
    expect(privileged).toMatchObject({ type: 'numeric', mean: 0, max: 0 });
  });
});
