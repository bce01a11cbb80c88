/**
 * The catalogue of manifest fixes the recommender searches: small edits, each an RFC 6902 patch,
 * generated for a concrete manifest (every container of every list, the pod spec, metadata, RBAC
 * rules, …). Each candidate says which Rego fields it touches (`reads`), so the search only tries
 * the ones whose fields the target policy's Rego reads, and which values a person must still supply
 * (`placeholders`: a digest, an owner) when it cannot know them. Pure.
 */

import { parseQuantity } from '../../lib/quantity';
import type { JsonPatch, PatchOperation } from './patch';
import { getAt, toPointer } from './patch';

type Json = unknown;
type Tokens = (string | number)[];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface FixCandidate {
  /** stable id: operator name and where, e.g. "container.readOnlyRootFilesystem@/spec/template/spec/containers/1" */
  id: string;
  description: string;
  patch: JsonPatch;
  /** field names (as they appear in Rego) this fix changes; used to match the policy's reads */
  reads: string[];
  /** values a person must still supply before applying (the patch holds a placeholder) */
  placeholders: string[];
}

const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController']);

/** Where the pod spec lives for a kind (undefined for kinds without one). */
export function podSpecTokens(manifest: Json): Tokens | undefined {
  const kind = isObject(manifest) ? manifest.kind : undefined;
  if (kind === 'Pod') return ['spec'];
  if (typeof kind === 'string' && TEMPLATE_KINDS.has(kind)) return ['spec', 'template', 'spec'];
  if (kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  return undefined;
}

export function podMetadataTokens(manifest: Json): Tokens | undefined {
  const spec = podSpecTokens(manifest);
  if (!spec) return undefined;
  return spec.length === 1 ? ['metadata'] : [...spec.slice(0, -1), 'metadata'];
}

/**
 * The operations that set `tokens` to `value`: replace when it exists, else add the smallest
 * missing enclosing object (`securityContext: {readOnlyRootFilesystem: true}`). Empty when the
 * value is already there.
 */
export function setOps(doc: Json, tokens: Tokens, value: Json): PatchOperation[] {
  const current = getAt(
    doc,
    tokens.map((t) => String(t)),
  );
  if (current !== undefined) {
    if (JSON.stringify(current) === JSON.stringify(value)) return [];
    return [{ op: 'replace', path: toPointer(tokens), value }];
  }
  // find the deepest existing ancestor
  let depth = tokens.length - 1;
  while (depth > 0 && !isObject(getAt(doc, tokens.slice(0, depth).map(String)))) depth -= 1;
  let nested: Json = value;
  for (let i = tokens.length - 1; i > depth; i--) nested = { [String(tokens[i])]: nested };
  const parent = getAt(doc, tokens.slice(0, depth).map(String));
  if (!isObject(parent)) return [];
  return [{ op: 'add', path: toPointer(tokens.slice(0, depth + 1)), value: nested }];
}

export const removeOp = (tokens: Tokens): PatchOperation => ({ op: 'remove', path: toPointer(tokens) });

interface ContainerRef {
  list: string;
  index: number;
  tokens: Tokens;
  container: Record<string, unknown>;
}

export function containersOf(manifest: Json): ContainerRef[] {
  const spec = podSpecTokens(manifest);
  if (!spec) return [];
  const podSpec = getAt(manifest, spec.map(String));
  if (!isObject(podSpec)) return [];
  const out: ContainerRef[] = [];
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    const items = podSpec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((container, index) => {
      if (isObject(container)) out.push({ list, index, tokens: [...spec, list, index], container });
    });
  }
  return out;
}

/** Namespaces of the house standard (they have a NetworkPolicy and PDBs in the inventory). */
const HOUSE_NAMESPACES = ['shop', 'payments', 'platform', 'data', 'observability'];
const DIGEST_PLACEHOLDER = `sha256:${'0'.repeat(64)}`;
const CURRENT_API: Record<string, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  CronJob: 'batch/v1',
  Job: 'batch/v1',
  Ingress: 'networking.k8s.io/v1',
  IngressClass: 'networking.k8s.io/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  PodDisruptionBudget: 'policy/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PriorityClass: 'scheduling.k8s.io/v1',
  CustomResourceDefinition: 'apiextensions.k8s.io/v1',
  ValidatingWebhookConfiguration: 'admissionregistration.k8s.io/v1',
  MutatingWebhookConfiguration: 'admissionregistration.k8s.io/v1',
  StorageClass: 'storage.k8s.io/v1',
};

const RESOURCE_DEFAULTS: Record<string, { request: string; limit: string }> = {
  cpu: { request: '100m', limit: '400m' },
  memory: { request: '128Mi', limit: '256Mi' },
  'ephemeral-storage': { request: '64Mi', limit: '128Mi' },
};

/** Every fix the catalogue can propose for this manifest (before any guidance or verification). */
export function generateCandidates(manifest: Json): FixCandidate[] {
  const out: FixCandidate[] = [];
  const push = (id: string, description: string, patch: JsonPatch, reads: string[], placeholders: string[] = []) => {
    if (patch.length > 0) out.push({ id, description, patch, reads, placeholders });
  };
  if (!isObject(manifest)) return out;
  const kind = String(manifest.kind ?? '');
  const name = String((manifest.metadata as Record<string, unknown> | undefined)?.name ?? 'app');

  // ---- containers -------------------------------------------------------------------------
  for (const c of containersOf(manifest)) {
    const at = toPointer(c.tokens);
    const where = `container "${String(c.container.name ?? c.index)}" (${c.list})`;
    const sc = [...c.tokens, 'securityContext'];
    const set = (op: string, field: Tokens, value: Json, reads: string[], text: string) =>
      push(`container.${op}@${at}`, `${where}: ${text}`, setOps(manifest, [...sc, ...field], value), reads);
    set(
      'readOnlyRootFilesystem',
      ['readOnlyRootFilesystem'],
      true,
      ['readOnlyRootFilesystem'],
      'set securityContext.readOnlyRootFilesystem=true',
    );
    set(
      'allowPrivilegeEscalation',
      ['allowPrivilegeEscalation'],
      false,
      ['allowPrivilegeEscalation'],
      'set securityContext.allowPrivilegeEscalation=false',
    );
    set('privileged', ['privileged'], false, ['privileged'], 'set securityContext.privileged=false');
    set('runAsNonRoot', ['runAsNonRoot'], true, ['runAsNonRoot'], 'set securityContext.runAsNonRoot=true');
    set('runAsUser', ['runAsUser'], 10001, ['runAsUser'], 'run as the non-root user 10001');
    set('runAsGroup', ['runAsGroup'], 10001, ['runAsGroup'], 'run with the non-root group 10001');
    set('seccomp', ['seccompProfile'], { type: 'RuntimeDefault' }, ['seccompProfile'], 'use the RuntimeDefault seccomp profile');
    set('appArmor', ['appArmorProfile'], { type: 'RuntimeDefault' }, ['appArmorProfile'], 'use the RuntimeDefault AppArmor profile');
    const scValue = c.container.securityContext;
    if (isObject(scValue)) {
      if (scValue.procMount !== undefined)
        push(
          `container.procMount@${at}`,
          `${where}: remove securityContext.procMount (Default)`,
          [removeOp([...sc, 'procMount'])],
          ['procMount'],
        );
      const se = scValue.seLinuxOptions;
      if (isObject(se) && se.type !== undefined)
        push(
          `container.seLinuxType@${at}`,
          `${where}: remove the custom SELinux type`,
          [removeOp([...sc, 'seLinuxOptions', 'type'])],
          ['seLinuxOptions', 'type'],
        );
      if (isObject(se) && (se.user !== undefined || se.role !== undefined))
        push(
          `container.seLinuxOptions@${at}`,
          `${where}: remove the custom SELinux user and role`,
          [removeOp([...sc, 'seLinuxOptions'])],
          ['seLinuxOptions', 'user', 'role'],
        );
      const win = scValue.windowsOptions;
      if (isObject(win) && win.hostProcess !== undefined)
        push(
          `container.hostProcess@${at}`,
          `${where}: remove windowsOptions.hostProcess`,
          [removeOp([...sc, 'windowsOptions', 'hostProcess'])],
          ['hostProcess', 'windowsOptions'],
        );
      const caps = scValue.capabilities;
      if (isObject(caps) && Array.isArray(caps.add)) {
        const keep = caps.add.filter((cap) => cap === 'NET_BIND_SERVICE');
        push(
          `container.capabilitiesAdd@${at}`,
          `${where}: add no capability${keep.length ? ' other than NET_BIND_SERVICE' : ''}`,
          keep.length
            ? [{ op: 'replace', path: toPointer([...sc, 'capabilities', 'add']), value: keep }]
            : [removeOp([...sc, 'capabilities', 'add'])],
          ['capabilities', 'add'],
        );
      }
    }
    set('dropAll', ['capabilities', 'drop'], ['ALL'], ['capabilities', 'drop'], 'drop ALL capabilities');
    const ports = c.container.ports;
    if (Array.isArray(ports)) {
      const ops = ports.flatMap((p, i) =>
        isObject(p) && p.hostPort !== undefined ? [removeOp([...c.tokens, 'ports', i, 'hostPort'])] : [],
      );
      push(`container.hostPort@${at}`, `${where}: remove hostPort from its ports`, ops, ['hostPort', 'ports']);
    }
    // resources (ephemeral containers cannot have them)
    if (c.list !== 'ephemeralContainers') {
      const res = isObject(c.container.resources) ? c.container.resources : {};
      for (const kindOf of ['requests', 'limits'] as const) {
        for (const resource of Object.keys(RESOURCE_DEFAULTS)) {
          const defaults = RESOURCE_DEFAULTS[resource] as { request: string; limit: string };
          const current = isObject(res[kindOf]) ? (res[kindOf] as Record<string, unknown>)[resource] : undefined;
          if (current !== undefined && current !== null && current !== '') continue;
          let value = kindOf === 'requests' ? defaults.request : defaults.limit;
          // a new limit never below the request, a new request never above the limit
          const other = isObject(res[kindOf === 'requests' ? 'limits' : 'requests'])
            ? (res[kindOf === 'requests' ? 'limits' : 'requests'] as Record<string, unknown>)[resource]
            : undefined;
          if (other !== undefined && other !== null && other !== '') value = String(other);
          push(
            `container.${kindOf}.${resource}@${at}`,
            `${where}: set resources.${kindOf}.${resource}=${value}`,
            setOps(manifest, [...c.tokens, 'resources', kindOf, resource], value),
            ['resources', kindOf, resource, resource === 'ephemeral-storage' ? 'ephemeral_storage' : resource],
          );
        }
      }
      // limit/request ratio: bring the limit down to twice the request
      const req = isObject(res.requests) ? res.requests : {};
      const lim = isObject(res.limits) ? res.limits : {};
      for (const resource of ['cpu', 'memory']) {
        const r = parseQuantity(req[resource]);
        const l = parseQuantity(lim[resource]);
        if (r !== undefined && l !== undefined && l > 2 * r) {
          push(
            `container.ratio.${resource}@${at}`,
            `${where}: lower resources.limits.${resource} to the request (${String(req[resource])})`,
            [{ op: 'replace', path: toPointer([...c.tokens, 'resources', 'limits', resource]), value: req[resource] }],
            ['limits', 'requests', resource, 'ratio'],
          );
        }
      }
    }
    // probes (containers of long-running kinds)
    if (c.list === 'containers') {
      const port = Array.isArray(ports) && isObject(ports[0]) && ports[0].containerPort !== undefined ? ports[0].containerPort : 8080;
      for (const probe of ['livenessProbe', 'readinessProbe']) {
        if (c.container[probe] !== undefined && c.container[probe] !== null) continue;
        push(
          `container.${probe}@${at}`,
          `${where}: add a ${probe} (TCP check on port ${String(port)})`,
          setOps(manifest, [...c.tokens, probe], { tcpSocket: { port }, periodSeconds: 10 }),
          [probe],
        );
      }
    }
    // images
    const image = c.container.image;
    if (typeof image === 'string') {
      const [base = '', digest] = image.split('@');
      const lastSegment = base.split('/').pop() ?? '';
      const hasTag = lastSegment.includes(':');
      const tag = hasTag ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
      if (!digest || !/^[A-Za-z0-9]+:[A-Fa-f0-9]{32,}$/.test(digest)) {
        push(
          `container.pinDigest@${at}`,
          `${where}: pin the image by digest (${base}@sha256:<digest of the approved build>)`,
          [
            {
              op: 'replace',
              path: toPointer([...c.tokens, 'image']),
              value: `${base}@${DIGEST_PLACEHOLDER}`,
            },
          ],
          ['image', 'digest'],
          ['image digest (sha256 of the approved build)'],
        );
      }
      if (!hasTag || tag === 'latest') {
        const untagged = hasTag ? base.slice(0, base.lastIndexOf(':')) : base;
        push(
          `container.versionTag@${at}`,
          `${where}: use a version tag instead of ${hasTag ? '"latest"' : 'no tag'} (${untagged}:<version>)`,
          [{ op: 'replace', path: toPointer([...c.tokens, 'image']), value: `${untagged}:1.0.0${digest ? `@${digest}` : ''}` }],
          ['image', 'tag', 'latest'],
          ['image version tag'],
        );
      }
      if (!/^(registry|mirror)\.internal\.example\//.test(image)) {
        const path = base.replace(/^[^/]*\.[^/]*\//, '').replace(/^docker\.io\//, '');
        push(
          `container.mirrorImage@${at}`,
          `${where}: pull the image through the internal mirror (mirror.internal.example/${path})`,
          [
            {
              op: 'replace',
              path: toPointer([...c.tokens, 'image']),
              value: `mirror.internal.example/${path}${digest ? `@${digest}` : ''}`,
            },
          ],
          ['image', 'registries', 'registry'],
          ['the image mirrored to mirror.internal.example'],
        );
      }
    }
    // literal secrets in env
    const env = c.container.env;
    if (Array.isArray(env)) {
      env.forEach((variable, i) => {
        if (!isObject(variable) || variable.value === undefined) return;
        const key = String(variable.name ?? `var-${i}`)
          .toLowerCase()
          .replace(/_/g, '-');
        push(
          `container.envFromSecret.${i}@${at}`,
          `${where}: take env ${String(variable.name)} from Secret "${name}-secrets" (key "${key}") instead of a literal`,
          [
            { op: 'remove', path: toPointer([...c.tokens, 'env', i, 'value']) },
            { op: 'add', path: toPointer([...c.tokens, 'env', i, 'valueFrom']), value: { secretKeyRef: { name: `${name}-secrets`, key } } },
          ],
          ['env', 'value', 'valueFrom'],
          [`a Secret "${name}-secrets" with key "${key}"`],
        );
      });
    }
  }

  // ---- pod spec ---------------------------------------------------------------------------
  const specTokens = podSpecTokens(manifest);
  const podSpec = specTokens ? getAt(manifest, specTokens.map(String)) : undefined;
  if (specTokens && isObject(podSpec)) {
    const at = toPointer(specTokens);
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace']) {
      if (podSpec[field] !== undefined && podSpec[field] !== false)
        push(`pod.${field}@${at}`, `remove ${field} from the pod spec`, [removeOp([...specTokens, field])], [field]);
    }
    const psc = [...specTokens, 'securityContext'];
    push(`pod.runAsNonRoot@${at}`, 'set the pod securityContext.runAsNonRoot=true', setOps(manifest, [...psc, 'runAsNonRoot'], true), [
      'runAsNonRoot',
    ]);
    const podSc = isObject(podSpec.securityContext) ? podSpec.securityContext : {};
    if (podSc.runAsUser !== undefined)
      push(`pod.runAsUser@${at}`, 'run the pod as the non-root user 10001', setOps(manifest, [...psc, 'runAsUser'], 10001), ['runAsUser']);
    if (podSc.runAsGroup !== undefined || podSc.fsGroup !== undefined || podSc.supplementalGroups !== undefined) {
      const ops = [
        ...(podSc.runAsGroup !== undefined ? setOps(manifest, [...psc, 'runAsGroup'], 10001) : []),
        ...(podSc.fsGroup !== undefined ? setOps(manifest, [...psc, 'fsGroup'], 10001) : []),
        ...(Array.isArray(podSc.supplementalGroups) && podSc.supplementalGroups.includes(0)
          ? [removeOp([...psc, 'supplementalGroups'])]
          : []),
      ];
      push(`pod.groups@${at}`, 'use the non-root group 10001 for the pod', ops, ['runAsGroup', 'fsGroup', 'supplementalGroups']);
    }
    push(
      `pod.seccomp@${at}`,
      'set the pod seccompProfile to RuntimeDefault',
      setOps(manifest, [...psc, 'seccompProfile'], { type: 'RuntimeDefault' }),
      ['seccompProfile'],
    );
    if (Array.isArray(podSc.sysctls)) push(`pod.sysctls@${at}`, 'remove the unsafe sysctls', [removeOp([...psc, 'sysctls'])], ['sysctls']);
    if (isObject(podSc.seLinuxOptions) && podSc.seLinuxOptions.type !== undefined)
      push(
        `pod.seLinuxType@${at}`,
        'remove the custom SELinux type of the pod',
        [removeOp([...psc, 'seLinuxOptions', 'type'])],
        ['seLinuxOptions', 'type'],
      );
    if (isObject(podSc.seLinuxOptions))
      push(
        `pod.seLinuxOptions@${at}`,
        'remove the custom SELinux options of the pod',
        [removeOp([...psc, 'seLinuxOptions'])],
        ['seLinuxOptions', 'user', 'role'],
      );
    if (isObject(podSc.appArmorProfile))
      push(
        `pod.appArmor@${at}`,
        'use the RuntimeDefault AppArmor profile for the pod',
        setOps(manifest, [...psc, 'appArmorProfile'], { type: 'RuntimeDefault' }),
        ['appArmorProfile'],
      );
    if (isObject(podSc.windowsOptions) && podSc.windowsOptions.hostProcess !== undefined)
      push(
        `pod.hostProcess@${at}`,
        'remove windowsOptions.hostProcess from the pod',
        [removeOp([...psc, 'windowsOptions', 'hostProcess'])],
        ['hostProcess'],
      );
    push(
      `pod.automount@${at}`,
      'set automountServiceAccountToken=false',
      setOps(manifest, [...specTokens, 'automountServiceAccountToken'], false),
      ['automountServiceAccountToken'],
    );
    if (podSpec.serviceAccountName === undefined || podSpec.serviceAccountName === 'default' || podSpec.serviceAccountName === '') {
      push(
        `pod.serviceAccount@${at}`,
        `run as a dedicated service account "${name}"`,
        setOps(manifest, [...specTokens, 'serviceAccountName'], name),
        ['serviceAccountName', 'serviceAccount'],
        [`a ServiceAccount "${name}"`],
      );
    }
    const volumes = podSpec.volumes;
    if (Array.isArray(volumes)) {
      const allowed = new Set([
        'name',
        'configMap',
        'csi',
        'downwardAPI',
        'emptyDir',
        'ephemeral',
        'persistentVolumeClaim',
        'projected',
        'secret',
      ]);
      volumes.forEach((volume, i) => {
        if (!isObject(volume)) return;
        const bad = Object.keys(volume).filter((k) => !allowed.has(k));
        if (bad.length === 0) return;
        push(
          `pod.volume.${i}@${at}`,
          `replace volume "${String(volume.name)}" (${bad.join(', ')}) by an emptyDir`,
          [{ op: 'replace', path: toPointer([...specTokens, 'volumes', i]), value: { name: volume.name, emptyDir: {} } }],
          ['volumes', 'hostPath', ...bad],
        );
      });
    }
    const podMeta = podMetadataTokens(manifest);
    const podAnnotations = podMeta ? getAt(manifest, [...podMeta, 'annotations'].map(String)) : undefined;
    if (podMeta && isObject(podAnnotations)) {
      const ops = Object.keys(podAnnotations)
        .filter((k) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && podAnnotations[k] !== 'runtime/default')
        .map((k) => ({ op: 'replace' as const, path: toPointer([...podMeta, 'annotations', k]), value: 'runtime/default' }));
      push(`pod.appArmorAnnotations@${at}`, 'use runtime/default in the AppArmor annotations', ops, ['annotations', 'apparmor']);
    }
  }

  // ---- metadata -----------------------------------------------------------------------------
  const meta = isObject(manifest.metadata) ? manifest.metadata : {};
  const labels = isObject(meta.labels) ? meta.labels : {};
  const requiredLabels: Record<string, string> = {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/managed-by': 'Helm',
    team: '<team>',
  };
  const labelOps = Object.entries(requiredLabels)
    .filter(([k]) => labels[k] === undefined)
    .flatMap(([k, v]) => setOps(manifest, ['metadata', 'labels', k], v));
  const mergedLabels =
    labelOps.length > 1
      ? [
          {
            op: 'add' as const,
            path: '/metadata/labels',
            value: { ...labels, ...Object.fromEntries(Object.entries(requiredLabels).filter(([k]) => labels[k] === undefined)) },
          },
        ]
      : labelOps;
  push(
    'metadata.labels',
    'add the required labels',
    isObject(meta.labels) || labelOps.length <= 1 ? labelOps : mergedLabels,
    ['labels', 'team'],
    labels.team === undefined ? ['team label value'] : [],
  );
  const annotations = isObject(meta.annotations) ? meta.annotations : {};
  if (annotations['kube-pac.io/owner'] === undefined || !/^[^\s<>@]+@[^\s<>@]+$/.test(String(annotations['kube-pac.io/owner']))) {
    push(
      'metadata.owner',
      'add the kube-pac.io/owner annotation',
      setOps(manifest, ['metadata', 'annotations', 'kube-pac.io/owner'], 'owner@example.com'),
      ['annotations', 'owner'],
      ['owner e-mail'],
    );
  }
  const podMeta = podMetadataTokens(manifest);
  if (podMeta) {
    const podLabels = getAt(manifest, [...podMeta, 'labels'].map(String));
    if (!isObject(podLabels) || podLabels['app.kubernetes.io/name'] === undefined)
      push(
        'pod.labels',
        'label the pod template with app.kubernetes.io/name',
        setOps(manifest, [...podMeta, 'labels', 'app.kubernetes.io/name'], name),
        ['labels'],
      );
  }

  // the namespace: default, unset or one without a NetworkPolicy → a namespace of the house standard
  if (!['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(kind)) {
    for (const ns of HOUSE_NAMESPACES) {
      if (meta.namespace === ns) continue;
      push(
        `metadata.namespace.${ns}`,
        `deploy into namespace "${ns}"`,
        setOps(manifest, ['metadata', 'namespace'], ns),
        ['namespace', 'metadata'],
        ['the target namespace'],
      );
    }
  }

  // ---- kinds ------------------------------------------------------------------------------
  if (kind === 'ServiceAccount')
    push('serviceaccount.automount', 'set automountServiceAccountToken=false', setOps(manifest, ['automountServiceAccountToken'], false), [
      'automountServiceAccountToken',
    ]);
  const api = CURRENT_API[kind];
  if (api && manifest.apiVersion !== api)
    push('apiVersion', `use apiVersion ${api}`, [{ op: 'replace', path: '/apiVersion', value: api }], ['apiVersion']);
  const spec = isObject(manifest.spec) ? manifest.spec : {};
  if (kind === 'Deployment' || kind === 'StatefulSet') {
    if (typeof spec.replicas !== 'number' || spec.replicas < 2)
      push('spec.replicas', 'run 2 replicas', setOps(manifest, ['spec', 'replicas'], 2), ['replicas']);
  }
  if (kind === 'Job' || kind === 'CronJob') {
    const jobSpec: Tokens = kind === 'Job' ? ['spec'] : ['spec', 'jobTemplate', 'spec'];
    push('job.ttl', 'set ttlSecondsAfterFinished=3600', setOps(manifest, [...jobSpec, 'ttlSecondsAfterFinished'], 3600), [
      'ttlSecondsAfterFinished',
    ]);
    push('job.backoffLimit', 'set backoffLimit=3', setOps(manifest, [...jobSpec, 'backoffLimit'], 3), ['backoffLimit']);
  }
  if (kind === 'CronJob')
    push('cronjob.concurrency', 'set concurrencyPolicy=Forbid', setOps(manifest, ['spec', 'concurrencyPolicy'], 'Forbid'), [
      'concurrencyPolicy',
    ]);
  if (kind === 'Service') {
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      const ports = Array.isArray(spec.ports) ? spec.ports : [];
      const ops: PatchOperation[] = [{ op: 'replace', path: '/spec/type', value: 'ClusterIP' }];
      ports.forEach((p, i) => {
        if (isObject(p) && p.nodePort !== undefined) ops.push(removeOp(['spec', 'ports', i, 'nodePort']));
      });
      push('service.clusterIP', 'use type ClusterIP', ops, ['type', 'nodePort']);
    } else if (Array.isArray(spec.ports)) {
      const ops = spec.ports.flatMap((p, i) =>
        isObject(p) && p.nodePort !== undefined ? [removeOp(['spec', 'ports', i, 'nodePort'])] : [],
      );
      push('service.nodePort', 'remove the nodePort values', ops, ['nodePort']);
    }
    if (spec.externalIPs !== undefined)
      push('service.externalIPs', 'remove spec.externalIPs', [removeOp(['spec', 'externalIPs'])], ['externalIPs']);
  }
  if (kind === 'Ingress') {
    if (spec.ingressClassName === undefined)
      push(
        'ingress.class',
        'set spec.ingressClassName',
        setOps(manifest, ['spec', 'ingressClassName'], 'nginx'),
        ['ingressClassName'],
        ['ingress class name'],
      );
    const wildcardOps: PatchOperation[] = [];
    (Array.isArray(spec.rules) ? spec.rules : []).forEach((r, i) => {
      if (isObject(r) && typeof r.host === 'string' && r.host.startsWith('*'))
        wildcardOps.push({ op: 'replace', path: toPointer(['spec', 'rules', i, 'host']), value: r.host.replace(/^\*/, name) });
    });
    (Array.isArray(spec.tls) ? spec.tls : []).forEach((t, i) => {
      if (isObject(t) && Array.isArray(t.hosts))
        t.hosts.forEach((h, j) => {
          if (typeof h === 'string' && h.startsWith('*'))
            wildcardOps.push({ op: 'replace', path: toPointer(['spec', 'tls', i, 'hosts', j]), value: h.replace(/^\*/, name) });
        });
    });
    push(
      'ingress.noWildcard',
      `name the hosts instead of a wildcard (${name}.…)`,
      wildcardOps,
      ['host', 'hosts', 'rules', 'tls'],
      ['the real host names'],
    );
    const hosts = (Array.isArray(spec.rules) ? spec.rules : []).flatMap((r) => (isObject(r) && typeof r.host === 'string' ? [r.host] : []));
    if (hosts.length > 0) {
      const tls = Array.isArray(spec.tls) ? spec.tls : [];
      const covered = new Set(tls.flatMap((t) => (isObject(t) && Array.isArray(t.hosts) ? t.hosts.map(String) : [])));
      const missing = hosts.filter((h) => !covered.has(h));
      if (missing.length > 0) {
        const entry = { hosts: missing, secretName: `${name}-tls` };
        push(
          'ingress.tls',
          `serve ${missing.join(', ')} over TLS (Secret "${name}-tls")`,
          tls.length ? [{ op: 'add', path: '/spec/tls/-', value: entry }] : setOps(manifest, ['spec', 'tls'], [entry]),
          ['tls', 'hosts'],
          [`a TLS Secret "${name}-tls"`],
        );
      }
    }
  }
  if (kind === 'Namespace') {
    push(
      'namespace.pss',
      'enforce the restricted Pod Security Standard',
      setOps(manifest, ['metadata', 'labels', 'pod-security.kubernetes.io/enforce'], 'restricted'),
      ['labels', 'pod-security.kubernetes.io/enforce'],
    );
  }
  if (kind === 'ConfigMap' && isObject(manifest.data)) {
    for (const key of Object.keys(manifest.data))
      push(`configmap.remove.${key}`, `move data key "${key}" out of the ConfigMap (into a Secret)`, [removeOp(['data', key])], ['data']);
  }
  if ((kind === 'Role' || kind === 'ClusterRole') && Array.isArray(manifest.rules)) {
    manifest.rules.forEach((rule, i) => {
      if (!isObject(rule)) return;
      push(`rbac.rule.${i}`, `remove rules[${i}]`, [removeOp(['rules', i])], ['rules', 'verbs', 'resources']);
      for (const field of ['verbs', 'resources', 'apiGroups'] as const) {
        const list = rule[field];
        if (!Array.isArray(list)) continue;
        if (list.includes('*') && field === 'verbs')
          push(
            `rbac.readOnly.${i}`,
            `grant only get, list, watch in rules[${i}]`,
            [{ op: 'replace', path: toPointer(['rules', i, 'verbs']), value: ['get', 'list', 'watch'] }],
            ['verbs'],
          );
        if (list.length > 1)
          list.forEach((item, j) => {
            push(
              `rbac.${field}.${i}.${j}`,
              `remove ${JSON.stringify(item)} from rules[${i}].${field}`,
              [removeOp(['rules', i, field, j])],
              [field, String(item)],
            );
          });
      }
    });
  }
  if ((kind === 'RoleBinding' || kind === 'ClusterRoleBinding') && Array.isArray(manifest.subjects)) {
    if (manifest.subjects.length > 1)
      manifest.subjects.forEach((_, j) => {
        push(`rbac.subject.${j}`, `remove subjects[${j}]`, [removeOp(['subjects', j])], ['subjects']);
      });
    manifest.subjects.forEach((subject, j) => {
      if (isObject(subject) && subject.kind === 'ServiceAccount' && subject.name === 'default')
        push(
          `rbac.subjectSa.${j}`,
          `bind the dedicated service account "${name}" instead of "default"`,
          [{ op: 'replace', path: toPointer(['subjects', j, 'name']), value: name }],
          ['subjects', 'name'],
          [`a ServiceAccount "${name}"`],
        );
    });
    manifest.subjects.forEach((subject, j) => {
      if (isObject(subject) && subject.kind === 'Group' && String(subject.name).startsWith('system:'))
        push(
          `rbac.subjectGroup.${j}`,
          `bind the team's group instead of ${String(subject.name)}`,
          [{ op: 'replace', path: toPointer(['subjects', j, 'name']), value: `${name}-operators` }],
          ['subjects', 'name', 'system:masters'],
          ['the group that needs the role'],
        );
    });
    const ref = isObject(manifest.roleRef) ? manifest.roleRef : {};
    if (ref.name === 'cluster-admin')
      push(
        'rbac.roleRef',
        'bind the built-in "edit" role instead of cluster-admin',
        [{ op: 'replace', path: '/roleRef/name', value: 'edit' }],
        ['roleRef', 'name'],
        ['the least-privileged role the subject needs'],
      );
  }
  if (kind === 'NetworkPolicy' && Array.isArray(spec.ingress)) {
    spec.ingress.forEach((_, i) => {
      push(
        `netpol.from.${i}`,
        `allow ingress[${i}] only from pods of the same namespace labelled app.kubernetes.io/part-of=${name}`,
        [
          {
            op: 'add',
            path: toPointer(['spec', 'ingress', i, 'from']),
            value: [{ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': name } } }],
          },
        ],
        ['ingress', 'from'],
        ['the peers that need access'],
      );
    });
  }
  return out;
}
