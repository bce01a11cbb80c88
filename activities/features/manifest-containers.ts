/**
 * Per-container features other than security and images: resources (requests, limits and their
 * ratios), probes, host ports and environment variables.
 */
import { BATCH_KINDS } from '../../lib/k8s-api';
import { parseQuantity } from '../../lib/quantity';
import type { ManifestFeatures } from './manifest-features';
import type { PodView } from './manifest-pod';
import { envSecretLiteral } from './manifest-secrets';
import { arr, countIf, isObj, type Obj, obj, objs, path, present } from './read-json';

function ratio(limit: unknown, request: unknown): number | undefined {
  const l = parseQuantity(limit);
  const r = parseQuantity(request);
  if (l === undefined || r === undefined || r <= 0) return undefined;
  return l / r;
}

const has = (o: Obj, key: string) => present(o[key]) && o[key] !== '';

interface Sized {
  container: Obj;
  requests: Obj;
  limits: Obj;
}

const missingIn = (sized: readonly Sized[], part: 'requests' | 'limits', key: string): number => countIf(sized, (c) => !has(c[part], key));

/** The largest limit / request of `key` over the containers (0 when none has both). */
const maxRatio = (sized: readonly Sized[], key: string): number =>
  sized.reduce((max, c) => Math.max(max, ratio(c.limits[key], c.requests[key]) ?? 0), 0);

/** Requests and limits of containers and init containers (ephemeral containers take none). */
export function extractResources(f: ManifestFeatures, pod: PodView): void {
  const sized: Sized[] = [];
  for (const { list, container } of pod.containers) {
    if (list === 'ephemeralContainers') continue;
    sized.push({ container, requests: obj(path(container, 'resources', 'requests')), limits: obj(path(container, 'resources', 'limits')) });
  }
  f.resources_missing_count = countIf(sized, ({ container }) => !isObj(container.resources));
  f.cpu_requests_missing = missingIn(sized, 'requests', 'cpu');
  f.memory_requests_missing = missingIn(sized, 'requests', 'memory');
  f.ephemeral_storage_requests_missing = missingIn(sized, 'requests', 'ephemeral-storage');
  f.cpu_limits_missing = missingIn(sized, 'limits', 'cpu');
  f.memory_limits_missing = missingIn(sized, 'limits', 'memory');
  f.ephemeral_storage_limits_missing = missingIn(sized, 'limits', 'ephemeral-storage');
  f.max_cpu_limit_ratio = maxRatio(sized, 'cpu');
  f.max_memory_limit_ratio = maxRatio(sized, 'memory');
}

/** Probes of the long-running containers (the app containers of non-batch kinds: batch pods run to completion). */
export function extractProbes(f: ManifestFeatures, pod: PodView): void {
  const longRunning = BATCH_KINDS.has(pod.kind) ? [] : pod.containers.filter((c) => c.list === 'containers');
  f.liveness_probe_missing = countIf(longRunning, ({ container }) => !present(container.livenessProbe));
  f.readiness_probe_missing = countIf(longRunning, ({ container }) => !present(container.readinessProbe));
}

/** Host ports and environment variables of every container. */
export function extractPortsAndEnv(f: ManifestFeatures, pod: PodView): void {
  let hostPorts = 0;
  let envVars = 0;
  let envLiteral = 0;
  let envRef = 0;
  for (const { container } of pod.containers) {
    hostPorts += countIf(arr(container.ports), (port) => {
      const hostPort = path(port, 'hostPort');
      return present(hostPort) && hostPort !== 0;
    });
    const env = objs(container.env);
    envVars += env.length;
    envLiteral += countIf(env, envSecretLiteral);
    envRef += countIf(env, (variable) => isObj(path(variable, 'valueFrom', 'secretKeyRef')));
  }
  f.host_ports_count = hostPorts;
  f.env_vars_count = envVars;
  f.env_secret_literal_count = envLiteral;
  f.env_secret_ref_count = envRef;
}
