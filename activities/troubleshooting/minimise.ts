/**
 * Counterexample minimiser: delta debugging over a manifest's JSON tree. Starting from a manifest
 * a policy denies, it drops object keys and array items while the same policy still denies it, until
 * no single remaining removable node can go (1-minimal). Each round asks OPA about every
 * one-node removal in one batch, then about removing the survivors together, in halves, quarters …
 * (again one batch) and keeps the largest removal that is still denied.
 *
 * Protected (never removed, so the result stays a recognisable resource): apiVersion, kind,
 * metadata, metadata.name, and the name and image of every container.
 */
import type { Config } from '../../infra/config';
import { isObject } from '../../lib/json';
import { CONTAINER_LISTS } from '../../lib/k8s-api';
import { evaluateDenials, type PolicyParams } from './oracle';

type Json = unknown;
export type Path = (string | number)[];

const CONTAINER_LIST_NAMES: ReadonlySet<string> = new Set(CONTAINER_LISTS);

/** Whether removing the node at `path` would leave no valid resource (see the module comment). */
export function isProtected(path: readonly (string | number)[]): boolean {
  if (path.length === 1) return path[0] === 'apiVersion' || path[0] === 'kind' || path[0] === 'metadata';
  if (path.length === 2 && path[0] === 'metadata' && path[1] === 'name') return true;
  const n = path.length;
  if (n >= 3 && typeof path[n - 2] === 'number' && CONTAINER_LIST_NAMES.has(String(path[n - 3]))) {
    return path[n - 1] === 'name' || path[n - 1] === 'image';
  }
  return false;
}

/** Number of JSON values in the tree (every object, array and scalar counts one). */
export function treeSize(value: Json): number {
  if (Array.isArray(value)) return 1 + value.reduce((sum: number, v) => sum + treeSize(v), 0);
  if (isObject(value)) return 1 + Object.values(value).reduce((sum: number, v) => sum + treeSize(v), 0);
  return 1;
}

/** Every removable node (keys and array items), parents before children. */
export function removablePaths(doc: Json, isFixed: (path: Path) => boolean = isProtected): Path[] {
  const out: Path[] = [];
  const visit = (node: Json, path: Path) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        const p = [...path, i];
        if (!isFixed(p)) out.push(p);
        visit(child, p);
      });
    } else if (isObject(node)) {
      for (const [key, child] of Object.entries(node)) {
        const p = [...path, key];
        if (!isFixed(p)) out.push(p);
        visit(child, p);
      }
    }
  };
  visit(doc, []);
  return out;
}

const isPrefix = (a: Path, b: Path) => a.length < b.length && a.every((t, i) => t === b[i]);

/** A copy of `doc` without the nodes at `paths` (array items removed from the highest index down). */
export function removePaths(doc: Json, paths: readonly Path[]): Json {
  const out = structuredClone(doc);
  // a path whose ancestor is removed too needs no removal of its own
  const kept = paths.filter((p) => !paths.some((q) => q !== p && isPrefix(q, p)));
  // later siblings first, deeper first, so earlier removals never shift the indexes of later ones
  const ordered = [...kept].sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const x = a[i] as string | number;
      const y = b[i] as string | number;
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return y - x;
      return String(x) < String(y) ? -1 : 1;
    }
    return b.length - a.length;
  });
  for (const path of ordered) {
    let node: Json = out;
    for (const token of path.slice(0, -1)) node = (node as Record<string | number, Json>)?.[token as never];
    const last = path[path.length - 1] as string | number;
    if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
    else if (isObject(node)) delete node[last as string];
  }
  return out;
}

/** Asks, for each candidate, whether the policy still denies it. One call = one batch. */
export type DenyOracle = (candidates: readonly Json[]) => Promise<boolean[]>;

export interface MinimiseResult {
  minimal: Json;
  before: { nodes: number; bytes: number };
  after: { nodes: number; bytes: number };
  /** after.nodes / before.nodes */
  ratio: number;
  rounds: number;
  /** candidate manifests evaluated */
  evaluations: number;
  /** oracle calls (opa eval processes) */
  batches: number;
}

export class NotDeniedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotDeniedError';
  }
}

/** Chunks of `items` of size n/2, n/4, … 1 (the whole list first). */
function partitions<T>(items: readonly T[]): T[][] {
  const out: T[][] = [[...items]];
  for (let parts = 2; parts <= items.length; parts *= 2) {
    const size = Math.ceil(items.length / parts);
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    if (size === 1) break;
  }
  return out;
}

/** Delta-debugs `manifest` against the oracle; throws NotDeniedError when the oracle does not deny it. */
export async function minimiseWith(manifest: Json, oracle: DenyOracle, options: { maxRounds?: number } = {}): Promise<MinimiseResult> {
  let evaluations = 1;
  let batches = 1;
  const [denied] = await oracle([manifest]);
  if (!denied) throw new NotDeniedError('the policy does not deny this manifest, so there is nothing to minimise');
  let current = structuredClone(manifest);
  let rounds = 0;
  const maxRounds = options.maxRounds ?? 200;
  while (rounds < maxRounds) {
    rounds += 1;
    const paths = removablePaths(current);
    if (paths.length === 0) break;
    const singles = await oracle(paths.map((p) => removePaths(current, [p])));
    evaluations += paths.length;
    batches += 1;
    const survivors = paths.filter((_, i) => singles[i]);
    if (survivors.length === 0) break; // 1-minimal: every single removal makes it allowed
    const tops = survivors.filter((p) => !survivors.some((q) => q !== p && isPrefix(q, p)));
    if (tops.length === 1) {
      current = removePaths(current, tops);
      continue;
    }
    const groups = partitions(tops);
    const candidates = groups.map((g) => removePaths(current, g));
    const verdicts = await oracle(candidates);
    evaluations += candidates.length;
    batches += 1;
    let best = -1;
    let bestSize = Number.POSITIVE_INFINITY;
    candidates.forEach((c, i) => {
      if (!verdicts[i]) return;
      const size = treeSize(c);
      if (size < bestSize) {
        best = i;
        bestSize = size;
      }
    });
    // a single top-level survivor is always safe (it was denied on its own)
    current = best >= 0 ? (candidates[best] as Json) : removePaths(current, [tops[0] as Path]);
  }
  const before = { nodes: treeSize(manifest), bytes: JSON.stringify(manifest).length };
  const after = { nodes: treeSize(current), bytes: JSON.stringify(current).length };
  return { minimal: current, before, after, ratio: after.nodes / before.nodes, rounds, evaluations, batches };
}

/** The real-OPA oracle: does `policy` deny each candidate (with the inventory and optional params)? */
export function opaDenyOracle(config: Config, policy: string, params?: PolicyParams): DenyOracle {
  return async (candidates) => {
    const denials = await evaluateDenials({ config, manifests: candidates, policies: [policy], params });
    return denials.map((d) => (d[policy]?.length ?? 0) > 0);
  };
}

export async function minimiseCounterexample(
  config: Config,
  input: { manifest: Json; policy: string; params?: PolicyParams },
): Promise<MinimiseResult & { policy: string }> {
  const result = await minimiseWith(input.manifest, opaDenyOracle(config, input.policy, input.params));
  return { ...result, policy: input.policy };
}
