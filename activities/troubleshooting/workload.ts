/**
 * Where a manifest keeps what the fixes edit: the pod spec of each workload kind, the pod
 * template's metadata, and every container of every list, as JSON Patch tokens. Pure.
 */
import { isObject } from '../../lib/json';
import { CONTAINER_LISTS, podSpecPath } from '../../lib/k8s-api';
import { getAt } from './patch';

export { isObject };
export type Json = unknown;
export type Tokens = (string | number)[];

/** Where the pod spec lives for a kind (undefined for kinds without one). */
export function podSpecTokens(manifest: Json): Tokens | undefined {
  const kind = isObject(manifest) ? manifest.kind : undefined;
  return typeof kind === 'string' ? podSpecPath(kind) : undefined;
}

export function podMetadataTokens(manifest: Json): Tokens | undefined {
  const spec = podSpecTokens(manifest);
  if (!spec) return undefined;
  return spec.length === 1 ? ['metadata'] : [...spec.slice(0, -1), 'metadata'];
}

export interface ContainerRef {
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
  for (const list of CONTAINER_LISTS) {
    const items = podSpec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((container, index) => {
      if (isObject(container)) out.push({ list, index, tokens: [...spec, list, index], container });
    });
  }
  return out;
}
