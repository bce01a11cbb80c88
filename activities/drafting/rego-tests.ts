/**
 * Writes the test module of an offline draft: for each target kind a manifest that violates each
 * rule body and one that complies, the init-container list, the part of a conjunction that alone
 * is not enough, objects outside the `when` scope, the message, other kinds, the namespace
 * exemption, and every example of the request.
 *
 * Every generated case is first judged by the TypeScript semantics of the constraint
 * (candidate.ts); a case it does not judge as intended is left out, so the tests state what the
 * constraint means and `opa test` proves the Rego agrees.
 */
import { constraintDenies, ownCondition, patternTest } from './candidate';
import { absolutePath, deleteAt, setAt } from './manifest-paths';
import { displayPath, packageOf, ruleBodies } from './rego-writer';
import type { Condition, Constraint, DraftRequest } from './schemas';

export type TestBase = { kind: string; manifest: Record<string, unknown>; source: string };
export type Samples = { violating?: unknown; compliant?: unknown };

const rego = (value: unknown) => JSON.stringify(value);

/** A string the pattern matches, or undefined. */
export function matchingSample(pattern: string, hint?: unknown): string | undefined {
  const body = pattern.replace(/^\(\?i\)/, '');
  const firstAlt = body.replace(/^\^\((?:\?:)?([^|()]*)\|.*\)(.*)$/, '^$1$2');
  const literal = firstAlt
    .replace(/^\^/, '')
    .replace(/\$$/, '')
    .replace(/\((?:\?:)?([^|()]*)(?:\|[^()]*)?\)[?*]?/g, '$1')
    .replace(/\[\^[^\]]*\][*+?]?/g, 'x')
    .replace(/\.[*+]/g, 'x')
    .replace(/\\s[*+]?/g, ' ')
    .replace(/\\S[*+]?/g, 'x')
    .replace(/\\d[*+]?/g, '0')
    .replace(/\\w[*+]?/g, 'a')
    .replace(/\\(.)/g, '$1')
    .replace(/[*+?]/g, '');
  const candidates = [
    hint,
    literal,
    `${literal}example`,
    `${literal}/example`,
    `example${literal}`,
    `${literal}:1.0`,
    '* * * * *',
    `${literal} * * * *`,
  ];
  return candidates.find((c): c is string => typeof c === 'string' && patternTest(pattern, c));
}

export function otherSample(pattern: string, hint?: unknown): string | undefined {
  return [hint, 'kpc-elsewhere.example/x', 'kpc-example', 'registry.kpc.example/app:1.0'].find(
    (c): c is string => typeof c === 'string' && !patternTest(pattern, c),
  );
}

/** A present value for which the condition holds. */
export function violatingFor(cond: Condition, samples: Samples = {}): unknown {
  if (samples.violating !== undefined) return samples.violating;
  const v = cond.value;
  const first = Array.isArray(v) ? v[0] : v;
  switch (cond.operator) {
    case 'equals':
      return v;
    case 'in':
      return first;
    case 'not-equals':
      return typeof v === 'boolean' ? !v : typeof v === 'number' ? v + 1 : `${String(v)}-other`;
    case 'not-in':
      return typeof first === 'number' ? Math.max(...(v as number[])) + 1 : 'kpc-not-listed';
    case 'regex':
      return matchingSample(String(v));
    case 'not-regex':
      return otherSample(String(v));
    case 'present':
      return 'kpc-example';
    case 'gt':
      return cond.unit ? (v as number) * 2 || 1 : (v as number) + 1;
    case 'gte':
      return v;
    case 'lt':
      return cond.unit ? (v as number) / 2 : (v as number) - 1;
    case 'lte':
      return v;
    default:
      return undefined;
  }
}

/** A present value for which the condition does not hold, when one can be named. */
export function compliantFor(cond: Condition, samples: Samples = {}): unknown {
  if (samples.compliant !== undefined) return samples.compliant;
  const v = cond.value;
  const first = Array.isArray(v) ? v[0] : v;
  switch (cond.operator) {
    case 'equals':
      return typeof v === 'boolean' ? !v : typeof v === 'number' ? v + 1 : `${String(v)}-other`;
    case 'in':
      return typeof first === 'number' ? Math.max(...(v as number[])) + 1 : 'kpc-not-listed';
    case 'not-equals':
    case 'not-in':
      return first;
    case 'regex':
      return otherSample(String(v));
    case 'not-regex':
      return matchingSample(String(v));
    case 'gt':
    case 'lte':
      return cond.operator === 'gt' ? v : cond.unit ? (v as number) * 2 || 1 : (v as number) + 1;
    case 'lt':
    case 'gte':
      return cond.operator === 'lt' ? v : cond.unit ? (v as number) / 2 : (v as number) - 1;
    case 'missing':
      return 'kpc-example';
    default:
      return undefined;
  }
}

type Json = unknown;

/** The manifest with the condition made to hold (`violate`) or not (`comply`), or undefined when it cannot be. */
function apply(
  manifest: Json,
  kind: string,
  cond: Condition,
  how: 'violate' | 'comply' | 'absent',
  samples: Samples,
  list = 'containers',
): Json {
  const keyAt = cond.path.indexOf('{}');
  const value = how === 'violate' ? violatingFor(cond, samples) : how === 'comply' ? compliantFor(cond, samples) : undefined;
  if (keyAt >= 0) {
    const map = absolutePath(kind, cond.scope, cond.path.slice(0, keyAt), list);
    if (!map) return undefined;
    if (how === 'absent') return deleteAt(manifest, map);
    return typeof value === 'string' ? setAt(manifest, [...map, value], 'kpc-example') : undefined;
  }
  const path = absolutePath(kind, cond.scope, cond.path, list);
  if (!path) return undefined;
  const missing = how === 'absent' || (how === 'violate' && cond.operator === 'missing');
  if (missing) {
    // an element of each list on the way must exist for "missing" to be judged (rules.*.host)
    const star = path.lastIndexOf('*');
    const withElement = star >= 0 ? setAt(manifest, [...path.slice(0, star + 1), 'kpc'], 'kpc-example') : manifest;
    return deleteAt(withElement, path);
  }
  return value === undefined ? undefined : setAt(manifest, path, value);
}

function testName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 60);
}

type Case = { name: string; manifest: Json; deny: boolean };

/** Deny and allow cases for one kind, each checked against the constraint's semantics. */
function casesFor(c: Constraint, base: TestBase, samples: Samples, all: boolean): Case[] {
  const out: Case[] = [];
  const own = ownCondition(c);
  const main = [own, ...(c.also ?? [])];
  const when = c.when ?? [];
  const name = testName(base.kind);
  const sampleOf = (cond: Condition) => (cond === own ? samples : {});
  const build = (list: 'containers' | 'initContainers', plan: [Condition, 'violate' | 'comply' | 'absent'][]) => {
    let m: Json = base.manifest;
    for (const [cond, how] of plan) {
      m = m === undefined ? undefined : apply(m, base.kind, cond, how, sampleOf(cond), cond.scope === 'container' ? list : undefined);
    }
    return m;
  };
  const violateWhen = when.map((w): [Condition, 'violate'] => [w, 'violate']);
  // one deny case per rule body: each condition made to hold, by a value or (when that body says so) by its absence
  ruleBodies(c).forEach((body, i) => {
    const plan = body.map((alt): [Condition, 'violate' | 'absent'] => [alt.cond, alt.missing ? 'absent' : 'violate']);
    out.push({ name: i === 0 ? `deny_${name}` : `deny_${name}_${i + 1}`, manifest: build('containers', plan), deny: true });
  });
  const comply = main.map((m): [Condition, 'comply'] => [m, 'comply']);
  out.push({
    name: `allow_${name}_compliant`,
    manifest: build('containers', [...violateWhen, ...main.map((m): [Condition, 'absent'] => [m, 'absent'])]),
    deny: false,
  });
  out.push({ name: `allow_${name}_compliant_value`, manifest: build('containers', [...violateWhen, ...comply]), deny: false });
  if (!all) return out;
  if (c.combine !== 'any' && main.length > 1)
    main.forEach((keep, i) => {
      const plan = main.map((m): [Condition, 'violate' | 'comply'] => [m, m === keep ? 'comply' : 'violate']);
      out.push({ name: `allow_${name}_only_part_${i + 1}`, manifest: build('containers', [...violateWhen, ...plan]), deny: false });
    });
  when.forEach((w, i) => {
    const plan: [Condition, 'violate' | 'comply' | 'absent'][] = [
      ...when.map((x): [Condition, 'violate' | 'comply'] => [x, x === w ? 'comply' : 'violate']),
      ...main.map((m): [Condition, 'violate'] => [m, 'violate']),
    ];
    out.push({ name: `allow_${name}_outside_scope_${i + 1}`, manifest: build('containers', plan), deny: false });
  });
  if (main.some((m) => m.scope === 'container')) {
    const plan: [Condition, 'violate' | 'comply'][] = [...violateWhen, ...main.map((m): [Condition, 'violate'] => [m, 'violate'])];
    const init = build('initContainers', plan);
    const initOnly = init === undefined ? undefined : build('containers', []);
    const merged = initOnly === undefined || init === undefined ? undefined : mergeInit(init, base.kind, initOnly);
    const restricted = main.some((m) => m.lists && !m.lists.includes('initContainers'));
    out.push({ name: restricted ? 'allow_init_containers' : 'deny_init_containers', manifest: merged, deny: !restricted });
  }
  for (const m of main.filter((x) => x.fallback)) {
    const inherited = setAt(base.manifest, absolutePath(base.kind, 'pod', m.fallback as string[]) as string[], compliantFor(m));
    out.push({ name: `allow_${name}_inherited_from_pod`, manifest: apply(inherited, base.kind, m, 'absent', {}), deny: false });
  }
  return out;
}

/** The init-container variant: the violation only in initContainers, containers as in the base. */
function mergeInit(withInit: Json, kind: string, base: Json): Json {
  const spec = absolutePath(kind, 'pod', ['initContainers']);
  if (!spec) return undefined;
  let node: unknown = withInit;
  for (const key of spec) node = (node as Record<string, unknown> | undefined)?.[key];
  return Array.isArray(node)
    ? setAt(
        base,
        spec,
        node.map((c, i) => ({ ...(c as object), name: `kpc-init-${i}` })),
      )
    : undefined;
}

export function writeTests(
  policyId: string,
  constraint: Constraint,
  bases: TestBase[],
  request: Pick<DraftRequest, 'examples'>,
  samples: Samples = {},
): string {
  const pkg = packageOf(policyId);
  const alias = pkg.split('.').pop() as string;
  const lines: string[] = [`package ${pkg}_test`, '', `import data.${pkg}`, ''];
  const deny = (input: unknown) => `count(${alias}.deny) > 0 with input as ${rego(input)}`;
  const allow = (input: unknown) => `count(${alias}.deny) == 0 with input as ${rego(input)}`;
  const test = (name: string, statements: string[]) => lines.push(`test_${name} if {`, ...statements.map((s) => `\t${s}`), '}', '');
  const seen = new Set<string>();
  let firstDeny: { kind: string; manifest: Json } | undefined;
  bases.forEach((base, i) => {
    for (const c of casesFor(constraint, base, samples, i === 0)) {
      if (c.manifest === undefined || seen.has(c.name) || constraintDenies(constraint, c.manifest) !== c.deny) continue;
      seen.add(c.name);
      test(c.name, [c.deny ? deny(c.manifest) : allow(c.manifest)]);
      if (c.deny && !firstDeny) firstDeny = { kind: base.kind, manifest: c.manifest };
    }
  });
  if (firstDeny) {
    const meta = (firstDeny.manifest as { metadata?: { name?: string } }).metadata;
    test('deny_message_names_resource_and_field', [
      `some msg in ${alias}.deny with input as ${rego(firstDeny.manifest)}`,
      `contains(msg, ${rego(`${firstDeny.kind} `)})`,
      ...(meta?.name ? [`contains(msg, ${rego(meta.name)})`] : []),
      `contains(msg, ${rego(displayPath(constraint.path))})`,
    ]);
    test('allow_exempt_namespace', [
      `ns := object.get(object.get(${rego(firstDeny.manifest)}, "metadata", {}), "namespace", "default")`,
      `count(${alias}.deny) == 0 with input as ${rego(firstDeny.manifest)} with data.kpc.params as {${rego(policyId)}: {"exempt_namespaces": [ns]}}`,
    ]);
  }
  const other = constraint.kinds.includes('ConfigMap') ? 'Secret' : 'ConfigMap';
  test('allow_other_kinds', [allow({ apiVersion: 'v1', kind: other, metadata: { name: 'kpc-other', namespace: 'shop' }, data: {} })]);
  request.examples.deny.forEach((example, i) => {
    test(`deny_example_${i + 1}`, [deny(example)]);
  });
  request.examples.allow.forEach((example, i) => {
    test(`allow_example_${i + 1}`, [allow(example)]);
  });
  return lines.join('\n');
}
