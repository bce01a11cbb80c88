/**
 * The other host built-ins (units.parse, units.parse_bytes, regex.replace/split/find_n, strings.*,
 * indexof_n, semver.*, numbers.range_step): every expected value below is what `opa eval` (OPA
 * 1.22.2) returned for the same call; undefined where OPA raised an error. Plus the pieces: Go
 * regex translation and iteration rules, units' exact arithmetic, the Rego value dump parser.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Go replacement templates (${1}) in the recorded cases
import { describe, expect, it } from 'vitest';
import { HOST_BUILTINS, missingBuiltins } from '../../activities/engine/builtins';
import { goJsonMarshal, rewriteJsonMarshal } from '../../activities/engine/builtins/go-json';
import { expandTemplate, findAll, translateRegex } from '../../activities/engine/builtins/regex';
import { compareRego, goString, parseRegoValue, toJson } from '../../activities/engine/builtins/rego-value';
import { extractNumAndUnit, ratFloatString, unitsParse } from '../../activities/engine/builtins/units';

/** [built-in, arguments, what opa eval returned (undefined: an error)] */
const CASES: [string, unknown[], unknown][] = [
  ['units.parse', ['500m'], 0.5],
  ['units.parse', ['1000m'], 1.0],
  ['units.parse', ['1.5Gi'], 1610612736],
  ['units.parse', ['2k'], 2000],
  ['units.parse', ['2K'], 2000],
  ['units.parse', ['1e3'], 1000],
  ['units.parse', ['1E3m'], 1.0],
  ['units.parse', ['0.1m'], 0.0001],
  ['units.parse', ['3Mi'], 3145728],
  ['units.parse', ['3MI'], 3145728],
  ['units.parse', ['3mi'], 3145728],
  ['units.parse', ['5M'], 5000000],
  ['units.parse', ['10'], 10],
  ['units.parse', ['-5m'], -0.005],
  ['units.parse', ['.5'], 0.5],
  ['units.parse', ['5.'], 5],
  ['units.parse', ['1.2.3'], undefined],
  ['units.parse', ['abc'], undefined],
  ['units.parse', ['5 Gi'], undefined],
  ['units.parse', ['"5Gi"'], 5368709120],
  ['units.parse', ['1e'], 1000000000000000000],
  ['units.parse', ['1e+2'], 100],
  ['units.parse', ['1e-2m'], 1e-5],
  ['units.parse', ['7Ei'], { exact: '8070450532247928832' }],
  ['units.parse', ['100u'], undefined],
  ['units.parse', ['0'], 0],
  ['units.parse', ['12345678901234567890123'], { exact: '12345678901234567890123' }],
  ['units.parse', ['1/2'], undefined],
  ['units.parse', ['1e1234567'], undefined],
  ['units.parse', ['0.001'], 0.001],
  ['units.parse', ['3.14159265358979323846Ki'], 3216.9908772759],
  ['units.parse_bytes', ['1.1kb'], 1100],
  ['units.parse_bytes', ['1.1KB'], 1100],
  ['units.parse_bytes', ['5MiB'], 5242880],
  ['units.parse_bytes', ['5mib'], 5242880],
  ['units.parse_bytes', ['2.5gb'], 2500000000],
  ['units.parse_bytes', ['100'], 100],
  ['units.parse_bytes', ['0.1'], 0],
  ['units.parse_bytes', ['1e3kb'], 1000000],
  ['units.parse_bytes', ['1.123456789012345678901kb'], 1123],
  ['units.parse_bytes', ['12345678901234567890kib'], { exact: '12641975194864197519360' }],
  ['units.parse_bytes', ['-5kb'], -5000],
  ['units.parse_bytes', ['7xb'], undefined],
  ['units.parse_bytes', ['5 kb'], undefined],
  ['units.parse_bytes', ['"5kb"'], 5000],
  ['units.parse_bytes', ['3.3333333333333333333333333333mb'], 3333333],
  ['regex.replace', ['aaa bbb', 'a+', 'x'], 'x bbb'],
  ['regex.replace', ['baaac', 'a*', '-'], '-b-c-'],
  ['regex.replace', ['abc', 'x*', '-'], '-a-b-c-'],
  ['regex.replace', ['John Smith', '(\\w+) (\\w+)', '$2, $1'], 'Smith, John'],
  ['regex.replace', ['John Smith', '(\\w+) (\\w+)', '${2}x $1x $$'], 'Smithx  $'],
  ['regex.replace', ['a-b_c', '[^A-Za-z0-9]+', '_'], 'a_b_c'],
  ['regex.replace', ['fooBarBaz', '([a-z0-9])([A-Z])', '${1}_${2}'], 'foo_Bar_Baz'],
  ['regex.replace', ['x', '(', 'y'], undefined],
  ['regex.replace', ['héllo wörld', '.', '.'], '...........'],
  ['regex.replace', ['a\nb', '(?s).', 'x'], 'xxx'],
  ['regex.replace', ['a\nb', '(?m)^', '>'], '>a\n>b'],
  ['regex.replace', ['tab\there', '\\s', '_'], 'tab_here'],
  ['regex.replace', ['αβγ', '\\pL', 'L'], 'LLL'],
  ['regex.replace', ['abc', '(?P<first>a)', '[${first}]'], '[a]bc'],
  ['regex.replace', ['aaa', '(?i)A', 'b'], 'bbb'],
  ['regex.replace', ['a.b', '\\.', '!'], 'a!b'],
  ['regex.replace', ['x1y22', '[[:digit:]]+', '#'], 'x#y#'],
  ['regex.replace', ['a b', '\\s', '_'], 'a b'],
  ['regex.replace', ['line1\r\nline2', '(?m)$', '|'], 'line1\r|\nline2|'],
  ['regex.split', ['a,b,,c', ','], [',']],
  ['regex.split', ['', ','], [',']],
  ['regex.split', ['abc', ''], ['']],
  ['regex.split', ['a1b22c', '[0-9]+'], ['[0-9]+']],
  ['regex.split', ['xx', 'x*'], ['x*']],
  ['regex.split', [' a b ', ' '], [' ']],
  ['regex.find_n', ['a.', 'banana', -1], ['an', 'an']],
  ['regex.find_n', ['a.', 'banana', 2], ['an', 'an']],
  ['regex.find_n', ['x', 'banana', -1], []],
  ['regex.find_n', ['a*', 'baaac', -1], ['', 'aaa', '']],
  ['strings.any_prefix_match', ['abc', 'ab'], true],
  [
    'strings.any_prefix_match',
    [
      ['abc', 'x'],
      ['y', 'x'],
    ],
    true,
  ],
  ['strings.any_prefix_match', ['abc', []], false],
  ['strings.any_suffix_match', ['abc', 'bc'], true],
  [
    'strings.any_suffix_match',
    [
      ['abc', 'x'],
      ['y', 'z'],
    ],
    false,
  ],
  ['strings.count', ['cheese', 'e'], 3],
  ['strings.count', ['five', ''], 5],
  ['strings.count', ['aaaa', 'aa'], 2],
  ['indexof_n', ['dynamical', 'a'], [3, 7]],
  ['indexof_n', ['aaaa', 'aa'], [0, 1, 2]],
  ['indexof_n', ['héllo', 'l'], [2, 3]],
  ['semver.is_valid', ['1.2.3'], true],
  ['semver.is_valid', ['v1.2.3'], true],
  ['semver.is_valid', ['1.2'], false],
  ['semver.is_valid', ['1.2.3-beta.1+build.5'], true],
  ['semver.is_valid', ['01.2.3'], false],
  ['semver.is_valid', ['1.2.3-'], false],
  ['semver.is_valid', ['1.2.3+'], false],
  ['semver.is_valid', [5], false],
  ['semver.is_valid', ['1.2.3.4'], false],
  ['semver.is_valid', ['v01.2.3'], false],
  ['semver.is_valid', ['V1.2.3'], false],
  ['semver.is_valid', ['vv1.2.3'], false],
  ['semver.is_valid', ['1.2.3-beta.01'], false],
  ['semver.is_valid', ['1.2.3+01'], true],
  ['semver.is_valid', ['99999999999999999999.0.0'], false],
  ['semver.is_valid', ['1.2.3-a..b'], false],
  ['semver.is_valid', ['1.2.3-0a'], true],
  ['semver.is_valid', ['1.2.3-00a'], true],
  ['semver.is_valid', ['1.2.3--'], true],
  ['semver.is_valid', ['1.2.3-a+b+c'], false],
  ['semver.is_valid', [' 1.2.3'], false],
  ['semver.is_valid', ['1.2.3-x-y'], true],
  ['semver.compare', ['1.2.3', '1.2.4'], -1],
  ['semver.compare', ['1.2.3-alpha', '1.2.3'], -1],
  ['semver.compare', ['1.2.3-alpha.1', '1.2.3-alpha.beta'], -1],
  ['semver.compare', ['1.2.3-2', '1.2.3-10'], -1],
  ['semver.compare', ['1.0.0+x', '1.0.0+y'], 0],
  ['semver.compare', ['1.2.3-01', '1.2.3-1'], undefined],
  ['semver.compare', ['1.2.3-a.b', '1.2.3-a'], 1],
  ['semver.compare', ['9223372036854775807.0.0', '1.0.0'], 1],
  ['semver.compare', ['1.0.0-alpha', '1.0.0-alpha.1'], -1],
  ['semver.compare', ['1.0.0-beta.11', '1.0.0-beta.2'], 1],
  ['semver.compare', ['1.0.0-rc.1', '1.0.0-beta.11'], 1],
  ['numbers.range_step', [1, 10, 3], [1, 4, 7, 10]],
  ['numbers.range_step', [10, 1, 4], [10, 6, 2]],
  ['numbers.range_step', [1, 1, 1], [1]],
];

const call = (name: string, args: unknown[]) =>
  HOST_BUILTINS[name]?.({ count: args.length, json: (i) => args[i], regoText: (i) => JSON.stringify(args[i]) });

describe('host built-ins against recorded opa eval results', () => {
  it.each(CASES)('%s(%j)', (name, args, expected) => {
    const out = call(name, args);
    // numbers beyond 2^53 are compared as their exact text
    if (expected && typeof expected === 'object' && 'exact' in expected) expect(out).toBe(expected.exact);
    else expect(out === undefined ? undefined : JSON.parse(out)).toEqual(expected);
  });
});

describe('units', () => {
  it('splits number and unit as OPA does', () => {
    expect(extractNumAndUnit('1.5Gi')).toEqual({ num: '1.5', unit: 'Gi' });
    expect(extractNumAndUnit('1e3')).toEqual({ num: '1e3', unit: '' });
    expect(extractNumAndUnit('5E')).toEqual({ num: '5', unit: 'E' });
    expect(extractNumAndUnit('1e1234567')).toBeUndefined();
  });

  it('keeps the float64 milli factor OPA uses, printing 10 decimals when not whole', () => {
    expect(unitsParse('500m')).toBe('0.5000000000');
    expect(unitsParse('1000m')).toBe('1.0000000000');
    expect(unitsParse('1.5Gi')).toBe('1610612736');
    expect(ratFloatString({ num: -1n, den: 3n }, 4)).toBe('-0.3333');
    expect(ratFloatString({ num: 1n, den: 8n }, 2)).toBe('0.13');
  });
});

describe('Go regular expressions on JavaScript', () => {
  it('translates RE2 syntax', () => {
    expect(translateRegex('(?i)a.b').flags).toContain('i');
    expect(translateRegex('(?P<x>a)\\s').source).toBe('(?<x>a)[\\t\\n\\f\\r ]');
    expect(translateRegex('[[:digit:]]+').test('x42')).toBe(true);
    expect(translateRegex('\\Qa.b\\E').test('axb')).toBe(false);
    expect(() => translateRegex('(a)\\1')).toThrow(/back-references/);
    expect(() => translateRegex('a(?=b)')).toThrow(/look-around/);
  });

  it('skips an empty match right after the previous match, as Go does', () => {
    expect(findAll(translateRegex('a*'), 'baaac', -1).map((m) => [m.index, m[0]])).toEqual([
      [0, ''],
      [1, 'aaa'],
      [5, ''],
    ]);
  });

  it('expands templates the Go way ($1x is the group named 1x)', () => {
    const m = translateRegex('(?P<first>\\w+) (\\w+)').exec('John Smith') as RegExpExecArray;
    expect(expandTemplate('$2, $1', m)).toBe('Smith, John');
    expect(expandTemplate('$1x ${1}x $$ $first $', m)).toBe(' Johnx $ John $');
  });
});

describe('Rego values from opa_value_dump', () => {
  it('reads sets, objects and number texts', () => {
    const value = parseRegoValue('{"k": {3, 1}, "a": [1.50, set(), {}], "n": null, "t": true}');
    expect(goString(value)).toBe('{"a": [1.50, set(), {}], "k": {1, 3}, "n": null, "t": true}');
    expect(toJson(value)).toEqual({ k: [3, 1], a: [1.5, [], {}], n: null, t: true });
  });

  it('orders values as OPA does: null < boolean < number < string < array < object < set', () => {
    const values = ['{1}', '{"a": 1}', '[1]', '"b"', '"a"', '10', '9', 'true', 'false', 'null'].map(parseRegoValue);
    expect(values.sort(compareRego).map(goString)).toEqual(['null', 'false', 'true', '9', '10', '"a"', '"b"', '[1]', '{"a": 1}', '{1}']);
  });

  it('refuses text that is not a value', () => {
    expect(() => parseRegoValue('[1,')).toThrow(/cannot read the Rego value dump/);
  });
});

describe('the host built-in list', () => {
  it('names what a module needs and the host lacks', () => {
    expect(missingBuiltins(['sprintf', 'yaml.marshal', 'units.parse', 'http.send'])).toEqual(['http.send', 'yaml.marshal']);
  });
});

describe('json.marshal the Go way', () => {
  it('escapes HTML and line separators, sorts keys and set members, keeps number texts', () => {
    expect(goJsonMarshal(parseRegoValue('"a<b>&c\\u2028\\b"'))).toBe('"a\\u003cb\\u003e\\u0026c\\u2028\\b"');
    expect(goJsonMarshal(parseRegoValue('{"b": {3, 1}, "a": [1.50, 1e3, null], 2: true}'))).toBe(
      '{"2":true,"a":[1.50,1e3,null],"b":[1,3]}',
    );
  });

  it('compiles json.marshal calls to the host built-in, not text in strings or comments, keeping columns', () => {
    const source =
      'x := json.marshal(y) # json.marshal(z)\ns := "json.marshal(q)"\nt := json.marshal_with_options(y, {})\nu := a.json.marshal(y)';
    const rewritten = rewriteJsonMarshal(source);
    expect(rewritten).toBe(source.replace('x := json.marshal', 'x := kpcx.marshal'));
    expect(rewritten.length).toBe(source.length);
  });
});
