/** Rego features of a hand-written AST (the shapes `opa parse --format json` prints). */
import { describe, expect, it } from 'vitest';
import { extractRegoFeatures, REGO_FEATURES } from '../../activities/features';

describe('Rego features of a hand-written AST', () => {
  const v = (name: string) => ({ type: 'var', value: name });
  const s = (text: string) => ({ type: 'string', value: text });
  const ref = (...parts: object[]) => ({ type: 'ref', value: parts });
  const op = (name: string) => ref(...name.split('.').map((p, i) => (i === 0 ? v(p) : s(p))));
  const call = (name: string, ...args: object[]) => ({ type: 'call', value: [op(name), ...args] });
  const expr = (index: number, terms: unknown, extra: object = {}) => ({ index, terms, ...extra });

  // package p
  // import data.kpc.lib.k8s
  // default allow := false
  // has_label(x) if { regex.match("^a", x) }
  // deny contains msg if {
  //   some c in input.containers
  //   x := input.items[_].name
  //   not has_label(x)
  //   names := [n | some n in c.names; s := {m | m := data.inventory.ns[_]}]
  //   every k in names { count(k) > 0 }
  //   k8s.param("p", "k", 1) == 1
  //   msg := sprintf("%v", [x])
  // }
  const ast = {
    package: { path: [v('data'), s('p')] },
    imports: [{ path: op('data.kpc.lib.k8s') }],
    rules: [
      {
        default: true,
        head: { name: 'allow', value: { type: 'boolean', value: false }, ref: [v('allow')] },
        body: [expr(0, { type: 'boolean', value: true }, { generated: true })],
      },
      { head: { name: 'has_label', args: [v('x')], ref: [v('has_label')] }, body: [expr(0, [op('regex.match'), s('^a'), v('x')])] },
      {
        head: { name: 'deny', key: v('msg'), ref: [v('deny')] },
        body: [
          expr(0, { symbols: [call('internal.member_2', v('c'), ref(v('input'), s('containers')))] }),
          expr(1, [op('assign'), v('x'), ref(v('input'), s('items'), v('$0'), s('name'))]),
          expr(2, [op('has_label'), v('x')], { negated: true }),
          expr(3, [
            op('assign'),
            v('names'),
            {
              type: 'arraycomprehension',
              value: {
                term: v('n'),
                body: [
                  expr(0, { symbols: [call('internal.member_2', v('n'), ref(v('c'), s('names')))] }),
                  expr(1, [
                    op('assign'),
                    v('s'),
                    {
                      type: 'setcomprehension',
                      value: { term: v('m'), body: [expr(0, [op('assign'), v('m'), ref(v('data'), s('inventory'), s('ns'), v('$1'))])] },
                    },
                  ]),
                ],
              },
            },
          ]),
          expr(4, {
            key: null,
            value: v('k'),
            domain: v('names'),
            body: [expr(0, [op('gt'), call('count', v('k')), { type: 'number', value: 0 }])],
          }),
          expr(5, [op('equal'), call('k8s.param', s('p'), s('k'), { type: 'number', value: 1 }), { type: 'number', value: 1 }]),
          expr(6, [op('assign'), v('msg'), call('sprintf', s('%v'), { type: 'array', value: [v('x')] })]),
        ],
      },
    ],
    comments: [{ Text: 'IGE=', Location: { row: 1, col: 1 } }],
  };

  it('counts rules, iteration, comprehensions, calls and data references', () => {
    const f = extractRegoFeatures(ast, 'package p\n\n# a comment\nimport data.kpc.lib.k8s\n');
    expect(Object.keys(f)).toEqual(REGO_FEATURES.map((spec) => spec.name));
    expect(f).toMatchObject({
      rules: 3,
      distinct_rule_names: 3,
      deny_rules: 1,
      functions: 1,
      helper_rules: 1,
      default_rules: 1,
      imports: 1,
      some_decls: 2,
      some_in: 2,
      every_exprs: 1,
      negations: 1,
      comprehensions: 2,
      max_comprehension_depth: 2,
      iterations_wildcard: 2,
      regex_calls: 1,
      aggregate_calls: 1,
      string_calls: 1,
      function_calls: 1,
      library_calls: 1,
      refs_to_inventory: 1,
      refs_to_params: 1,
      refs_to_input: 2,
      comments: 1,
      lines_of_code: 2,
    });
    // regex.match, has_label, count, k8s.param, sprintf
    expect(f.calls_total).toBe(5);
    expect(f.max_nesting_depth).toBeGreaterThanOrEqual(5);
    expect(f.ast_nodes).toBeGreaterThan(40);
  });

  it('is total: any value gives every feature', () => {
    for (const input of [null, 42, 'x', [], {}, { rules: 'x' }, { rules: [null, { head: 3, body: 'b' }] }]) {
      const f = extractRegoFeatures(input);
      expect(Object.keys(f)).toEqual(REGO_FEATURES.map((spec) => spec.name));
      for (const x of Object.values(f)) expect(Number.isFinite(x)).toBe(true);
    }
  });
});
