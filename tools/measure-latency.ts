/**
 * Measures how long each corpus policy takes to evaluate, with the real OPA (`opa bench`), over
 * inputs of growing size: the number of containers (or rules, ports, hosts, keys for non-workload
 * kinds) and, for policies that read other objects, the size of the inventory. The machine and the
 * OPA version are recorded with every row. Output: datasets/latency/latency.jsonl.
 *
 *   npm run datasets:latency [-- --only pss-privileged,rbac-secret-read]
 *
 * It takes a while (about 4 s per measurement); run it on an otherwise idle machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { opaVersion } from '../activities/opa/opa';
import { runOpa } from '../activities/opa/run';
import { loadPolicyIndex } from '../datasets/load';
import { LATENCY_FILE, POLICIES_DIR } from '../datasets/paths';
import { type LatencyMeasurement, latencyMeasurementSchema, type PolicyMeta } from '../datasets/schemas';
import { loadConfig } from '../infra/config';
import { writeAtomic } from '../lib/atomic';

type Json = Record<string, unknown>;

export const ITEM_SIZES = [1, 4, 16, 64];
export const INVENTORY_SIZES = [10, 100, 1000, 5000];

const benchOutputSchema = z.object({
  N: z.number(),
  T: z.number(),
  MemAllocs: z.number(),
  MemBytes: z.number(),
  Extra: z.record(z.string(), z.number()).optional(),
});

function container(i: number): Json {
  // alternate compliant and non-compliant settings so rules do real work on both paths
  const good = i % 2 === 0;
  return {
    name: `c${i}`,
    image: good ? `registry.internal.example/shop/app-${i}:1.${i}.0@sha256:${'ab'.repeat(32)}` : `nginx:latest`,
    securityContext: good
      ? { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } }
      : { privileged: i % 3 === 0, capabilities: { add: ['NET_ADMIN'] }, runAsUser: 0 },
    resources: good
      ? {
          requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '1Gi' },
          limits: { cpu: '400m', memory: '256Mi', 'ephemeral-storage': '2Gi' },
        }
      : {},
    ports: [{ containerPort: 8080 + i, ...(good ? {} : { hostPort: 9000 + i }) }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      good ? { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } } : { name: 'API_TOKEN', value: 'abc' },
    ],
    ...(good ? { livenessProbe: { tcpSocket: { port: 8080 } }, readinessProbe: { tcpSocket: { port: 8080 } } } : {}),
  };
}

const meta = (name: string, namespace = 'shop') => ({
  name,
  namespace,
  labels: { 'app.kubernetes.io/name': 'storefront', 'app.kubernetes.io/instance': 'storefront-prod', team: 'commerce' },
  annotations: { 'kube-pac.io/owner': 'commerce@corp.example' },
});

/** An input of the policy's first kind, with `items` repeated elements. */
export function latencyInput(kind: string, items: number): Json {
  const podSpec = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: Array.from({ length: Math.max(1, Math.ceil(items * 0.75)) }, (_, i) => container(i)),
    initContainers: Array.from({ length: Math.floor(items * 0.25) }, (_, i) => container(1000 + i)),
    volumes: [
      { name: 'tmp', emptyDir: {} },
      { name: 'host', hostPath: { path: '/var/log' } },
    ],
  };
  const template = { metadata: { labels: { 'app.kubernetes.io/name': 'storefront' } }, spec: podSpec };
  switch (kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata: meta('p'), spec: podSpec };
    case 'CronJob':
      return { apiVersion: 'batch/v1', kind, metadata: meta('c'), spec: { schedule: '0 * * * *', jobTemplate: { spec: { template } } } };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return { apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata: meta('w'), spec: { replicas: 3, template } };
    case 'Role':
    case 'ClusterRole':
      return {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind,
        metadata: meta('r'),
        rules: Array.from({ length: items }, (_, i) => ({
          apiGroups: [''],
          resources: i % 2 ? ['secrets'] : ['pods', 'pods/exec'],
          verbs: i % 3 ? ['get', 'list'] : ['*'],
        })),
      };
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind,
        metadata: meta('b'),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: Array.from({ length: items }, (_, i) => ({
          kind: 'ServiceAccount',
          name: i % 2 ? 'default' : `sa-${i}`,
          namespace: 'shop',
        })),
      };
    case 'Service':
      return {
        apiVersion: 'v1',
        kind,
        metadata: meta('s'),
        spec: {
          type: 'NodePort',
          externalIPs: ['203.0.113.1'],
          ports: Array.from({ length: items }, (_, i) => ({ port: 80 + i, nodePort: 30000 + i })),
        },
      };
    case 'Ingress':
      return {
        apiVersion: 'networking.k8s.io/v1',
        kind,
        metadata: meta('i'),
        spec: {
          rules: Array.from({ length: items }, (_, i) => ({ host: i % 2 ? `*.h${i}.example` : `h${i}.example` })),
          tls: [{ hosts: Array.from({ length: Math.ceil(items / 2) }, (_, i) => `h${i * 2}.example`) }],
        },
      };
    case 'ConfigMap':
      return {
        apiVersion: 'v1',
        kind,
        metadata: meta('cm'),
        data: Object.fromEntries(Array.from({ length: items }, (_, i) => [i % 2 ? `key_${i}` : `db_password_${i}`, `v${i}`])),
      };
    case 'NetworkPolicy':
      return {
        apiVersion: 'networking.k8s.io/v1',
        kind,
        metadata: meta('np'),
        spec: {
          podSelector: {},
          ingress: Array.from({ length: items }, (_, i) => (i % 2 ? {} : { from: [{ podSelector: { matchLabels: { a: `${i}` } } }] })),
        },
      };
    case 'Namespace':
      return {
        apiVersion: 'v1',
        kind,
        metadata: { name: 'n', labels: Object.fromEntries(Array.from({ length: items }, (_, i) => [`l${i}`, 'x'])) },
      };
    default:
      return { apiVersion: 'v1', kind, metadata: meta('x') };
  }
}

/** A synced inventory with `objects` PodDisruptionBudgets and NetworkPolicies spread over namespaces. */
export function latencyInventory(objects: number): Json {
  const namespace: Record<string, Json> = {};
  for (let i = 0; i < objects; i++) {
    const ns = i % 10 === 0 ? 'shop' : `ns-${i % 50}`;
    const kind = i % 2 ? 'PodDisruptionBudget' : 'NetworkPolicy';
    namespace[ns] ??= {};
    const byKind = namespace[ns] as Record<string, Json>;
    byKind[kind] ??= {};
    const byName = byKind[kind] as Json;
    byName[`obj-${i}`] = {
      apiVersion: kind === 'PodDisruptionBudget' ? 'policy/v1' : 'networking.k8s.io/v1',
      kind,
      metadata: { name: `obj-${i}`, namespace: ns },
      spec:
        kind === 'PodDisruptionBudget'
          ? { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': `app-${i}` } } }
          : { podSelector: {} },
    };
  }
  return { inventory: { namespace, cluster: {} } };
}

export function machineInfo() {
  const cpu = cpus()[0];
  return { cpuModel: cpu?.model ?? 'unknown', cpus: cpus().length, os: `${platform()} ${release()}`, node: process.version };
}

export async function measurePolicy(options: {
  policy: PolicyMeta;
  items: number;
  inventoryObjects: number;
  opa: ReturnType<typeof loadConfig>['opa'];
  opaVersion: string;
  workDir: string;
}): Promise<LatencyMeasurement> {
  const { policy, items, inventoryObjects, workDir } = options;
  const input = latencyInput(policy.kinds[0] ?? 'Pod', items);
  const inputFile = join(workDir, 'input.json');
  const inputText = JSON.stringify(input);
  writeFileSync(inputFile, inputText);
  const args = [
    'bench',
    '--format',
    'json',
    '--fail=false',
    '--count',
    '1',
    '-d',
    join(POLICIES_DIR, 'lib', 'k8s.rego'),
    '-d',
    join(POLICIES_DIR, policy.id, 'policy.rego'),
  ];
  if (inventoryObjects > 0) {
    const inventoryFile = join(workDir, 'inventory.json');
    writeFileSync(inventoryFile, JSON.stringify(latencyInventory(inventoryObjects)));
    args.push('-d', inventoryFile);
  }
  args.push('-i', inputFile, `data.${policy.package}.deny`);
  const result = await runOpa({ path: options.opa.path, args, timeoutMs: 120_000 });
  if (result.exitCode !== 0) throw new Error(`opa bench for ${policy.id} failed: ${result.stderr || result.stdout}`);
  const bench = benchOutputSchema.parse(JSON.parse(result.stdout));
  const extra = bench.Extra ?? {};
  return latencyMeasurementSchema.parse({
    policy: policy.id,
    kind: policy.kinds[0],
    items,
    inventoryObjects,
    inputBytes: Buffer.byteLength(inputText),
    iterations: bench.N,
    nsPerOp: Math.round(bench.T / bench.N),
    p50Ns: extra.histogram_timer_rego_query_eval_ns_median,
    p99Ns: extra['histogram_timer_rego_query_eval_ns_99%'],
    allocsPerOp: Math.round(bench.MemAllocs / bench.N),
    bytesPerOp: Math.round(bench.MemBytes / bench.N),
    opaVersion: options.opaVersion,
    machine: machineInfo(),
    measuredAt: new Date().toISOString(),
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string', default: LATENCY_FILE } } });
  const config = loadConfig();
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  const policies = loadPolicyIndex().filter((p) => !only || only.has(p.id));
  const version = (await opaVersion({ opa: config.opa })).version;
  const workDir = mkdtempSync(join(tmpdir(), 'pac-latency-'));
  const rows: LatencyMeasurement[] = [];
  try {
    for (const [n, policy] of policies.entries()) {
      const plan = policy.usesInventory
        ? [...ITEM_SIZES.map((items) => [items, 10] as const), ...INVENTORY_SIZES.filter((s) => s !== 10).map((inv) => [4, inv] as const)]
        : ITEM_SIZES.map((items) => [items, 0] as const);
      for (const [items, inventoryObjects] of plan) {
        const row = await measurePolicy({ policy, items, inventoryObjects, opa: config.opa, opaVersion: version, workDir });
        rows.push(row);
        process.stderr.write(
          `[latency] ${n + 1}/${policies.length} ${policy.id} items=${items} inventory=${inventoryObjects}: ${(row.nsPerOp / 1000).toFixed(1)} µs/op\n`,
        );
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  writeAtomic(values.out, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  process.stderr.write(`[latency] wrote ${rows.length} measurements to ${values.out}\n`);
}
