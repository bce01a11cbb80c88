/**
 * A candidate constraint and its evaluation in TypeScript: the same semantics the generated Rego
 * implements (rego-writer.ts), used to check candidates against the request's examples, to find
 * conflicts between the intent and the examples, and to keep only test cases the policy must pass.
 *
 * A constraint is a small formula: `when` conditions AND (its own condition combined with `also`
 * by "all" or "any"). Conditions of one formula that share a list prefix (`env.*.name`,
 * `env.*.value`) talk about the same list element, and container conditions about the same
 * container, exactly as the Rego's `some` bindings do.
 */
import { parseQuantity } from '../../lib/quantity';
import { containersOf, isObject, podSpecOf } from './manifest-paths';
import type { Clarification, Condition, Constraint } from './schemas';

export type Candidate = {
  constraint: Constraint;
  score: number;
  samples: { violating?: unknown; compliant?: unknown };
  /** the intent and the examples disagree: the question for the requester */
  clarification?: Clarification;
};

/** The condition a constraint carries in its own fields. */
export function ownCondition(c: Constraint): Condition {
  const { scope, path, operator, value, unit, ifMissing, fallback, lists, onlyKinds } = c;
  return {
    scope,
    path,
    operator,
    ...(value !== undefined ? { value } : {}),
    ...(unit ? { unit } : {}),
    ...(ifMissing ? { ifMissing } : {}),
    ...(fallback ? { fallback } : {}),
    ...(lists ? { lists } : {}),
    ...(onlyKinds ? { onlyKinds } : {}),
  };
}

/** The conjunctions whose union is the constraint (disjunctive normal form, before missing-field alternatives). */
export function bodiesOf(c: Constraint): Condition[][] {
  const main = [ownCondition(c), ...(c.also ?? [])];
  const when = c.when ?? [];
  return c.combine === 'any' ? main.map((m) => [...when, m]) : [[...when, ...main]];
}

/** A JavaScript test of an RE2 pattern; a leading (?i) becomes the `i` flag. */
export function patternTest(pattern: string, text: string): boolean {
  try {
    const insensitive = pattern.startsWith('(?i)');
    return new RegExp(insensitive ? pattern.slice(4) : pattern, insensitive ? 'i' : '').test(text);
  } catch {
    return false;
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(cond: Condition, value: unknown): boolean {
  const target = cond.value;
  const num = (v: unknown) => (cond.unit === 'quantity' ? parseQuantity(v) : typeof v === 'number' ? v : undefined);
  switch (cond.operator) {
    case 'equals':
      return same(value, target);
    case 'not-equals':
      return !same(value, target);
    case 'in':
      return Array.isArray(target) && target.some((t) => same(t, value));
    case 'not-in':
      return Array.isArray(target) && !target.some((t) => same(t, value));
    case 'regex':
      return typeof value === 'string' && patternTest(String(target), value);
    case 'not-regex':
      return typeof value === 'string' && !patternTest(String(target), value);
    case 'present':
      return true;
    case 'missing':
      return false;
    default: {
      const n = num(value);
      const t = target as number;
      if (n === undefined) return false;
      return { lt: n < t, lte: n <= t, gt: n > t, gte: n >= t }[cond.operator];
    }
  }
}

/** Absent as the Rego sees it: no value, null, an empty list or an empty object. */
export function isAbsent(value: unknown): boolean {
  return (
    value === undefined || value === null || (Array.isArray(value) && value.length === 0) || (isObject(value) && !Object.keys(value).length)
  );
}

type Env = Map<string, unknown>;
type Roots = { container?: Record<string, unknown>; pod?: Record<string, unknown>; object: unknown };

/** Every (value, bindings) reachable along the path; `*` and `{}` bind per prefix. */
function reach(root: unknown, path: readonly string[], prefix: string, env: Env): { value: unknown; env: Env }[] {
  if (!path.length) return [{ value: root, env }];
  const [head, ...rest] = path as [string, ...string[]];
  const key = `${prefix}/${head === '*' || head === '{}' ? `${head}${prefix.split('/').length}` : head}`;
  if (head === '*') {
    if (!Array.isArray(root)) return [];
    const bound = env.get(key);
    const indices = bound !== undefined ? [bound as number] : root.map((_, i) => i);
    return indices.flatMap((i) => (i < root.length ? reach(root[i], rest, key, new Map(env).set(key, i)) : []));
  }
  if (head === '{}') {
    if (!isObject(root)) return [];
    const bound = env.get(key);
    const keys = bound !== undefined ? [bound as string] : Object.keys(root);
    return keys.filter((k) => k in root).map((k) => ({ value: k, env: new Map(env).set(key, k) }));
  }
  return reach(isObject(root) ? root[head] : undefined, rest, key, env);
}

/** The environments in which the condition holds. */
function holds(cond: Condition, roots: Roots, env: Env): Env[] {
  if (cond.onlyKinds && !cond.onlyKinds.includes(String((roots.object as { kind?: unknown }).kind))) return [];
  const root = cond.scope === 'container' ? roots.container : cond.scope === 'pod' ? roots.pod : roots.object;
  if (root === undefined) return [];
  const out: Env[] = [];
  for (const { value, env: next } of reach(root, cond.path, cond.scope, env)) {
    let v = value;
    if (v === undefined && cond.fallback && roots.pod) v = reach(roots.pod, cond.fallback, 'fallback', next)[0]?.value;
    const present = v !== undefined && v !== null;
    if (present && cond.operator !== 'missing' && compare(cond, v)) out.push(next);
    else if ((cond.operator === 'missing' || cond.ifMissing === 'deny') && isAbsent(v)) out.push(next);
  }
  return out;
}

function satisfiable(conds: Condition[], roots: Roots, env: Env): boolean {
  const [first, ...rest] = conds;
  if (!first) return true;
  return holds(first, roots, env).some((next) => satisfiable(rest, roots, next));
}

/** Whether the constraint denies the manifest (the semantics the generated Rego implements). */
export function constraintDenies(c: Constraint, manifest: unknown): boolean {
  if (!isObject(manifest) || typeof manifest.kind !== 'string' || !c.kinds.includes(manifest.kind)) return false;
  const pod = podSpecOf(manifest);
  for (const body of bodiesOf(c)) {
    const containerConds = body.filter((b) => b.scope === 'container');
    if (containerConds.length) {
      const lists = containerConds.flatMap((b) => b.lists ?? []);
      for (const entry of containersOf(manifest)) {
        if (lists.length && !containerConds.every((b) => !b.lists || b.lists.includes(entry.list as never))) continue;
        if (satisfiable(body, { container: entry.container, pod, object: manifest }, new Map())) return true;
      }
    } else if (satisfiable(body, { pod, object: manifest }, new Map())) return true;
  }
  return false;
}
