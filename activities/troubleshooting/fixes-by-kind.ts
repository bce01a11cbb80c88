/**
 * The fixes of a manifest's metadata (every kind) and of each kind's own fields, one builder per
 * kind behind one table (KIND_FIXES). Part of the fix catalogue's logic (fixes.ts). Pure.
 */
import { CLUSTER_KINDS, CURRENT_API, HOUSE_NAMESPACES, type Propose, requiredLabels } from './fix-catalogue';
import { getAt, type PatchOperation, removeOp, setOps, toPointer } from './patch';
import { isObject, podMetadataTokens, type Tokens } from './workload';

type Manifest = Record<string, unknown>;

/** What a kind's builder is given: the manifest, its name (or "app") and its spec (or {}). */
interface KindInput {
  manifest: Manifest;
  kind: string;
  name: string;
  spec: Record<string, unknown>;
  propose: Propose;
}

/** Labels, owner, pod template labels and namespace. */
export function metadataFixes(manifest: Manifest, name: string, propose: Propose) {
  const kind = String(manifest.kind ?? '');
  const meta = isObject(manifest.metadata) ? manifest.metadata : {};
  const labels = isObject(meta.labels) ? meta.labels : {};
  const required = requiredLabels(name);
  const labelOps = Object.entries(required)
    .filter(([k]) => labels[k] === undefined)
    .flatMap(([k, v]) => setOps(manifest, ['metadata', 'labels', k], v));
  const mergedLabels =
    labelOps.length > 1
      ? [
          {
            op: 'add' as const,
            path: '/metadata/labels',
            value: { ...labels, ...Object.fromEntries(Object.entries(required).filter(([k]) => labels[k] === undefined)) },
          },
        ]
      : labelOps;
  propose(
    'metadata.labels',
    'add the required labels',
    isObject(meta.labels) || labelOps.length <= 1 ? labelOps : mergedLabels,
    ['labels', 'team'],
    labels.team === undefined ? ['team label value'] : [],
  );
  const annotations = isObject(meta.annotations) ? meta.annotations : {};
  if (annotations['kube-pac.io/owner'] === undefined || !/^[^\s<>@]+@[^\s<>@]+$/.test(String(annotations['kube-pac.io/owner']))) {
    propose(
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
      propose(
        'pod.labels',
        'label the pod template with app.kubernetes.io/name',
        setOps(manifest, [...podMeta, 'labels', 'app.kubernetes.io/name'], name),
        ['labels'],
      );
  }
  // the namespace: default, unset or one without a NetworkPolicy → a namespace of the house standard
  if (!CLUSTER_KINDS.includes(kind)) {
    for (const ns of HOUSE_NAMESPACES) {
      if (meta.namespace === ns) continue;
      propose(
        `metadata.namespace.${ns}`,
        `deploy into namespace "${ns}"`,
        setOps(manifest, ['metadata', 'namespace'], ns),
        ['namespace', 'metadata'],
        ['the target namespace'],
      );
    }
  }
}

/** The fixes of the kind's own fields, from every KIND_FIXES row that names the kind (or all kinds). */
export function kindFixes(manifest: Manifest, name: string, propose: Propose) {
  const kind = String(manifest.kind ?? '');
  const input: KindInput = { manifest, kind, name, spec: isObject(manifest.spec) ? manifest.spec : {}, propose };
  for (const row of KIND_FIXES) if (row.kinds === 'any' || row.kinds.includes(kind)) row.fixes(input);
}

function serviceAccountFixes({ manifest, propose }: KindInput) {
  propose('serviceaccount.automount', 'set automountServiceAccountToken=false', setOps(manifest, ['automountServiceAccountToken'], false), [
    'automountServiceAccountToken',
  ]);
}

function apiVersionFixes({ manifest, kind, propose }: KindInput) {
  const api = CURRENT_API[kind];
  if (api && manifest.apiVersion !== api)
    propose('apiVersion', `use apiVersion ${api}`, [{ op: 'replace', path: '/apiVersion', value: api }], ['apiVersion']);
}

function replicaFixes({ manifest, spec, propose }: KindInput) {
  if (typeof spec.replicas !== 'number' || spec.replicas < 2)
    propose('spec.replicas', 'run 2 replicas', setOps(manifest, ['spec', 'replicas'], 2), ['replicas']);
}

function jobFixes({ manifest, kind, propose }: KindInput) {
  const jobSpec: Tokens = kind === 'Job' ? ['spec'] : ['spec', 'jobTemplate', 'spec'];
  propose('job.ttl', 'set ttlSecondsAfterFinished=3600', setOps(manifest, [...jobSpec, 'ttlSecondsAfterFinished'], 3600), [
    'ttlSecondsAfterFinished',
  ]);
  propose('job.backoffLimit', 'set backoffLimit=3', setOps(manifest, [...jobSpec, 'backoffLimit'], 3), ['backoffLimit']);
}

function cronJobFixes({ manifest, propose }: KindInput) {
  propose('cronjob.concurrency', 'set concurrencyPolicy=Forbid', setOps(manifest, ['spec', 'concurrencyPolicy'], 'Forbid'), [
    'concurrencyPolicy',
  ]);
}

/** The ops removing every ports[i].nodePort of the Service. */
const nodePortOps = (ports: unknown[]): PatchOperation[] =>
  ports.flatMap((p, i) => (isObject(p) && p.nodePort !== undefined ? [removeOp(['spec', 'ports', i, 'nodePort'])] : []));

function serviceFixes({ spec, propose }: KindInput) {
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    const ports = Array.isArray(spec.ports) ? spec.ports : [];
    const ops: PatchOperation[] = [{ op: 'replace', path: '/spec/type', value: 'ClusterIP' }, ...nodePortOps(ports)];
    propose('service.clusterIP', 'use type ClusterIP', ops, ['type', 'nodePort']);
  } else if (Array.isArray(spec.ports)) {
    propose('service.nodePort', 'remove the nodePort values', nodePortOps(spec.ports), ['nodePort']);
  }
  if (spec.externalIPs !== undefined)
    propose('service.externalIPs', 'remove spec.externalIPs', [removeOp(['spec', 'externalIPs'])], ['externalIPs']);
}

function ingressFixes({ manifest, name, spec, propose }: KindInput) {
  if (spec.ingressClassName === undefined)
    propose(
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
  propose(
    'ingress.noWildcard',
    `name the hosts instead of a wildcard (${name}.…)`,
    wildcardOps,
    ['host', 'hosts', 'rules', 'tls'],
    ['the real host names'],
  );
  const hosts = (Array.isArray(spec.rules) ? spec.rules : []).flatMap((r) => (isObject(r) && typeof r.host === 'string' ? [r.host] : []));
  if (hosts.length === 0) return;
  const tls = Array.isArray(spec.tls) ? spec.tls : [];
  const covered = new Set(tls.flatMap((t) => (isObject(t) && Array.isArray(t.hosts) ? t.hosts.map(String) : [])));
  const missing = hosts.filter((h) => !covered.has(h));
  if (missing.length === 0) return;
  const entry = { hosts: missing, secretName: `${name}-tls` };
  propose(
    'ingress.tls',
    `serve ${missing.join(', ')} over TLS (Secret "${name}-tls")`,
    tls.length ? [{ op: 'add', path: '/spec/tls/-', value: entry }] : setOps(manifest, ['spec', 'tls'], [entry]),
    ['tls', 'hosts'],
    [`a TLS Secret "${name}-tls"`],
  );
}

function namespaceFixes({ manifest, propose }: KindInput) {
  propose(
    'namespace.pss',
    'enforce the restricted Pod Security Standard',
    setOps(manifest, ['metadata', 'labels', 'pod-security.kubernetes.io/enforce'], 'restricted'),
    ['labels', 'pod-security.kubernetes.io/enforce'],
  );
}

function configMapFixes({ manifest, propose }: KindInput) {
  if (!isObject(manifest.data)) return;
  for (const key of Object.keys(manifest.data))
    propose(`configmap.remove.${key}`, `move data key "${key}" out of the ConfigMap (into a Secret)`, [removeOp(['data', key])], ['data']);
}

function roleFixes({ manifest, propose }: KindInput) {
  if (!Array.isArray(manifest.rules)) return;
  manifest.rules.forEach((rule, i) => {
    if (!isObject(rule)) return;
    propose(`rbac.rule.${i}`, `remove rules[${i}]`, [removeOp(['rules', i])], ['rules', 'verbs', 'resources']);
    for (const field of ['verbs', 'resources', 'apiGroups'] as const) {
      const list = rule[field];
      if (!Array.isArray(list)) continue;
      if (list.includes('*') && field === 'verbs')
        propose(
          `rbac.readOnly.${i}`,
          `grant only get, list, watch in rules[${i}]`,
          [{ op: 'replace', path: toPointer(['rules', i, 'verbs']), value: ['get', 'list', 'watch'] }],
          ['verbs'],
        );
      if (list.length > 1)
        list.forEach((item, j) => {
          propose(
            `rbac.${field}.${i}.${j}`,
            `remove ${JSON.stringify(item)} from rules[${i}].${field}`,
            [removeOp(['rules', i, field, j])],
            [field, String(item)],
          );
        });
    }
  });
}

function bindingFixes({ manifest, name, propose }: KindInput) {
  const subjects = manifest.subjects;
  if (!Array.isArray(subjects)) return;
  if (subjects.length > 1)
    subjects.forEach((_, j) => {
      propose(`rbac.subject.${j}`, `remove subjects[${j}]`, [removeOp(['subjects', j])], ['subjects']);
    });
  subjects.forEach((subject, j) => {
    if (isObject(subject) && subject.kind === 'ServiceAccount' && subject.name === 'default')
      propose(
        `rbac.subjectSa.${j}`,
        `bind the dedicated service account "${name}" instead of "default"`,
        [{ op: 'replace', path: toPointer(['subjects', j, 'name']), value: name }],
        ['subjects', 'name'],
        [`a ServiceAccount "${name}"`],
      );
  });
  subjects.forEach((subject, j) => {
    if (isObject(subject) && subject.kind === 'Group' && String(subject.name).startsWith('system:'))
      propose(
        `rbac.subjectGroup.${j}`,
        `bind the team's group instead of ${String(subject.name)}`,
        [{ op: 'replace', path: toPointer(['subjects', j, 'name']), value: `${name}-operators` }],
        ['subjects', 'name', 'system:masters'],
        ['the group that needs the role'],
      );
  });
  const ref = isObject(manifest.roleRef) ? manifest.roleRef : {};
  if (ref.name === 'cluster-admin')
    propose(
      'rbac.roleRef',
      'bind the built-in "edit" role instead of cluster-admin',
      [{ op: 'replace', path: '/roleRef/name', value: 'edit' }],
      ['roleRef', 'name'],
      ['the least-privileged role the subject needs'],
    );
}

function networkPolicyFixes({ name, spec, propose }: KindInput) {
  if (!Array.isArray(spec.ingress)) return;
  spec.ingress.forEach((_, i) => {
    propose(
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

/** Each kind's builders, in the order the search tries their fixes. */
const KIND_FIXES: readonly { kinds: readonly string[] | 'any'; fixes: (input: KindInput) => void }[] = [
  { kinds: ['ServiceAccount'], fixes: serviceAccountFixes },
  { kinds: 'any', fixes: apiVersionFixes },
  { kinds: ['Deployment', 'StatefulSet'], fixes: replicaFixes },
  { kinds: ['Job', 'CronJob'], fixes: jobFixes },
  { kinds: ['CronJob'], fixes: cronJobFixes },
  { kinds: ['Service'], fixes: serviceFixes },
  { kinds: ['Ingress'], fixes: ingressFixes },
  { kinds: ['Namespace'], fixes: namespaceFixes },
  { kinds: ['ConfigMap'], fixes: configMapFixes },
  { kinds: ['Role', 'ClusterRole'], fixes: roleFixes },
  { kinds: ['RoleBinding', 'ClusterRoleBinding'], fixes: bindingFixes },
  { kinds: ['NetworkPolicy'], fixes: networkPolicyFixes },
];
