/**
 * Acceptable variants of known-good manifests: deviations from the house standard that reviewers
 * in real platform teams routinely accept. A policy that denies them is raising a false alarm from
 * the point of view of the team that owns the workload. Evaluating the corpus on these variants
 * (with real OPA) is how fp_score is measured (tools/generate-failures.ts).
 *
 * Which deviations count as acceptable is a generative assumption; each is listed with its reason
 * in datasets/README.md.
 */

type Json = Record<string, unknown>;

const WORKLOADS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/** The pod spec of a workload manifest (the right path for each kind), or undefined. */
export function podSpecOf(manifest: Json): Json | undefined {
  const spec = manifest.spec as Json | undefined;
  if (!spec) return undefined;
  switch (manifest.kind) {
    case 'Pod':
      return spec;
    case 'CronJob':
      return (((spec.jobTemplate as Json)?.spec as Json)?.template as Json)?.spec as Json | undefined;
    default:
      return WORKLOADS.has(String(manifest.kind)) ? ((spec.template as Json)?.spec as Json | undefined) : undefined;
  }
}

function containers(manifest: Json, lists = ['containers', 'initContainers']): Json[] {
  const spec = podSpecOf(manifest);
  return spec ? lists.flatMap((list) => (Array.isArray(spec[list]) ? (spec[list] as Json[]) : [])) : [];
}

function first(manifest: Json): Json | undefined {
  return containers(manifest, ['containers'])[0];
}

export interface BenignVariant {
  id: string;
  /** why reviewers accept it */
  reason: string;
  applies: (manifest: Json) => boolean;
  /** changes the (cloned) manifest in place */
  apply: (manifest: Json) => void;
}

const isWorkload = (m: Json) => WORKLOADS.has(String(m.kind));
const longRunning = (m: Json) => isWorkload(m) && m.kind !== 'Job' && m.kind !== 'CronJob';

export const BENIGN_VARIANTS: BenignVariant[] = [
  {
    id: 'cpu-limit-omitted',
    reason: 'latency-sensitive services often run without a CPU limit to avoid CFS throttling; the request still reserves capacity',
    applies: (m) => longRunning(m) && first(m)?.resources !== undefined,
    apply: (m) => {
      for (const c of containers(m)) delete ((c.resources as Json)?.limits as Json | undefined)?.cpu;
    },
  },
  {
    id: 'jvm-memory-headroom',
    reason: 'JVM services need off-heap headroom: a memory limit three times the request is a deliberate sizing choice',
    applies: (m) => longRunning(m) && first(m) !== undefined,
    apply: (m) => {
      const c = first(m) as Json;
      const resources = (c.resources ?? {}) as Json;
      resources.requests = { ...((resources.requests ?? {}) as Json), memory: '512Mi' };
      resources.limits = { ...((resources.limits ?? {}) as Json), memory: '1536Mi' };
      c.resources = resources;
    },
  },
  {
    id: 'singleton-controller',
    reason: 'a leader-elected controller runs one replica by design; a second one would only wait for the lease',
    applies: (m) => m.kind === 'Deployment',
    apply: (m) => {
      (m.spec as Json).replicas = 1;
      const meta = m.metadata as Json;
      meta.annotations = { ...((meta.annotations ?? {}) as Json), 'kube-pac.io/singleton': 'leader-election' };
    },
  },
  {
    id: 'mirror-tag-without-digest',
    reason: 'images from the internal mirror with an immutable semver tag are accepted before the digest-pinning rollout finishes',
    applies: (m) => isWorkload(m) && first(m) !== undefined,
    apply: (m) => {
      const c = first(m) as Json;
      const image = String(c.image ?? '');
      const path = image.replace(/^[^/]+\//, '').replace(/@sha256:[0-9a-f]+$/, '');
      c.image = `mirror.internal.example/${path}`;
    },
  },
  {
    id: 'queue-worker-without-readiness',
    reason: 'a queue consumer serves no traffic, so there is nothing for a readiness probe to gate',
    applies: (m) => (m.kind === 'Deployment' || m.kind === 'ReplicaSet') && first(m) !== undefined,
    apply: (m) => {
      const c = first(m) as Json;
      delete c.readinessProbe;
      delete c.ports;
    },
  },
  {
    id: 'sidecar-without-probes',
    reason: 'log shippers and proxies injected as sidecars are supervised by the main container and often carry no probes',
    applies: (m) => longRunning(m) && containers(m, ['containers']).length >= 2,
    apply: (m) => {
      const c = containers(m, ['containers'])[1] as Json;
      delete c.livenessProbe;
      delete c.readinessProbe;
    },
  },
  {
    id: 'owner-from-team-label',
    reason: 'the team label already names the owner; the owner annotation is a duplicate some charts leave out',
    applies: (m) => isWorkload(m) && ((m.metadata as Json).labels as Json | undefined)?.team !== undefined,
    apply: (m) => {
      const annotations = (m.metadata as Json).annotations as Json | undefined;
      if (annotations) delete annotations['kube-pac.io/owner'];
    },
  },
  {
    id: 'ephemeral-storage-unbounded',
    reason:
      'a container with a read-only root filesystem and no writable volume cannot fill the node disk, so an ephemeral-storage limit adds nothing',
    applies: (m) => isWorkload(m) && first(m)?.resources !== undefined,
    apply: (m) => {
      for (const c of containers(m)) {
        const resources = c.resources as Json | undefined;
        delete (resources?.limits as Json | undefined)?.['ephemeral-storage'];
        delete (resources?.requests as Json | undefined)?.['ephemeral-storage'];
      }
    },
  },
  {
    id: 'api-client-token',
    reason: 'a controller that talks to the API server needs its service-account token; the account is dedicated and least-privilege',
    applies: (m) => longRunning(m) && typeof podSpecOf(m)?.serviceAccountName === 'string',
    apply: (m) => {
      (podSpecOf(m) as Json).automountServiceAccountToken = true;
    },
  },
  {
    id: 'token-audience-env',
    reason: 'an env var that configures which token audience to request holds no secret',
    applies: (m) => isWorkload(m) && first(m) !== undefined,
    apply: (m) => {
      const c = first(m) as Json;
      c.env = [...((c.env ?? []) as Json[]), { name: 'TOKEN_AUDIENCE', value: 'https://api.internal.example' }];
    },
  },
  {
    id: 'ingress-default-class',
    reason: 'clusters with one IngressClass marked default serve Ingresses that do not name a class',
    applies: (m) => m.kind === 'Ingress',
    apply: (m) => {
      delete (m.spec as Json).ingressClassName;
    },
  },
  {
    id: 'cronjob-history-cleanup',
    reason: 'a CronJob with history limits already garbage-collects its Jobs without ttlSecondsAfterFinished',
    applies: (m) => m.kind === 'CronJob',
    apply: (m) => {
      const spec = m.spec as Json;
      spec.successfulJobsHistoryLimit = 3;
      spec.failedJobsHistoryLimit = 1;
      delete ((spec.jobTemplate as Json)?.spec as Json | undefined)?.ttlSecondsAfterFinished;
    },
  },
  {
    id: 'namespace-pss-staged',
    reason: 'a namespace on its way to restricted audits and warns at restricted while enforcing baseline',
    applies: (m) => m.kind === 'Namespace',
    apply: (m) => {
      const labels = ((m.metadata as Json).labels ?? {}) as Json;
      labels['pod-security.kubernetes.io/enforce'] = 'baseline';
      labels['pod-security.kubernetes.io/audit'] = 'restricted';
      labels['pod-security.kubernetes.io/warn'] = 'restricted';
      (m.metadata as Json).labels = labels;
    },
  },
  {
    id: 'named-secret-read',
    reason: 'reading one named Secret (resourceNames) is least privilege for an app that owns that Secret',
    applies: (m) => m.kind === 'Role',
    apply: (m) => {
      m.rules = [...((m.rules ?? []) as Json[]), { apiGroups: [''], resources: ['secrets'], resourceNames: ['app-tls'], verbs: ['get'] }];
    },
  },
  {
    id: 'configmap-public-key',
    reason: 'a public key or CA bundle in a ConfigMap is not a credential',
    applies: (m) => m.kind === 'ConfigMap',
    apply: (m) => {
      m.data = {
        ...((m.data ?? {}) as Json),
        'signing_public_key.pem': '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n',
      };
    },
  },
];

export interface BenignCase {
  variant: string;
  fixture: string;
  manifest: Json;
}

/** Every applicable (variant, positive fixture) pair, each on its own deep copy. */
export function benignCases(positives: readonly { name: string; manifest: unknown }[]): BenignCase[] {
  const cases: BenignCase[] = [];
  for (const variant of BENIGN_VARIANTS) {
    for (const fixture of positives) {
      const manifest = structuredClone(fixture.manifest) as Json;
      if (!variant.applies(manifest)) continue;
      variant.apply(manifest);
      cases.push({ variant: variant.id, fixture: fixture.name, manifest });
    }
  }
  return cases;
}
