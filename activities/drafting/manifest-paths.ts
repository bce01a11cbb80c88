/**
 * Pure helpers over manifests for the drafting loop: where a workload keeps its pod spec, every
 * container of every list, flattening into (path, value) facts, and setting or deleting a field
 * along a path where `*` means "the elements of a list".
 */

import { isObject, type JsonObject } from '../../lib/json';
import { CONTAINER_LISTS, podSpecPath } from '../../lib/k8s-api';

export { CONTAINER_LISTS, isObject, podSpecPath };
/** the workload kinds the corpus covers (datasets/schemas WORKLOAD_KINDS) */
export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];

type Json = unknown;
type Obj = JsonObject;

export function getAt(value: Json, path: readonly string[]): Json {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function podSpecOf(manifest: Json): Obj | undefined {
  if (!isObject(manifest) || typeof manifest.kind !== 'string') return undefined;
  const path = podSpecPath(manifest.kind);
  const spec = path ? getAt(manifest, path) : undefined;
  return isObject(spec) ? spec : undefined;
}

/** Every container of every list of a workload. */
export function containersOf(manifest: Json): { list: string; index: number; container: Obj }[] {
  const spec = podSpecOf(manifest);
  if (!spec) return [];
  const out: { list: string; index: number; container: Obj }[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((container, index) => {
      if (isObject(container)) out.push({ list, index, container });
    });
  }
  return out;
}

/**
 * Values found along a path (with `*` over list elements); `[]` when the path is absent.
 * A present `null` counts as absent, like the generated Rego's object.get(…, null).
 */
export function valuesAt(value: Json, path: readonly string[]): Json[] {
  if (path.length === 0) return value === undefined || value === null ? [] : [value];
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '*') return Array.isArray(value) ? value.flatMap((item) => valuesAt(item, rest)) : [];
  if (!isObject(value)) return [];
  return valuesAt(value[head], rest);
}

/** Whether any element reached by the `*` segments before the last key lacks the last key. */
export function missingAt(value: Json, path: readonly string[]): boolean {
  const parents = path.length > 1 ? reach(value, path.slice(0, -1)) : [value];
  const last = path[path.length - 1] as string;
  if (parents.length === 0) return true;
  return parents.some((parent) => !isObject(parent) || parent[last] === undefined || parent[last] === null);
}

function reach(value: Json, path: readonly string[]): Json[] {
  if (path.length === 0) return [value];
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '*') return Array.isArray(value) ? value.flatMap((item) => reach(item, rest)) : [];
  if (!isObject(value) || value[head] === undefined || value[head] === null) return [];
  return reach(value[head], rest);
}

/** Leaf facts of a JSON tree: path (lists as `*`) → the values seen there. */
export function flatten(value: Json, skip: (path: string[]) => boolean = () => false, prefix: string[] = []): Map<string, Json[]> {
  const out = new Map<string, Json[]>();
  const visit = (node: Json, path: string[]) => {
    if (skip(path)) return;
    if (Array.isArray(node)) {
      if (node.length === 0) add(path, []);
      for (const item of node) visit(item, [...path, '*']);
      // a list of scalars is also a fact as a whole
      return;
    }
    if (isObject(node)) {
      const keys = Object.keys(node);
      if (keys.length === 0) add(path, {});
      for (const key of keys) visit(node[key], [...path, key]);
      return;
    }
    add(path, node);
  };
  const add = (path: string[], leaf: Json) => {
    if (path.length === 0) return;
    const key = JSON.stringify(path);
    const list = out.get(key) ?? [];
    list.push(leaf);
    out.set(key, list);
  };
  visit(value, prefix);
  return out;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** A copy with the field at `path` set (creating objects and one-element lists on the way). */
export function setAt(value: Json, path: readonly string[], leaf: Json): Json {
  const root = clone(value);
  const apply = (node: Json, rest: readonly string[]): Json => {
    const [head, ...tail] = rest as [string, ...string[]];
    if (head === '*') {
      const list = Array.isArray(node) ? node : [];
      if (list.length === 0) list.push(tail.length ? {} : leaf);
      list[0] = tail.length ? apply(list[0], tail) : leaf;
      return list;
    }
    const obj = isObject(node) ? node : {};
    obj[head] = tail.length ? apply(obj[head], tail) : leaf;
    return obj;
  };
  return apply(root, path);
}

/** A copy without the field at `path` (in every element for `*`). */
export function deleteAt(value: Json, path: readonly string[]): Json {
  const root = clone(value);
  const apply = (node: Json, rest: readonly string[]) => {
    const [head, ...tail] = rest as [string, ...string[]];
    if (head === '*') {
      if (Array.isArray(node)) for (const item of node) if (tail.length) apply(item, tail);
      return;
    }
    if (!isObject(node)) return;
    if (tail.length === 0) delete node[head];
    else apply(node[head], tail);
  };
  apply(root, path);
  return root;
}

/** Where a scoped path lives in a manifest of this kind (container scope: the first container of `list`). */
export function absolutePath(
  kind: string,
  scope: 'container' | 'pod' | 'object',
  path: readonly string[],
  list = 'containers',
): string[] | undefined {
  if (scope === 'object') return [...path];
  const spec = podSpecPath(kind);
  if (!spec) return undefined;
  if (scope === 'pod') return [...spec, ...path];
  return [...spec, list, '*', ...path];
}
