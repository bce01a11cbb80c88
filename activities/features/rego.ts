/**
 * Rego features: counts over the JSON AST that `opa parse --format json` prints for a policy file
 * (rules, functions, nesting, comprehensions, iteration, built-in calls by family, data references).
 *
 *   const features = await regoFeaturesOfFile(config, 'datasets/policies/pss-privileged/policy.rego');
 *   const same = extractRegoFeatures(ast, source); // pure, on an AST already parsed
 *
 * AST shapes (opa v1.x): a module has `package`, `imports`, `rules`, `comments`; a rule has `head`
 * (`name`, `ref`, `args`, `key`, `value`), `body` (expressions), `default` and `else` (a rule); an
 * expression has `terms` that are either an array (a call: the operator's ref, then the operands),
 * one term, `{symbols}` (a `some` declaration; `some x in xs` is a call of internal.member_2/3) or
 * `{key, value, domain, body}` (`every`), plus `negated` and `with`. A term is `{type, value}`;
 * `_` becomes a var named `$<n>`. Unknown shapes are skipped, never an error.
 */
import { readFile } from 'node:fs/promises';
import type { Config } from '../../infra/config';
import { opaParse } from '../opa/opa';
import { type DescribedFeature, numericFeature as n } from './spec';

export type RegoFeatures = Record<string, number>;

export const REGO_FEATURES: readonly DescribedFeature[] = Object.freeze([
  n('ast_nodes', 'rules, expressions and terms in the module'),
  n('rules', 'rule definitions (an else branch is part of its rule)'),
  n('distinct_rule_names', 'distinct rule and function names'),
  n('deny_rules', 'definitions of the deny rule'),
  n('helper_rules', 'rule definitions that are neither deny nor functions'),
  n('functions', 'function definitions (rules with arguments)'),
  n('default_rules', 'default rules'),
  n('else_branches', 'else branches'),
  n('expressions', 'expressions in rule bodies, comprehensions and every'),
  n('max_nesting_depth', 'deepest nesting of bodies and composite terms'),
  n('comprehensions', 'array, set and object comprehensions'),
  n('max_comprehension_depth', 'deepest nesting of comprehensions'),
  n('iterations_wildcard', 'wildcard iterations `[_]` in references'),
  n('some_decls', '`some` declarations'),
  n('some_in', '`some … in …` iterations'),
  n('every_exprs', '`every` expressions'),
  n('negations', 'negated expressions (`not`)'),
  n('with_modifiers', '`with` modifiers'),
  n('regex_calls', 'calls of regex.*'),
  n('glob_calls', 'calls of glob.*'),
  n('walk_calls', 'calls of walk'),
  n('json_yaml_calls', 'calls of json.* and yaml.*'),
  n('string_calls', 'calls of string built-ins (sprintf, concat, startswith, split, strings.*, …)'),
  n('aggregate_calls', 'calls of aggregates (count, sum, max, min, sort, …)'),
  n('forbidden_calls', 'calls the corpus forbids (http.send, net.*, opa.runtime, time.*, rand.*)'),
  n('function_calls', 'calls of functions defined in the module'),
  n('library_calls', 'calls through imports (e.g. k8s.param)'),
  n('operator_calls', 'comparisons, arithmetic, assignment, unification and membership (`in`)'),
  n('calls_total', 'calls other than operators and `some … in`'),
  n('refs', 'references'),
  n('refs_to_input', 'references rooted at input'),
  n('refs_to_inventory', "references to data.inventory, including the library's inventory helpers"),
  n('refs_to_params', "references to data.kpc.params, including the library's param helper"),
  n(
    'refs_to_containers',
    "references to the library's container lists (k8s.containers, k8s.long_running_containers): work that grows with the containers",
  ),
  n('refs_to_pod_spec', "references to the library's pod spec (k8s.pod_spec): pod-level checks"),
  n('imports', 'import statements'),
  n('literals', 'string, number, boolean and null terms'),
  n('comments', 'comment lines'),
  n('lines_of_code', 'non-blank, non-comment source lines (from the source, else the last located row)'),
] satisfies DescribedFeature[]);

const OPERATORS = new Set([
  'assign',
  'eq',
  'equal',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'plus',
  'minus',
  'mul',
  'div',
  'rem',
  'and',
  'or',
  'internal.member_2',
  'internal.member_3',
]);
const STRING_BUILTINS = new Set([
  'sprintf',
  'concat',
  'contains',
  'startswith',
  'endswith',
  'split',
  'substring',
  'trim',
  'trim_left',
  'trim_right',
  'trim_prefix',
  'trim_suffix',
  'trim_space',
  'lower',
  'upper',
  'indexof',
  'indexof_n',
  'replace',
  'format_int',
]);
const AGGREGATES = new Set(['count', 'sum', 'product', 'max', 'min', 'sort', 'all', 'any']);
/** every helper of the library that reads data.inventory is named inventory_* */
const isInventoryHelper = (name: string) => name.startsWith('data.kpc.lib.k8s.inventory_');
/** the checked-container helpers walk the container lists and read the policy's exempt_images parameter */
const CHECKED_CONTAINERS = ['data.kpc.lib.k8s.checked_containers', 'data.kpc.lib.k8s.checked_long_running_containers'];
const PARAM_HELPERS = new Set(['data.kpc.lib.k8s.param', 'data.kpc.lib.k8s.image_exempt', ...CHECKED_CONTAINERS]);
const CONTAINER_LISTS = new Set(['data.kpc.lib.k8s.containers', 'data.kpc.lib.k8s.long_running_containers']);

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The dotted name of a ref whose elements are a var followed by strings (`regex.match`), else undefined. */
function refName(term: unknown): string | undefined {
  if (!isObj(term) || term.type !== 'ref') return undefined;
  const parts: string[] = [];
  for (const element of arr(term.value)) {
    const string = isObj(element) && typeof element.value === 'string' ? element.value : undefined;
    if (parts.length === 0 && (string === undefined || !isObj(element) || element.type !== 'var')) return undefined;
    // the name ends at the first element that is not a plain string (`input.a[x]` → `input.a`)
    if (parts.length > 0 && (string === undefined || !isObj(element) || element.type !== 'string')) break;
    if (string !== undefined) parts.push(string);
  }
  return parts.length > 0 ? parts.join('.') : undefined;
}

function countCodeLines(source: string): number {
  return source.split('\n').filter((line) => {
    const text = line.trim();
    return text !== '' && !text.startsWith('#');
  }).length;
}

class Walker {
  readonly f: RegoFeatures = Object.fromEntries(REGO_FEATURES.map((s) => [s.name, 0]));
  /** import alias → the full path it stands for (`k8s` → `data.kpc.lib.k8s`) */
  readonly aliases = new Map<string, string>();
  readonly functionNames = new Set<string>();
  maxRow = 0;
  private comprehensionDepth = 0;

  private depth(d: number): void {
    if (d > (this.f.max_nesting_depth ?? 0)) this.f.max_nesting_depth = d;
  }

  private add(name: string, by = 1): void {
    this.f[name] = (this.f[name] ?? 0) + by;
  }

  private located(node: Obj): void {
    const row = isObj(node.location) ? node.location.row : undefined;
    if (typeof row === 'number' && row > this.maxRow) this.maxRow = row;
  }

  /** The full path of a dotted name, with its first segment resolved through the imports. */
  private resolve(name: string): string {
    const [head, ...rest] = name.split('.');
    const base = head === undefined ? undefined : this.aliases.get(head);
    return base === undefined ? name : [base, ...rest].join('.');
  }

  module(ast: Obj): void {
    for (const imp of arr(ast.imports)) {
      if (!isObj(imp)) continue;
      this.add('imports');
      this.located(imp);
      const target = refName(imp.path);
      if (target === undefined) continue;
      const alias = typeof imp.alias === 'string' && imp.alias !== '' ? imp.alias : target.split('.').pop();
      if (alias !== undefined && (target.startsWith('data.') || target.startsWith('input.'))) this.aliases.set(alias, target);
    }
    const rules = arr(ast.rules).filter(isObj);
    const names = new Set<string>();
    for (const rule of rules) {
      const head = isObj(rule.head) ? rule.head : {};
      const name = typeof head.name === 'string' ? head.name : refName({ type: 'ref', value: head.ref });
      if (name !== undefined) names.add(name);
      if (arr(head.args).length > 0 && name !== undefined) this.functionNames.add(name);
    }
    this.f.distinct_rule_names = names.size;
    for (const rule of rules) {
      this.add('rules');
      const head = isObj(rule.head) ? rule.head : {};
      const name = typeof head.name === 'string' ? head.name : refName({ type: 'ref', value: head.ref });
      if (name === 'deny') this.add('deny_rules');
      else if (arr(head.args).length > 0) this.add('functions');
      else this.add('helper_rules');
      if (rule.default === true) this.add('default_rules');
      this.rule(rule);
    }
    this.f.comments = arr(ast.comments).length;
    for (const comment of arr(ast.comments)) {
      if (isObj(comment) && isObj(comment.Location) && typeof comment.Location.row === 'number')
        this.maxRow = Math.max(this.maxRow, comment.Location.row);
    }
  }

  private rule(rule: Obj): void {
    this.add('ast_nodes');
    this.located(rule);
    const head = isObj(rule.head) ? rule.head : {};
    for (const arg of arr(head.args)) this.term(arg, 1);
    if (head.key !== undefined) this.term(head.key, 1);
    if (head.value !== undefined) this.term(head.value, 1);
    // the first element of the head's ref is the rule's own name
    for (const element of arr(head.ref).slice(1)) this.term(element, 1);
    this.body(rule.body, 1);
    if (isObj(rule.else)) {
      this.add('else_branches');
      this.rule(rule.else);
    }
  }

  private body(body: unknown, d: number): void {
    const exprs = arr(body);
    if (exprs.length === 0) return;
    this.depth(d);
    for (const expr of exprs) this.expr(expr, d);
  }

  private expr(expr: unknown, d: number): void {
    if (!isObj(expr)) return;
    // `default` rules and rules without a body get a generated `true` body
    if (expr.generated === true) return;
    this.add('ast_nodes');
    this.add('expressions');
    this.located(expr);
    if (expr.negated === true) this.add('negations');
    for (const w of arr(expr.with)) {
      this.add('with_modifiers');
      if (isObj(w)) {
        this.term(w.target, d + 1);
        this.term(w.value, d + 1);
      }
    }
    const terms = expr.terms;
    if (Array.isArray(terms)) {
      this.call(terms, d);
    } else if (isObj(terms) && Array.isArray(terms.symbols)) {
      this.add('some_decls');
      for (const symbol of terms.symbols) {
        // `some x in xs` declares through internal.member_2/3; a bare `x in xs` elsewhere is a membership test
        if (isObj(symbol) && symbol.type === 'call' && refName(arr(symbol.value)[0])?.startsWith('internal.member_')) this.add('some_in');
        this.term(symbol, d + 1);
      }
    } else if (isObj(terms) && 'domain' in terms && 'body' in terms) {
      this.add('every_exprs');
      this.term(terms.key, d + 1);
      this.term(terms.value, d + 1);
      this.term(terms.domain, d + 1);
      this.body(terms.body, d + 1);
    } else {
      this.term(terms, d);
    }
  }

  /** A call: `[operator ref, ...operands]`, as an expression's terms or a call term's value. */
  private call(parts: unknown[], d: number): void {
    const [operator, ...operands] = parts;
    const name = refName(operator);
    if (name !== undefined) this.classifyCall(name);
    else this.term(operator, d + 1);
    if (isObj(operator)) this.add('ast_nodes');
    for (const operand of operands) this.term(operand, d + 1);
  }

  private classifyCall(name: string): void {
    if (OPERATORS.has(name)) {
      this.add('operator_calls');
      return;
    }
    this.add('calls_total');
    const full = this.resolve(name);
    const family = name.split('.')[0] ?? '';
    if (family === 'regex') this.add('regex_calls');
    else if (family === 'glob') this.add('glob_calls');
    else if (name === 'walk') this.add('walk_calls');
    else if (family === 'json' || family === 'yaml') this.add('json_yaml_calls');
    else if (family === 'strings' || STRING_BUILTINS.has(name)) this.add('string_calls');
    else if (AGGREGATES.has(name)) this.add('aggregate_calls');
    if (name === 'http.send' || name === 'opa.runtime' || family === 'net' || family === 'time' || family === 'rand')
      this.add('forbidden_calls');
    if (this.functionNames.has(name)) this.add('function_calls');
    else if (full !== name) this.add('library_calls');
    if (isInventoryHelper(full)) this.add('refs_to_inventory');
    if (PARAM_HELPERS.has(full)) this.add('refs_to_params');
    if (CHECKED_CONTAINERS.includes(full)) this.add('refs_to_containers');
  }

  private term(term: unknown, d: number): void {
    if (!isObj(term)) return;
    this.add('ast_nodes');
    this.located(term);
    this.depth(d);
    const value = term.value;
    switch (term.type) {
      case 'string':
      case 'number':
      case 'boolean':
      case 'null':
        this.add('literals');
        return;
      case 'var':
        return;
      case 'ref':
        this.ref(arr(value), d);
        return;
      case 'call':
        this.call(arr(value), d);
        return;
      case 'array':
      case 'set':
        for (const element of arr(value)) this.term(element, d + 1);
        return;
      case 'object':
        for (const pair of arr(value)) for (const part of arr(pair)) this.term(part, d + 1);
        return;
      case 'arraycomprehension':
      case 'setcomprehension':
      case 'objectcomprehension': {
        if (!isObj(value)) return;
        this.add('comprehensions');
        this.comprehensionDepth++;
        if (this.comprehensionDepth > (this.f.max_comprehension_depth ?? 0)) this.f.max_comprehension_depth = this.comprehensionDepth;
        this.term(value.term, d + 1);
        this.term(value.key, d + 1);
        this.term(value.value, d + 1);
        this.body(value.body, d + 1);
        this.comprehensionDepth--;
        return;
      }
      default:
        return;
    }
  }

  private ref(elements: unknown[], d: number): void {
    this.add('refs');
    const name = refName({ type: 'ref', value: elements });
    const full = name === undefined ? undefined : this.resolve(name);
    if (full !== undefined) {
      if (full === 'input' || full.startsWith('input.')) this.add('refs_to_input');
      if (full === 'data.inventory' || full.startsWith('data.inventory.')) this.add('refs_to_inventory');
      if (full === 'data.kpc.params' || full.startsWith('data.kpc.params.')) this.add('refs_to_params');
      if (CONTAINER_LISTS.has(full) || [...CONTAINER_LISTS].some((c) => full.startsWith(`${c}[`) || full.startsWith(`${c}.`)))
        this.add('refs_to_containers');
      if (full === 'data.kpc.lib.k8s.pod_spec' || full.startsWith('data.kpc.lib.k8s.pod_spec.')) this.add('refs_to_pod_spec');
    }
    elements.forEach((element, i) => {
      if (!isObj(element)) return;
      if (i > 0 && element.type === 'var' && typeof element.value === 'string' && element.value.startsWith('$'))
        this.add('iterations_wildcard');
      this.term(element, d + 1);
    });
  }
}

/**
 * The features of one module's AST (the JSON of `opa parse --format json`). Pure and total: any
 * value gives every feature of REGO_FEATURES. `source`, when given, is the file's text for
 * lines_of_code; without it the last row of a located AST (`--json-include locations`) is used.
 */
export function extractRegoFeatures(ast: unknown, source?: string): RegoFeatures {
  const walker = new Walker();
  if (isObj(ast)) {
    try {
      walker.module(ast);
    } catch {
      // an AST shape nobody anticipated: keep the counts so far
    }
  }
  walker.f.lines_of_code = source !== undefined ? countCodeLines(source) : walker.maxRow;
  return walker.f;
}

/** Parses a Rego file with the configured `opa` and returns its features. */
export async function regoFeaturesOfFile(config: Pick<Config, 'opa'>, file: string): Promise<RegoFeatures> {
  const [parsed, source] = await Promise.all([opaParse({ opa: config.opa, path: file }), readFile(file, 'utf8')]);
  return extractRegoFeatures(parsed.ast, source);
}
