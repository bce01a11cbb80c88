/**
 * How the offline generator words and names a draft: the expectation sentence of a constraint,
 * its kebab-case policy id, and the title taken from the intent.
 */
import { KIND_PREFIX } from './lexicon';
import type { Constraint } from './schemas';

/** What the constraint expects instead, for the denial message. */
export function expectationFor(operator: Constraint['operator'], field: string, value: unknown): string {
  switch (operator) {
    case 'equals':
      return `${field} must not be ${JSON.stringify(value)}`;
    case 'not-equals':
      return `${field} must be ${JSON.stringify(value)}`;
    case 'in':
      return `${field} must not be one of ${JSON.stringify(value)}`;
    case 'not-in':
      return `${field} must be one of ${JSON.stringify(value)}`;
    case 'regex':
      return `${field} must not match ${JSON.stringify(value)}`;
    case 'not-regex':
      return `${field} must match ${JSON.stringify(value)}`;
    case 'missing':
      return `${field} must be set`;
    case 'present':
      return `${field} must not be set`;
    case 'gt':
      return `${field} must be at most ${value}`;
    case 'gte':
      return `${field} must be below ${value}`;
    case 'lt':
      return `${field} must be at least ${value}`;
    case 'lte':
      return `${field} must be above ${value}`;
  }
}

function valueSlug(value: unknown): string {
  return String(Array.isArray(value) ? value[0] : value)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 20);
}

/** A kebab-case id for the constraint, not colliding with a taken id (the corpus and the published policies): -v2, -v3 … */
export function policyIdFor(c: Constraint, corpusIds: string[]): string {
  const prefix =
    c.scope === 'container'
      ? 'container'
      : c.scope === 'pod'
        ? 'pod'
        : (KIND_PREFIX[c.kinds[0] as string] ?? (c.kinds[0] as string).toLowerCase());
  const last = c.path
    .filter((p) => p !== '*' && p !== 'spec' && p !== 'metadata' && p !== 'annotations')
    .map((p) => p.split('/').pop() as string);
  const field = (last.slice(-2).join('-') || 'field')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  const suffix: Record<Constraint['operator'], string> = {
    equals: `not-${valueSlug(c.value)}`,
    in: `not-${valueSlug(c.value)}`,
    'not-equals': 'allowed',
    'not-in': 'allowed',
    regex: 'forbidden-pattern',
    'not-regex': 'allowed-pattern',
    missing: 'required',
    present: 'forbidden',
    gt: 'max',
    gte: 'max',
    lt: 'min',
    lte: 'min',
  };
  let id = `${prefix}-${field}-${suffix[c.operator]}`.replace(/-+/g, '-').replace(/-$/, '').replace(/-$/, '');
  while (id.length > 55) id = id.replace(/-[a-z0-9]+$/, '');
  const base = id;
  for (let n = 2; corpusIds.includes(id); n++) id = `${base}-v${n}`;
  return id;
}

/** The intent's first sentence, capitalised and cut to about 90 characters, as the title. */
export function sentence(text: string): string {
  const first = text.split(/(?<=[.!?])\s/)[0]?.trim() ?? text;
  const cut = first.length > 90 ? `${first.slice(0, 87).replace(/\s+\S*$/, '')}…` : first;
  return cut.charAt(0).toUpperCase() + cut.slice(1).replace(/[.!?]$/, '');
}
