/**
 * Writes the offline drafting generator's catalogue of Kubernetes fields
 * (activities/drafting/k8s-fields.json) from the API types of the `kubernetes-types` package
 * (a dev dependency: TypeScript declarations generated from the Kubernetes OpenAPI schema).
 *
 * For every kind the generator drafts for, it walks the kind's types and lists each field as
 * [scope, path, type, kinds]: `container` fields relative to a container (every container list),
 * `pod` fields relative to the pod spec of any workload, `object` fields relative to the object.
 * Lists are `*` in a path; maps of strings (labels, annotations, resource lists) are `map`.
 *
 *   npx tsx tools/k8s-fields.ts && npx biome format --write activities/drafting/k8s-fields.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Prop = { name: string; type: string };
const require = createRequire(import.meta.url);
const root = dirname(require.resolve('kubernetes-types/package.json'));
const interfaces = new Map<string, Prop[]>();
const aliases = new Map<string, string>();

function read(file: string): void {
  const text = readFileSync(join(root, file), 'utf8').replace(/\/\*\*[\s\S]*?\*\//g, '');
  for (const m of text.matchAll(/export type (\w+) = ([^;]+);/g)) aliases.set(m[1] as string, (m[2] as string).trim());
  for (const m of text.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
    const props: Prop[] = [];
    const body = (m[2] as string).replace(/\{\s*\[name: string\]: ([\w<>]+);\s*\}/g, 'Map<$1>');
    for (const p of body.matchAll(/^\s+(?:readonly )?(\w+)\??: ([^;]+);/gm))
      props.push({ name: p[1] as string, type: (p[2] as string).trim() });
    // the first declaration wins: core/v1 and the API groups do not redeclare names they import
    if (!interfaces.has(m[1] as string)) interfaces.set(m[1] as string, props);
  }
}
const FILES = [
  'core/v1.d.ts',
  'meta/v1.d.ts',
  'apps/v1.d.ts',
  'batch/v1.d.ts',
  'networking/v1.d.ts',
  'autoscaling/v2.d.ts',
  'policy/v1.d.ts',
  'rbac/v1.d.ts',
  'scheduling/v1.d.ts',
  'storage/v1.d.ts',
  'node/v1.d.ts',
];
for (const f of FILES) read(f);
aliases.set('Quantity', 'quantity');
aliases.set('IntOrString', 'int-or-string');

type Row = [scope: string, path: string, type: string, kinds?: string[]];
const rows = new Map<string, Row>();
/** Keys of a string map worth naming as fields (resource lists). */
const MAP_KEYS: Record<string, string[]> = {
  'resources.limits': ['cpu', 'memory', 'ephemeral-storage', 'nvidia.com/gpu'],
  'resources.requests': ['cpu', 'memory', 'ephemeral-storage', 'nvidia.com/gpu', 'storage'],
};
const SKIP = new Set(['managedFields', 'status', 'ownerReferences', 'resourceVersion', 'uid', 'selfLink', 'generation']);

function add(scope: string, path: string[], type: string, kinds?: string[]): void {
  const key = `${scope}|${path.join('.')}|${kinds?.join(',') ?? ''}`;
  if (!rows.has(key)) rows.set(key, kinds ? [scope, path.join('.'), type, kinds] : [scope, path.join('.'), type]);
}

function walk(scope: string, typeName: string, path: string[], kinds: string[] | undefined, depth: number, stop: Set<string>): void {
  const props = interfaces.get(typeName);
  if (!props || depth > 6) return;
  for (const { name, type } of props) {
    if (SKIP.has(name) || stop.has(name)) continue;
    visit(scope, type, [...path, name], kinds, depth, stop);
  }
}

function visit(scope: string, rawType: string, path: string[], kinds: string[] | undefined, depth: number, stop: Set<string>): void {
  let type = rawType;
  let list = false;
  const array = type.match(/^Array<(.+)>$/);
  if (array) {
    list = true;
    type = array[1] as string;
  }
  type = aliases.get(type) ?? type;
  if (list) add(scope, path, 'list', kinds);
  const here = list ? [...path, '*'] : path;
  if (type.startsWith('Map<')) {
    add(scope, here, 'map', kinds);
    for (const key of MAP_KEYS[path.slice(-2).join('.')] ?? []) add(scope, [...here, key], 'quantity', kinds);
    return;
  }
  const scalar: Record<string, string> = {
    string: 'string',
    number: 'number',
    boolean: 'boolean',
    quantity: 'quantity',
    'int-or-string': 'int-or-string',
    'number | string': 'int-or-string',
  };
  if (scalar[type] || !interfaces.has(type)) {
    add(scope, here, scalar[type] ?? 'object', kinds);
    return;
  }
  if (!list) add(scope, here, 'object', kinds);
  walk(scope, type, here, kinds, depth + 1, stop);
}

// containers (every container list), then the pod spec without its container lists
walk('container', 'Container', [], undefined, 0, new Set());
walk('pod', 'PodSpec', [], undefined, 0, new Set(['containers', 'initContainers', 'ephemeralContainers']));
// objects: metadata for every kind, then each kind's own fields (a workload's pod template is the pod scope)
walk('object', 'ObjectMeta', ['metadata'], undefined, 0, new Set());
const KINDS: [kind: string, type: string][] = [
  ['Deployment', 'DeploymentSpec'],
  ['StatefulSet', 'StatefulSetSpec'],
  ['DaemonSet', 'DaemonSetSpec'],
  ['ReplicaSet', 'ReplicaSetSpec'],
  ['Job', 'JobSpec'],
  ['CronJob', 'CronJobSpec'],
  ['Service', 'ServiceSpec'],
  ['Ingress', 'IngressSpec'],
  ['IngressClass', 'IngressClassSpec'],
  ['PersistentVolumeClaim', 'PersistentVolumeClaimSpec'],
  ['PersistentVolume', 'PersistentVolumeSpec'],
  ['NetworkPolicy', 'NetworkPolicySpec'],
  ['HorizontalPodAutoscaler', 'HorizontalPodAutoscalerSpec'],
  ['PodDisruptionBudget', 'PodDisruptionBudgetSpec'],
  ['Namespace', 'NamespaceSpec'],
];
for (const [kind, type] of KINDS) walk('object', type, ['spec'], [kind], 0, new Set(['template', 'metadata', 'selector']));
// CronJob's job template: its job spec fields, not the pod template again
walk('object', 'JobSpec', ['spec', 'jobTemplate', 'spec'], ['CronJob'], 0, new Set(['template', 'selector']));
const TOP_LEVEL: [kind: string, type: string][] = [
  ['Secret', 'Secret'],
  ['ConfigMap', 'ConfigMap'],
  ['Role', 'Role'],
  ['ClusterRole', 'ClusterRole'],
  ['RoleBinding', 'RoleBinding'],
  ['ClusterRoleBinding', 'ClusterRoleBinding'],
  ['ServiceAccount', 'ServiceAccount'],
  ['PriorityClass', 'PriorityClass'],
  ['StorageClass', 'StorageClass'],
  ['RuntimeClass', 'RuntimeClass'],
];
for (const [kind, type] of TOP_LEVEL) walk('object', type, [], [kind], 0, new Set(['metadata', 'apiVersion', 'kind']));

const out = [...rows.values()].sort((a, b) => `${a[0]}|${a[1]}`.localeCompare(`${b[0]}|${b[1]}`));
const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'activities', 'drafting', 'k8s-fields.json');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;
writeFileSync(target, `${JSON.stringify({ source: `kubernetes-types@${version}`, rows: out })}\n`);
process.stdout.write(`${out.length} fields → ${target}\n`);
