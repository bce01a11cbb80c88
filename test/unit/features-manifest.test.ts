/**
 * Manifest features without engines: the feature list, totality on garbage, and hand-made cases
 * of every family of kinds (pod templates, containers, images, resources, security, RBAC, networking).
 */
import { describe, expect, it } from 'vitest';
import { extractManifestFeatures, MANIFEST_FEATURE_NAMES, MANIFEST_FEATURES } from '../../activities/features';
import { negatives, positives } from './helpers/feature-fixtures';

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
