/**
 * The latency regressor's features besides the Rego AST (rego.ts): what the policy index says about
 * a policy (whether its input is a workload, how many kinds it covers), whether a timing was taken
 * in process by the platform's engine rather than by `opa bench`, and the input size of a manifest
 * in the regressor's unit — "items": containers for workloads, rules for Roles, subjects for
 * bindings, ports for Services, hosts for Ingresses, keys for ConfigMaps, ingress rules for
 * NetworkPolicies, labels for Namespaces (tools/measure-latency.ts builds its inputs the same way).
 */
import { isObject } from '../../lib/json';
import { CONTAINER_LISTS, podSpecPath } from '../../lib/k8s-api';
import { REGO_FEATURES } from './rego';
import { type DescribedFeature, numericFeature } from './spec';

const WORKLOAD_KIND_SET = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

export const LATENCY_META_FEATURES: readonly DescribedFeature[] = [
  numericFeature('workload_policy', 'the first kind the policy covers is a workload kind'),
  numericFeature('kinds_covered', 'number of kinds the policy covers'),
  numericFeature('in_process', 'the time was measured in process by the platform engine (observations), not by opa bench'),
];

export const LATENCY_FEATURE_SPEC: readonly DescribedFeature[] = [...REGO_FEATURES, ...LATENCY_META_FEATURES];

/** workload_policy and kinds_covered of a policy covering `kinds`. */
export function latencyMetaFeatures(kinds: readonly string[]): Record<string, number> {
  return { workload_policy: WORKLOAD_KIND_SET.has(kinds[0] ?? '') ? 1 : 0, kinds_covered: kinds.length };
}

const lengthOf = (value: unknown): number => (Array.isArray(value) ? value.length : isObject(value) ? Object.keys(value).length : 0);

/** The input size of a manifest, in items (at least 1). */
export function latencyItemsOf(manifest: unknown): number {
  if (!isObject(manifest)) return 1;
  const spec = isObject(manifest.spec) ? manifest.spec : {};
  const metadata = isObject(manifest.metadata) ? manifest.metadata : {};
  let items: number;
  switch (manifest.kind) {
    case 'Role':
    case 'ClusterRole':
      items = lengthOf(manifest.rules);
      break;
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      items = lengthOf(manifest.subjects);
      break;
    case 'Service':
      items = lengthOf(spec.ports);
      break;
    case 'Ingress':
      items = lengthOf(spec.rules);
      break;
    case 'ConfigMap':
    case 'Secret':
      items = lengthOf(manifest.data) + lengthOf(manifest.stringData) + lengthOf(manifest.binaryData);
      break;
    case 'NetworkPolicy':
      items = lengthOf(spec.ingress) + lengthOf(spec.egress);
      break;
    case 'Namespace':
      items = lengthOf(metadata.labels);
      break;
    default: {
      let pod: unknown = manifest;
      for (const key of podSpecPath(String(manifest.kind)) ?? ['-']) pod = isObject(pod) ? pod[key] : undefined;
      items = isObject(pod) ? CONTAINER_LISTS.reduce((sum, list) => sum + lengthOf(pod[list]), 0) : 1;
    }
  }
  return Math.max(1, items);
}
