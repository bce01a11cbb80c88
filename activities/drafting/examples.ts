/**
 * Candidates from the examples: flattens every must-deny and must-allow example into
 * (path, value) facts per scope and keeps the constraints that deny all of the former and none of
 * the latter (a value only the deny examples have, a numeric bound, a shared prefix, a field only
 * one side sets).
 */
import { type Candidate, constraintDenies } from './candidate';
import { escapeRegex } from './intent';
import type { Scope } from './lexicon';
import { CONTAINER_LISTS, containersOf, flatten, isObject, podSpecOf, podSpecPath } from './manifest-paths';
import { displayPath } from './rego-writer';
import type { Constraint, DraftRequest } from './schemas';

type Facts = Map<string, unknown[]>;

const SKIPPED_OBJECT_PATHS = [
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'uid'],
  ['metadata', 'resourceVersion'],
  ['metadata', 'creationTimestamp'],
  ['status'],
];

function scopeFacts(scope: Scope, manifest: unknown): Facts[] {
  if (scope === 'object') {
    const kind = isObject(manifest) ? String(manifest.kind) : '';
    const spec = podSpecPath(kind);
    return [
      flatten(
        manifest,
        (path) =>
          SKIPPED_OBJECT_PATHS.some((s) => s.every((k, i) => path[i] === k)) ||
          (spec?.every((k, i) => path[i] === k) === true && path.length >= spec.length),
      ),
    ];
  }
  if (scope === 'pod') {
    const spec = podSpecOf(manifest);
    return spec ? [flatten(spec, (path) => (CONTAINER_LISTS as readonly string[]).includes(path[0] as string))] : [];
  }
  return containersOf(manifest).map((entry) => flatten(entry.container, (path) => path[0] === 'name'));
}

/** Candidates that separate the must-deny from the must-allow examples, each checked against all of them. */
export function candidatesFromExamples(request: DraftRequest, kinds: string[]): Candidate[] {
  const deny = request.examples.deny;
  const allow = request.examples.allow;
  if (!deny.length) return [];
  const out: Candidate[] = [];
  const scopes: Scope[] = deny.every((m) => podSpecOf(m)) ? ['container', 'pod', 'object'] : ['object'];
  for (const scope of scopes) {
    const denyFacts = deny.map((m) => scopeFacts(scope, m));
    const allowFacts = allow.map((m) => scopeFacts(scope, m));
    const paths = new Set<string>();
    for (const facts of [...denyFacts, ...allowFacts]) for (const f of facts) for (const key of f.keys()) paths.add(key);
    for (const key of paths) {
      const path = JSON.parse(key) as string[];
      const values = (factsList: Facts[][]) =>
        factsList.map((facts) => facts.flatMap((f) => f.get(key) ?? []).filter((v) => v !== null && typeof v !== 'object'));
      const denyValues = values(denyFacts);
      const allowValues = values(allowFacts);
      const allowSet = new Set(allowValues.flat().map((v) => JSON.stringify(v)));
      const base = { kinds, scope, path, derivedFrom: ['examples'] };
      const tryAdd = (
        operator: Constraint['operator'],
        value: Constraint['value'],
        expectation: string,
        prior: number,
        samples: Candidate['samples'],
      ) => {
        const constraint: Constraint = { ...base, operator, ...(value !== undefined ? { value } : {}), expectation };
        if (deny.every((m) => constraintDenies(constraint, m)) && allow.every((m) => !constraintDenies(constraint, m))) {
          out.push({ constraint, score: prior, samples });
        }
      };
      const field = displayPath(path);
      // present in every deny example, absent from every allow example
      if (denyValues.every((v) => v.length) && allowValues.every((v) => !v.length)) {
        const sample = denyValues[0]?.[0];
        if (typeof sample === 'boolean') tryAdd('equals', sample, `${field} must not be ${sample}`, 3, {});
        else tryAdd('present', undefined, `${field} must not be set`, 2, { violating: sample });
      }
      // values shared by the deny examples that no allow example has
      const first = denyValues[0] ?? [];
      for (const v of new Set(first.map((x) => JSON.stringify(x)))) {
        if (allowSet.has(v)) continue;
        const value = JSON.parse(v) as string | number | boolean;
        if (denyValues.every((vals) => vals.some((x) => JSON.stringify(x) === v))) {
          tryAdd('equals', value, `${field} must not be ${JSON.stringify(value)}`, 2.5, {});
        }
      }
      const denyUnion = [...new Set(denyValues.flat().map((x) => JSON.stringify(x)))].map(
        (x) => JSON.parse(x) as string | number | boolean,
      );
      if (denyUnion.length > 1 && denyUnion.every((x) => !allowSet.has(JSON.stringify(x))))
        tryAdd('in', denyUnion, `${field} must not be one of ${JSON.stringify(denyUnion)}`, 2, {});
      // numeric separation
      const denyNums = denyValues.flat().filter((x): x is number => typeof x === 'number');
      const allowNums = allowValues.flat().filter((x): x is number => typeof x === 'number');
      if (denyNums.length && allowNums.length) {
        if (Math.min(...denyNums) > Math.max(...allowNums))
          tryAdd('gt', Math.max(...allowNums), `${field} must be at most ${Math.max(...allowNums)}`, 2.2, {});
        if (Math.max(...denyNums) < Math.min(...allowNums))
          tryAdd('lt', Math.min(...allowNums), `${field} must be at least ${Math.min(...allowNums)}`, 2.2, {});
      }
      // string prefixes the deny examples share and no allow example has
      const denyStrings = denyValues.flat().filter((x): x is string => typeof x === 'string');
      if (denyStrings.length && denyStrings.length === denyValues.flat().length) {
        let common = denyStrings[0] as string;
        for (const s of denyStrings) while (!s.startsWith(common)) common = common.slice(0, -1);
        const cut = common.search(/[/:.@][^/:.@]*$/);
        const stem = cut > 0 ? common.slice(0, cut + 1) : common;
        if (stem.length >= 3)
          tryAdd('regex', `^${escapeRegex(stem)}`, `${field} must not start with ${JSON.stringify(stem)}`, 1.8, {
            violating: denyStrings[0],
          });
      }
      // absent from every deny example, present in every allow example
      if (allow.length && denyValues.every((v) => !v.length) && allowValues.every((v) => v.length)) {
        tryAdd('missing', undefined, `${field} must be set`, 1.5, { compliant: allowValues[0]?.[0] });
      }
    }
  }
  return out;
}
