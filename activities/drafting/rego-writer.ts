/**
 * Writes a Rego v1 policy and its tests for a structured constraint, in the corpus's house style
 * (datasets/policies/CONVENTIONS.md): `deny contains msg if { … }`, the shared library for pod specs
 * and containers, parameters through `k8s.param`, a namespace exemption parameter, and tests that
 * deny and allow across kinds and container lists, check the message, and cover the examples.
 */

import { ownCondition } from './candidate';
import { WORKLOAD_KINDS } from './manifest-paths';
import type { Condition, Constraint } from './schemas';

export const packageOf = (policyId: string) => `kpc.policies.${policyId.replaceAll('-', '_')}`;

const rego = (value: unknown) => JSON.stringify(value);

/** The field as the message shows it: `ports[].containerPort`. */
export function displayPath(path: readonly string[]): string {
  let out = '';
  for (const segment of path) {
    if (segment === '*') out += '[]';
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function paramBase(operator: Constraint['operator']): string | undefined {
  switch (operator) {
    case 'in':
    case 'not-in':
      return 'values';
    case 'regex':
    case 'not-regex':
      return 'pattern';
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return 'limit';
    default:
      return undefined;
  }
}

/** Every condition of the constraint in a fixed order (own, also…, when…), each with its parameter name. */
export function conditionsOf(c: Constraint): { cond: Condition; param?: string }[] {
  const all = [ownCondition(c), ...(c.also ?? []), ...(c.when ?? [])];
  const used = new Map<string, number>();
  return all.map((cond) => {
    const base = paramBase(cond.operator);
    if (!base) return { cond };
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    return { cond, param: n === 1 ? base : `${base}_${n}` };
  });
}

/** The parameters (name, description, default) the policy reads through k8s.param. */
export function constraintParameters(constraint: Constraint): { name: string; description: string; default: unknown }[] {
  const out: { name: string; description: string; default: unknown }[] = [];
  for (const { cond, param } of conditionsOf(constraint)) {
    if (!param) continue;
    const field = displayPath(cond.path);
    const what = param.startsWith('values')
      ? `values of ${field} the rule compares with`
      : param.startsWith('pattern')
        ? `regular expression (RE2) for ${field}`
        : `numeric bound for ${field}${cond.unit === 'quantity' ? ' (in cores or bytes)' : ''}`;
    out.push({ name: param, description: what, default: cond.value });
  }
  out.push({ name: 'exempt_namespaces', description: 'namespaces the rule does not apply to', default: [] });
  return out;
}

const OPERATOR_WORDS: Record<Constraint['operator'], string> = {
  equals: '==',
  'not-equals': '!=',
  in: 'in',
  'not-in': 'not in',
  regex: 'matches',
  'not-regex': 'does not match',
  missing: 'is missing',
  present: 'is set',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
};

function describeCondition(c: Condition): string {
  const where = c.scope === 'container' ? 'a container' : c.scope === 'pod' ? 'the pod spec' : 'the object';
  const value = c.value === undefined ? '' : ` ${JSON.stringify(c.value)}`;
  const missing = c.ifMissing === 'deny' && c.operator !== 'missing' ? ' (or is missing)' : '';
  return `${displayPath(c.path)} of ${where} ${OPERATOR_WORDS[c.operator]}${value}${c.unit ? ' (quantity)' : ''}${missing}`;
}

/** One-line human description of the violation. */
export function describeConstraint(c: Constraint): string {
  const main = [ownCondition(c), ...(c.also ?? [])].map(describeCondition).join(c.combine === 'any' ? ' or ' : ' and ');
  const when = c.when?.length ? ` (when ${c.when.map(describeCondition).join(' and ')})` : '';
  return `${c.kinds.join(', ')}: deny when ${main}${when}`;
}

function escapeFormat(text: string): string {
  return text.replaceAll('%', '%%');
}

export type Alternative = { cond: Condition; param?: string; missing: boolean; main: boolean };

/** The rule bodies: each conjunction of bodiesOf, with a condition that also denies a missing field split in two. */
export function ruleBodies(c: Constraint): Alternative[][] {
  const params = conditionsOf(c);
  const mainCount = 1 + (c.also?.length ?? 0);
  const info = (cond: Condition) => {
    const index = params.findIndex((p) => p.cond === cond);
    return { param: params[index]?.param, main: index < mainCount };
  };
  const withIdentity = (body: Condition[]) => body.map((cond) => ({ cond, ...info(cond) }));
  const main = params.slice(0, mainCount).map((p) => p.cond);
  const when = params.slice(mainCount).map((p) => p.cond);
  const conj = c.combine === 'any' ? main.map((m) => [...when, m]) : [[...when, ...main]];
  const out: Alternative[][] = [];
  for (const body of conj) {
    let expanded: Alternative[][] = [[]];
    for (const item of withIdentity(body)) {
      const alts: Alternative[] = [];
      if (item.cond.operator !== 'missing') alts.push({ ...item, missing: false });
      if (item.cond.operator === 'missing' || item.cond.ifMissing === 'deny') alts.push({ ...item, missing: true });
      expanded = expanded.flatMap((prefix) => alts.map((a) => [...prefix, a]));
    }
    out.push(...expanded);
  }
  return out;
}

/** The Rego policy module for a constraint. */
export function writePolicy(policyId: string, title: string, constraint: Constraint): string {
  const lines: string[] = [];
  const pkg = packageOf(policyId);
  lines.push(`# ${title}`);
  lines.push(`# Generated by kube-pac-copilot's offline generator: ${describeConstraint(constraint)}.`);
  lines.push(`package ${pkg}`, '', 'import data.kpc.lib.k8s', '');
  const conditions = conditionsOf(constraint);
  const workloadOnly = conditions.every(({ cond }) => cond.scope !== 'object');
  const allWorkloads = workloadOnly && WORKLOAD_KINDS.every((k) => constraint.kinds.includes(k));
  const checkKinds = !allWorkloads;
  if (checkKinds) lines.push(`kinds := ${rego([...constraint.kinds].sort())}`, '');
  lines.push(`exempt_namespaces := {ns | some ns in k8s.param(${rego(policyId)}, "exempt_namespaces", [])}`, '');
  for (const { cond, param } of conditions) {
    if (!param) continue;
    if (param.startsWith('values'))
      lines.push(`${param} := {v | some v in k8s.param(${rego(policyId)}, "${param}", ${rego(cond.value)})}`, '');
    else lines.push(`${param} := k8s.param(${rego(policyId)}, "${param}", ${rego(cond.value)})`, '');
  }
  const bodies = ruleBodies(constraint);
  for (const body of bodies)
    lines.push('deny contains msg if {', ...writeBody(constraint, body, checkKinds, bodies.length === 1).map((l) => `\t${l}`), '}', '');
  return lines.join('\n');
}

function writeBody(constraint: Constraint, body: Alternative[], checkKinds: boolean, single: boolean): string[] {
  const out: string[] = [];
  const containerConds = body.filter((a) => a.cond.scope === 'container');
  if (containerConds.length) out.push('some entry in k8s.containers');
  if (checkKinds) out.push('input.kind in kinds');
  out.push('not exempt_namespaces[k8s.namespace]');
  const lists = [...new Set(containerConds.flatMap((a) => a.cond.lists ?? []))];
  if (lists.length === 1) out.push(`entry.list == ${rego(lists[0])}`);
  else if (lists.length > 1) out.push(`entry.list in ${rego(lists)}`);
  const restricted = body.filter((a) => a.cond.onlyKinds).map((a) => a.cond.onlyKinds as string[]);
  const onlyKinds = restricted.length ? (restricted[0] as string[]).filter((k) => restricted.every((r) => r.includes(k))).sort() : [];
  if (onlyKinds.length === 1) out.push(`input.kind == ${rego(onlyKinds[0])}`);
  else if (onlyKinds.length > 1) out.push(`input.kind in ${rego(onlyKinds)}`);
  const bound = new Map<string, string>();
  const shown: { field: string; value?: string }[] = [];
  let counter = 0;
  body.forEach((alt, index) => {
    const { cond } = alt;
    let base = cond.scope === 'container' ? 'entry.container' : cond.scope === 'pod' ? 'k8s.pod_spec' : 'input';
    let key: string = cond.scope;
    let group: string[] = [];
    let keyVar: string | undefined;
    for (const segment of cond.path) {
      if (segment === '*' || segment === '{}') {
        key = `${key}/${group.join('/')}/${segment}`;
        let name = bound.get(key);
        if (!name) {
          name = segment === '*' ? (counter === 0 ? 'item' : `item${counter}`) : `key${counter || ''}`;
          counter++;
          bound.set(key, name);
          const source = group.length ? `object.get(${base}, ${rego(group)}, ${segment === '*' ? '[]' : '{}'})` : base;
          out.push(segment === '*' ? `some ${name} in ${source}` : `some ${name}, _ in ${source}`);
        }
        if (segment === '{}') keyVar = name;
        base = name;
        group = [];
      } else group.push(segment);
    }
    const fallback = cond.fallback ? `object.get(k8s.pod_spec, ${rego(cond.fallback)}, null)` : 'null';
    const expr = keyVar ?? (group.length ? `object.get(${base}, ${rego(group)}, ${fallback})` : base);
    const v = single && index === body.length - 1 ? 'value' : `value${index + 1}`;
    const field = displayPath(cond.path);
    if (alt.missing) {
      out.push(`${expr} in {null, [], {}}`);
      if (alt.main) shown.push({ field });
      return;
    }
    out.push(`${v} := ${expr}`);
    const num = cond.unit === 'quantity' ? `units.parse(sprintf("%v", [${v}]))` : v;
    switch (cond.operator) {
      case 'present':
        out.push(`${v} != null`);
        break;
      case 'equals':
        out.push(`${v} == ${rego(cond.value)}`);
        break;
      case 'not-equals':
        out.push(`${v} != null`, `${v} != ${rego(cond.value)}`);
        break;
      case 'in':
        out.push(`${v} in ${alt.param}`);
        break;
      case 'not-in':
        out.push(`${v} != null`, `not ${v} in ${alt.param}`);
        break;
      case 'regex':
        out.push(`is_string(${v})`, `regex.match(${alt.param}, ${v})`);
        break;
      case 'not-regex':
        out.push(`is_string(${v})`, `not regex.match(${alt.param}, ${v})`);
        break;
      default: {
        const op = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[cond.operator as 'lt'];
        out.push(cond.unit === 'quantity' ? `${v} != null` : `is_number(${v})`, `${num} ${op} ${alt.param}`);
      }
    }
    if (alt.main) shown.push({ field, value: v });
  });
  const what = shown.map((s) => (s.value ? `sets ${escapeFormat(s.field)}=%v` : `does not set ${escapeFormat(s.field)}`)).join(' and ');
  const values = shown.flatMap((s) => (s.value ? [s.value] : []));
  const expectation = escapeFormat(constraint.expectation);
  if (containerConds.length) {
    const args = ['k8s.resource', 'entry.name', 'entry.list', ...values];
    out.push(`msg := sprintf(${rego(`%s: container %q (%s) ${what}; ${expectation}`)}, [${args.join(', ')}])`);
  } else if (body.some((a) => a.cond.scope === 'pod')) {
    const args = ['k8s.resource', 'k8s.pod_spec_path', ...values];
    out.push(`msg := sprintf(${rego(`%s: %s ${what}; ${expectation}`)}, [${args.join(', ')}])`);
  } else {
    const args = ['k8s.resource', ...values];
    out.push(`msg := sprintf(${rego(`%s: ${what}; ${expectation}`)}, [${args.join(', ')}])`);
  }
  return out;
}
