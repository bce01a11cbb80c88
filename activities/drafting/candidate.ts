/**
 * A candidate constraint and its evaluation in TypeScript: the same semantics the generated Rego
 * implements, used to check candidates against the request's examples and to rank them.
 */
import { containersOf, isObject, missingAt, podSpecOf, valuesAt } from './manifest-paths';
import type { Constraint } from './schemas';

export type Candidate = {
  constraint: Constraint;
  score: number;
  samples: { violating?: unknown; compliant?: unknown };
};

function scopedRoots(c: Pick<Constraint, 'scope' | 'kinds'>, manifest: unknown): unknown[] {
  if (!isObject(manifest) || typeof manifest.kind !== 'string' || !c.kinds.includes(manifest.kind)) return [];
  if (c.scope === 'object') return [manifest];
  if (c.scope === 'pod') {
    const spec = podSpecOf(manifest);
    return spec ? [spec] : [];
  }
  return containersOf(manifest).map((entry) => entry.container);
}

function compare(op: Constraint['operator'], value: unknown, target: unknown): boolean {
  switch (op) {
    case 'equals':
      return JSON.stringify(value) === JSON.stringify(target);
    case 'not-equals':
      return JSON.stringify(value) !== JSON.stringify(target);
    case 'in':
      return Array.isArray(target) && target.some((t) => JSON.stringify(t) === JSON.stringify(value));
    case 'not-in':
      return Array.isArray(target) && !target.some((t) => JSON.stringify(t) === JSON.stringify(value));
    case 'regex':
      return typeof value === 'string' && new RegExp(String(target)).test(value);
    case 'not-regex':
      return typeof value === 'string' && !new RegExp(String(target)).test(value);
    case 'present':
      return true;
    case 'lt':
      return typeof value === 'number' && value < (target as number);
    case 'lte':
      return typeof value === 'number' && value <= (target as number);
    case 'gt':
      return typeof value === 'number' && value > (target as number);
    case 'gte':
      return typeof value === 'number' && value >= (target as number);
    default:
      return false;
  }
}

/** Whether the constraint denies the manifest (the semantics the generated Rego implements). */
export function constraintDenies(c: Constraint, manifest: unknown): boolean {
  for (const root of scopedRoots(c, manifest)) {
    if (c.operator === 'missing') {
      if (missingAt(root, c.path)) return true;
      continue;
    }
    for (const value of valuesAt(root, c.path)) if (compare(c.operator, value, c.value)) return true;
  }
  return false;
}
