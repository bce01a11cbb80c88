/**
 * The built-ins our wasm host implements (OPA's wasm calls back into the host for every built-in
 * that is not native to it). A module needing any other one is refused when it is compiled, naming
 * the built-in: never a failure in the middle of an evaluation.
 *
 * Each implementation gets its arguments through BuiltinArgs (JSON, or the Rego value with sets
 * kept) and returns the result as JSON text, or undefined where OPA raises an error: like `opa eval`
 * (without --strict-builtin-errors) the call is then undefined.
 */
import { type GoArg, goSprintf } from './go-fmt';
import { goJsonMarshal, HOST_JSON_MARSHAL } from './go-json';
import { anyPrefixMatch, anySuffixMatch, indexOfN, rangeStep, semverCompare, semverIsValid, stringsCount } from './misc';
import { regexFindN, regexReplace, regexSplit } from './regex';
import { goString, parseRegoValue, type RegoValue } from './rego-value';
import { unitsParse, unitsParseBytes } from './units';

export interface BuiltinArgs {
  readonly count: number;
  /** the argument as JSON (opa_json_dump: sets become arrays) */
  json(index: number): unknown;
  /** the argument in Rego syntax (opa_value_dump: sets stay sets, numbers keep their text) */
  regoText(index: number): string;
}

export type HostBuiltin = (args: BuiltinArgs) => string | undefined;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** How OPA's sprintf hands a Rego value to Go's fmt (topdown/strings.go builtinSprintf). */
export function goArgOf(value: RegoValue): GoArg {
  if (value.t === 'string') return { t: 'string', v: value.v };
  if (value.t !== 'number') return { t: 'string', v: goString(value) };
  const text = value.text;
  if (/^[+-]?[0-9]+$/.test(text)) {
    const v = BigInt(text);
    return v >= INT64_MIN && v <= INT64_MAX ? { t: 'int64', v } : { t: 'bigint', v };
  }
  const f = Number(text);
  return Number.isFinite(f) ? { t: 'float64', v: f } : { t: 'string', v: text };
}

/** sprintf(format, values) as OPA computes it. */
export function regoSprintf(format: string, values: RegoValue): string | undefined {
  if (values.t !== 'array') return undefined;
  const args = values.items.map(goArgOf);
  return goSprintf(format, args);
}

const sprintfCache = new Map<string, string | undefined>();

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));

export const HOST_BUILTINS: Readonly<Record<string, HostBuiltin>> = {
  sprintf: (a) => {
    const format = str(a.json(0));
    if (format === undefined) return undefined;
    const text = a.regoText(1);
    const key = `${format}\u0000${text}`;
    if (sprintfCache.has(key)) return sprintfCache.get(key);
    const result = json(regoSprintf(format, parseRegoValue(text)));
    if (sprintfCache.size > 20_000) sprintfCache.clear();
    sprintfCache.set(key, result);
    return result;
  },
  'units.parse': (a) => {
    const s = str(a.json(0));
    return s === undefined ? undefined : unitsParse(s);
  },
  'units.parse_bytes': (a) => {
    const s = str(a.json(0));
    return s === undefined ? undefined : unitsParseBytes(s);
  },
  'regex.replace': (a) => {
    const [s, pattern, value] = [str(a.json(0)), str(a.json(1)), str(a.json(2))];
    return s === undefined || pattern === undefined || value === undefined ? undefined : json(regexReplace(s, pattern, value));
  },
  'regex.split': (a) => {
    const [pattern, s] = [str(a.json(0)), str(a.json(1))];
    return pattern === undefined || s === undefined ? undefined : json(regexSplit(pattern, s));
  },
  'regex.find_n': (a) => {
    const [pattern, s, n] = [str(a.json(0)), str(a.json(1)), a.json(2)];
    if (pattern === undefined || s === undefined || typeof n !== 'number' || !Number.isInteger(n)) return undefined;
    return json(regexFindN(pattern, s, n));
  },
  'strings.any_prefix_match': (a) => json(anyPrefixMatch(a.json(0), a.json(1))),
  'strings.any_suffix_match': (a) => json(anySuffixMatch(a.json(0), a.json(1))),
  'strings.count': (a) => json(stringsCount(a.json(0), a.json(1))),
  indexof_n: (a) => json(indexOfN(a.json(0), a.json(1))),
  'semver.is_valid': (a) => json(semverIsValid(a.json(0))),
  'semver.compare': (a) => json(semverCompare(a.json(0), a.json(1))),
  'numbers.range_step': (a) => json(rangeStep(a.json(0), a.json(1), a.json(2))),
  /** json.marshal, compiled to this name by the engine (OPA's native one differs from opa eval) */
  [HOST_JSON_MARSHAL]: (a) => {
    const text = goJsonMarshal(parseRegoValue(a.regoText(0)));
    return text === undefined ? undefined : JSON.stringify(text);
  },
};

/** Host built-ins that are not OPA's: declared to `opa build` in the capabilities (name → declaration). */
export const CUSTOM_BUILTINS = [
  { name: HOST_JSON_MARSHAL, decl: { type: 'function', args: [{ type: 'any' }], result: { type: 'string' } } },
];

/** Host built-ins a module needs that we do not implement. */
export function missingBuiltins(needed: readonly string[]): string[] {
  return needed.filter((name) => !Object.hasOwn(HOST_BUILTINS, name)).sort();
}
