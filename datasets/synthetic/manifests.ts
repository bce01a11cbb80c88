/**
 * SIMULATED data: a seeded generator of varied Kubernetes manifests, the ranker's bootstrap
 * training set (rows from it are marked `origin: simulated` wherever they appear — datasets,
 * MLflow counts, metrics, benchmarks). Every manifest starts from the house standard
 * (datasets/policies/CONVENTIONS.md: probes on declared ports, env references to Secrets that
 * exist in datasets/fixtures/inventory.json, topologySpreadConstraints on replicated Deployments and
 * StatefulSets, `priorityClassName: node-agent` on DaemonSets, …) and then, with per-setting
 * probabilities that mimic what real clusters show, has settings weakened or optional fields
 * dropped. The same seed always yields the same manifests.
 *
 * The probabilities are generative assumptions, documented in datasets/README.md; labels are never
 * assumed: they come from evaluating the real corpus with the policy engine (activities/lifecycle/label.ts).
 */

import { APPS, KIND_WEIGHTS, NAMESPACES, type Namespace, PUBLIC_IMAGES, SECRET_REFS, TEAMS } from './manifest-tables';

type Json = Record<string, unknown>;

/** sfc32: a small, fast, seedable PRNG with good statistical quality. */
export function createRng(seed: number) {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ (seed * 31);
  let c = 0xb7e15162 ^ (seed * 17);
  let d = 1;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return {
    next,
    chance: (p: number) => next() < p,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    hex: (length: number) => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join(''),
  };
}
export type Rng = ReturnType<typeof createRng>;

const TOTAL_WEIGHT = KIND_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);

function pickKind(rng: Rng): string {
  let roll = rng.next() * TOTAL_WEIGHT;
  for (const [kind, weight] of KIND_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return 'Deployment';
}

interface Ctx {
  rng: Rng;
  namespace: Namespace;
  app: string;
  team: string;
}

function metadata(ctx: Ctx, name: string, extra: Json = {}): Json {
  const labels: Json = {
    'app.kubernetes.io/name': ctx.app,
    'app.kubernetes.io/instance': `${ctx.app}-${ctx.rng.pick(['prod', 'staging', 'blue', 'green'])}`,
    'app.kubernetes.io/managed-by': ctx.rng.pick(['Helm', 'argocd', 'kustomize']),
    team: ctx.team,
  };
  const { rng } = ctx;
  // labels are the most often forgotten metadata
  if (rng.chance(0.12)) delete labels.team;
  if (rng.chance(0.06)) delete labels['app.kubernetes.io/managed-by'];
  if (rng.chance(0.04)) delete labels['app.kubernetes.io/instance'];
  const meta: Json = { name, labels, ...extra };
  if (rng.chance(0.05)) meta.namespace = 'default';
  else if (rng.chance(0.04)) meta.namespace = 'sandbox';
  else meta.namespace = ctx.namespace;
  return meta;
}

function image(ctx: Ctx, name: string): string {
  const { rng } = ctx;
  const version = `${rng.int(1, 4)}.${rng.int(0, 30)}.${rng.int(0, 12)}`;
  const digest = `@sha256:${rng.hex(64)}`;
  const roll = rng.next();
  if (roll < 0.06) return rng.pick(PUBLIC_IMAGES); // no tag at all
  if (roll < 0.12) return `${rng.pick(PUBLIC_IMAGES)}:latest`;
  if (roll < 0.2) return `${rng.pick(PUBLIC_IMAGES)}:${version}`;
  if (roll < 0.24) return `registry.internal.example/${ctx.team}/${name}:latest`;
  if (roll < 0.4) return `registry.internal.example/${ctx.team}/${name}:${version}`;
  const registry = rng.chance(0.85) ? 'registry.internal.example' : 'mirror.internal.example';
  return `${registry}/${ctx.team}/${name}:${version}${digest}`;
}

function resources(ctx: Ctx): Json | undefined {
  const { rng } = ctx;
  if (rng.chance(0.1)) return undefined;
  const cpuRequest = rng.pick([50, 100, 200, 250, 500, 1000]);
  const memRequest = rng.pick([64, 128, 256, 512, 1024]);
  const requests: Json = { cpu: `${cpuRequest}m`, memory: `${memRequest}Mi`, 'ephemeral-storage': '256Mi' };
  const cpuRatio = rng.chance(0.1) ? rng.pick([6, 8, 10]) : rng.pick([1, 2, 4]);
  const memRatio = rng.chance(0.1) ? rng.pick([3, 4, 8]) : rng.pick([1, 2]);
  const limits: Json = { cpu: `${cpuRequest * cpuRatio}m`, memory: `${memRequest * memRatio}Mi`, 'ephemeral-storage': '1Gi' };
  if (rng.chance(0.12)) delete requests.cpu;
  if (rng.chance(0.1)) delete requests.memory;
  if (rng.chance(0.2)) delete limits.cpu;
  if (rng.chance(0.15)) delete limits.memory;
  if (rng.chance(0.3)) delete limits['ephemeral-storage'];
  if (rng.chance(0.3)) delete requests['ephemeral-storage'];
  return { requests, limits };
}

/** A probe on the container's declared port (by name or number); now and then on a port it does not declare. */
function probe(ctx: Ctx, containerPort: number): Json {
  const { rng } = ctx;
  const port = rng.chance(0.05) ? (containerPort === 8081 ? 8082 : 8081) : containerPort;
  return rng.chance(0.5)
    ? { httpGet: { path: '/healthz', port: port === containerPort && rng.chance(0.5) ? 'http' : port }, periodSeconds: 10 }
    : { tcpSocket: { port }, periodSeconds: rng.pick([5, 10, 20]) };
}

function container(ctx: Ctx, name: string, list: 'containers' | 'initContainers' | 'ephemeralContainers', longRunning: boolean): Json {
  const { rng } = ctx;
  const securityContext: Json = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ['ALL'] },
  };
  if (rng.chance(0.15)) delete securityContext.allowPrivilegeEscalation;
  else if (rng.chance(0.04)) securityContext.allowPrivilegeEscalation = true;
  if (rng.chance(0.2)) securityContext.readOnlyRootFilesystem = false;
  if (rng.chance(0.03)) securityContext.privileged = true;
  if (rng.chance(0.15)) delete securityContext.capabilities;
  else if (rng.chance(0.06))
    securityContext.capabilities = {
      drop: ['ALL'],
      add: [rng.pick(['NET_ADMIN', 'SYS_ADMIN', 'NET_RAW', 'SYS_PTRACE', 'NET_BIND_SERVICE', 'CHOWN'])],
    };
  if (rng.chance(0.02)) securityContext.runAsUser = 0;
  if (rng.chance(0.01)) securityContext.procMount = 'Unmasked';
  if (rng.chance(0.01)) securityContext.seccompProfile = { type: 'Unconfined' };
  if (rng.chance(0.01)) securityContext.seLinuxOptions = { type: 'spc_t' };
  if (rng.chance(0.05)) securityContext.runAsNonRoot = false;
  if (rng.chance(0.01)) securityContext.appArmorProfile = { type: 'Unconfined' };
  if (rng.chance(0.005)) securityContext.windowsOptions = { hostProcess: true };

  const c: Json = { name, image: image(ctx, name) };
  if (rng.chance(0.92)) c.securityContext = securityContext;
  const containerPort = rng.pick([8080, 8443, 9090, 3000]);
  if (list !== 'ephemeralContainers') {
    const r = resources(ctx);
    if (r) c.resources = r;
    if (list === 'containers') {
      const ports: Json[] = [{ name: 'http', containerPort }];
      if (rng.chance(0.03)) (ports[0] as Json).hostPort = rng.pick([80, 443, 8080]);
      c.ports = ports;
    }
  }
  if (list === 'containers' && longRunning) {
    if (rng.chance(0.82)) c.livenessProbe = probe(ctx, containerPort);
    if (rng.chance(0.78)) c.readinessProbe = probe(ctx, containerPort);
  }
  const env: Json[] = [{ name: 'LOG_LEVEL', value: rng.pick(['info', 'debug', 'warn']) }];
  if (rng.chance(0.6)) {
    const secretName = rng.pick(['DB_PASSWORD', 'API_TOKEN', 'STRIPE_API_KEY', 'CLIENT_SECRET']);
    // a Secret of the inventory; now and then one that does not exist (a typo, a missing chart dependency)
    const [ref, key] = rng.chance(0.06) ? [`${ctx.app}-secrets`, secretName.toLowerCase()] : rng.pick(SECRET_REFS[ctx.namespace]);
    env.push(
      rng.chance(0.08)
        ? { name: secretName, value: `s3cr3t-${rng.hex(8)}` }
        : { name: secretName, valueFrom: { secretKeyRef: { name: ref, key } } },
    );
  }
  // rarer slips of the newer house rules: a duplicated env name, a whole Secret imported, an interactive container
  if (rng.chance(0.01)) env.push({ name: 'LOG_LEVEL', value: 'trace' });
  if (list === 'containers' && rng.chance(0.02)) c.envFrom = [{ secretRef: { name: rng.pick(SECRET_REFS[ctx.namespace])[0] } }];
  if (list === 'containers' && rng.chance(0.01)) Object.assign(c, { stdin: true, tty: true });
  c.env = env;
  return c;
}

function podSpec(ctx: Ctx, longRunning: boolean): Json {
  const { rng } = ctx;
  const spec: Json = {
    serviceAccountName: ctx.app,
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
  if (rng.chance(0.1)) delete spec.serviceAccountName;
  if (rng.chance(0.3)) delete spec.automountServiceAccountToken;
  const psc = spec.securityContext as Json;
  if (rng.chance(0.2)) delete psc.runAsNonRoot;
  if (rng.chance(0.18)) delete psc.seccompProfile;
  if (rng.chance(0.03)) psc.runAsUser = 0;
  if (rng.chance(0.02)) psc.runAsGroup = 0;
  if (rng.chance(0.02))
    psc.sysctls = [{ name: rng.pick(['net.core.somaxconn', 'kernel.shm_rmid_forced', 'net.ipv4.ip_unprivileged_port_start']), value: '1' }];
  if (rng.chance(0.03)) spec.hostNetwork = true;
  if (rng.chance(0.015)) spec.hostPID = true;
  if (rng.chance(0.01)) spec.hostIPC = true;
  if (rng.chance(0.01)) spec.shareProcessNamespace = true;

  const count = rng.chance(0.6) ? 1 : rng.chance(0.7) ? 2 : 3;
  spec.containers = Array.from({ length: count }, (_, i) =>
    container(ctx, i === 0 ? ctx.app : `${rng.pick(['sidecar', 'proxy', 'log-shipper', 'metrics'])}-${i}`, 'containers', longRunning),
  );
  if (rng.chance(0.3)) spec.initContainers = [container(ctx, 'init-config', 'initContainers', false)];
  if (rng.chance(0.03)) spec.ephemeralContainers = [container(ctx, 'debugger', 'ephemeralContainers', false)];

  const volumes: Json[] = [{ name: 'tmp', emptyDir: {} }];
  if (rng.chance(0.4)) volumes.push({ name: 'config', configMap: { name: `${ctx.app}-config` } });
  if (rng.chance(0.04)) volumes.push({ name: 'host', hostPath: { path: rng.pick(['/var/run/docker.sock', '/var/log', '/etc']) } });
  if (rng.chance(0.02)) volumes.push({ name: 'nfs', nfs: { server: 'nfs.internal.example', path: '/exports' } });
  spec.volumes = volumes;
  return spec;
}

function workloadMeta(ctx: Ctx, name: string): Json {
  const annotations: Json = {};
  if (ctx.rng.chance(0.85)) annotations['kube-pac.io/owner'] = `${ctx.team}@corp.example`;
  return metadata(ctx, name, Object.keys(annotations).length ? { annotations } : {});
}

function template(ctx: Ctx, longRunning: boolean): Json {
  return { metadata: { labels: { 'app.kubernetes.io/name': ctx.app } }, spec: podSpec(ctx, longRunning) };
}

function apiVersion(ctx: Ctx, current: string, deprecated: string): string {
  return ctx.rng.chance(0.03) ? deprecated : current;
}

function rbacRules(ctx: Ctx): Json[] {
  const { rng } = ctx;
  const rules: Json[] = [{ apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list', 'watch'] }];
  if (rng.chance(0.5)) rules.push({ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'patch', 'update'] });
  if (rng.chance(0.08)) rules.push({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] });
  if (rng.chance(0.1)) rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] });
  if (rng.chance(0.04)) rules.push({ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['escalate', 'bind'] });
  if (rng.chance(0.05)) rules.push({ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] });
  if (rng.chance(0.05)) rules.push({ apiGroups: [''], resources: ['deployments'], verbs: ['*'] });
  if (rng.chance(0.03)) rules.push({ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] });
  if (rng.chance(0.03)) rules.push({ apiGroups: [''], resources: ['persistentvolumes'], verbs: ['create', 'delete'] });
  if (rng.chance(0.03))
    rules.push({ apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], verbs: ['patch'] });
  return rules;
}

function build(kind: string, ctx: Ctx, index: number): Json {
  const { rng } = ctx;
  const name = `${ctx.app}${index % 7 === 0 ? '' : `-${rng.pick(['api', 'worker', 'web', 'batch', 'sync'])}`}`;
  switch (kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata: { ...workloadMeta(ctx, `${name}-${rng.hex(5)}`) }, spec: podSpec(ctx, true) };
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet': {
      const replicas = rng.chance(0.2) ? 1 : rng.pick([2, 2, 3, 3, 4, 6]);
      const spec: Json = { selector: { matchLabels: { 'app.kubernetes.io/name': ctx.app } }, template: template(ctx, true) };
      if (!rng.chance(0.05)) spec.replicas = replicas;
      if (kind === 'StatefulSet') spec.serviceName = ctx.app;
      if (kind === 'Deployment' && rng.chance(0.03)) spec.strategy = { type: 'Recreate' };
      // replicated Deployments and StatefulSets spread their pods over nodes (house standard); often forgotten
      if (kind !== 'ReplicaSet' && replicas >= 2 && !rng.chance(0.15)) {
        ((spec.template as Json).spec as Json).topologySpreadConstraints = [
          {
            maxSkew: 1,
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { 'app.kubernetes.io/name': ctx.app } },
          },
        ];
      }
      return {
        apiVersion: apiVersion(ctx, 'apps/v1', kind === 'Deployment' ? 'extensions/v1beta1' : 'apps/v1beta2'),
        kind,
        metadata: workloadMeta(ctx, name),
        spec,
      };
    }
    case 'DaemonSet': {
      const podTemplate = template(ctx, true);
      // node agents run at the node-agent priority (house standard); sometimes unset or a class that does not exist
      if (!rng.chance(0.15)) (podTemplate.spec as Json).priorityClassName = rng.chance(0.05) ? 'high-priority' : 'node-agent';
      return {
        apiVersion: apiVersion(ctx, 'apps/v1', 'extensions/v1beta1'),
        kind,
        metadata: workloadMeta(ctx, name),
        spec: { selector: { matchLabels: { 'app.kubernetes.io/name': ctx.app } }, template: podTemplate },
      };
    }
    case 'Job': {
      const spec: Json = { template: template(ctx, false) };
      (spec.template as Json).spec = { ...((spec.template as Json).spec as Json), restartPolicy: 'Never' };
      if (rng.chance(0.7)) spec.ttlSecondsAfterFinished = rng.pick([300, 3600, 86400]);
      if (rng.chance(0.8)) spec.backoffLimit = rng.pick([0, 2, 4, 6]);
      return { apiVersion: 'batch/v1', kind, metadata: workloadMeta(ctx, `${name}-job`), spec };
    }
    case 'CronJob': {
      const jobSpec: Json = { template: template(ctx, false), backoffLimit: 2 };
      if (rng.chance(0.7)) jobSpec.ttlSecondsAfterFinished = 3600;
      const spec: Json = { schedule: rng.pick(['*/15 * * * *', '0 3 * * *', '0 * * * *']), jobTemplate: { spec: jobSpec } };
      if (rng.chance(0.7)) spec.concurrencyPolicy = rng.pick(['Forbid', 'Replace', 'Forbid']);
      else if (rng.chance(0.5)) spec.concurrencyPolicy = 'Allow';
      return { apiVersion: apiVersion(ctx, 'batch/v1', 'batch/v1beta1'), kind, metadata: workloadMeta(ctx, `${name}-cron`), spec };
    }
    case 'Service': {
      const type = rng.chance(0.85) ? 'ClusterIP' : rng.chance(0.5) ? 'NodePort' : 'LoadBalancer';
      const spec: Json = { type, selector: { 'app.kubernetes.io/name': ctx.app }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] };
      if (rng.chance(0.02)) spec.externalIPs = ['203.0.113.10'];
      return { apiVersion: 'v1', kind, metadata: metadata(ctx, name), spec };
    }
    case 'Ingress': {
      const host = rng.chance(0.05) ? '*.corp.example' : `${ctx.app}.corp.example`;
      const spec: Json = {
        rules: [
          { host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: ctx.app, port: { number: 80 } } } }] } },
        ],
      };
      if (rng.chance(0.85)) spec.ingressClassName = 'nginx';
      if (rng.chance(0.8)) spec.tls = [{ hosts: [rng.chance(0.9) ? host : `other.corp.example`], secretName: `${ctx.app}-tls` }];
      return {
        apiVersion: apiVersion(ctx, 'networking.k8s.io/v1', 'networking.k8s.io/v1beta1'),
        kind,
        metadata: metadata(ctx, name),
        spec,
      };
    }
    case 'ConfigMap': {
      const data: Json = { 'app.yaml': `logLevel: info\nport: 8080\n`, FEATURE_FLAGS: 'checkout-v2,search-v3' };
      if (rng.chance(0.06)) data.DB_PASSWORD = `p-${rng.hex(10)}`;
      return { apiVersion: 'v1', kind, metadata: metadata(ctx, `${name}-config`), data };
    }
    case 'Role':
      return { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: metadata(ctx, `${name}-role`), rules: rbacRules(ctx) };
    case 'ClusterRole':
      return {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind,
        metadata: { name: `${ctx.team}-${name}-reader`, labels: { team: ctx.team } },
        rules: rbacRules(ctx),
      };
    case 'RoleBinding':
    case 'ClusterRoleBinding': {
      const roleName = rng.chance(0.06) ? 'cluster-admin' : `${name}-role`;
      const subjectName = rng.chance(0.05) ? 'default' : ctx.app;
      const subjects: Json[] = [{ kind: 'ServiceAccount', name: subjectName, namespace: ctx.namespace }];
      if (rng.chance(0.02)) subjects.push({ kind: 'Group', name: 'system:masters', apiGroup: 'rbac.authorization.k8s.io' });
      const meta =
        kind === 'RoleBinding' ? metadata(ctx, `${name}-binding`) : { name: `${ctx.team}-${name}-binding`, labels: { team: ctx.team } };
      return {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind,
        metadata: meta,
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: roleName === 'cluster-admin' || kind === 'ClusterRoleBinding' ? 'ClusterRole' : 'Role',
          name: roleName,
        },
        subjects,
      };
    }
    case 'NetworkPolicy': {
      const allowAll = rng.chance(0.1);
      return {
        apiVersion: 'networking.k8s.io/v1',
        kind,
        metadata: metadata(ctx, `${name}-ingress`),
        spec: {
          podSelector: allowAll ? {} : { matchLabels: { 'app.kubernetes.io/name': ctx.app } },
          policyTypes: ['Ingress'],
          ingress: [
            allowAll
              ? {}
              : { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'platform' } } }], ports: [{ port: 8080 }] },
          ],
        },
      };
    }
    case 'Namespace': {
      const labels: Json = { team: ctx.team };
      if (rng.chance(0.7)) labels['pod-security.kubernetes.io/enforce'] = rng.pick(['restricted', 'baseline', 'restricted']);
      else if (rng.chance(0.3)) labels['pod-security.kubernetes.io/enforce'] = 'privileged';
      return { apiVersion: 'v1', kind, metadata: { name: `${ctx.team}-${rng.hex(4)}`, labels } };
    }
    default: {
      const meta = metadata(ctx, ctx.app);
      return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta, automountServiceAccountToken: !rng.chance(0.8) };
    }
  }
}

/**
 * A population shift for drift monitoring (what a cluster looks like after, say, a team onboards
 * third-party charts): with probability `shift` a workload gets host networking, a single replica, a
 * public `:latest` image without resources in its first container, and lands in `sandbox`.
 * Deterministic: uses its own stream, so shift 0 leaves the manifests exactly as generated.
 */
function applyShift(manifest: Json, shift: number, rng: Rng): void {
  if (shift <= 0 || !rng.chance(shift)) return;
  const spec = manifest.spec as Json | undefined;
  const kind = String(manifest.kind);
  const podSpec =
    kind === 'Pod'
      ? spec
      : kind === 'CronJob'
        ? ((((spec?.jobTemplate as Json)?.spec as Json)?.template as Json)?.spec as Json | undefined)
        : ((spec?.template as Json)?.spec as Json | undefined);
  const meta = manifest.metadata as Json;
  if (meta.namespace !== undefined) meta.namespace = 'sandbox';
  if (!podSpec) return;
  podSpec.hostNetwork = true;
  if (spec && 'replicas' in spec) spec.replicas = 1;
  const first = (podSpec.containers as Json[] | undefined)?.[0];
  if (first) {
    first.image = `${rng.pick(PUBLIC_IMAGES)}:latest`;
    delete first.resources;
  }
}

/** `count` manifests from `seed`; manifest i depends only on (seed, i) and the shift. */
export function generateManifests(seed: number, count: number, options: { shift?: number } = {}): Json[] {
  const shift = options.shift ?? 0;
  if (!(shift >= 0 && shift <= 1)) throw new RangeError(`shift: expected a number between 0 and 1, got ${shift}`);
  const manifests: Json[] = [];
  for (let i = 0; i < count; i++) {
    const rng = createRng((seed * 1_000_003 + i) >>> 0);
    const namespace = rng.pick(NAMESPACES);
    const ctx: Ctx = { rng, namespace, app: rng.pick(APPS[namespace]), team: rng.pick(TEAMS) };
    const manifest = build(pickKind(rng), ctx, i);
    applyShift(manifest, shift, createRng((seed * 7_919 + i + 0x51f7) >>> 0));
    manifests.push(manifest);
  }
  return manifests;
}
