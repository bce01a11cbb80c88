/**
 * Rego values as the host sees them: parsed from `opa_value_dump` text (Rego syntax: sets stay sets,
 * numbers keep their literal text), compared with OPA's ordering (ast.Compare) and printed the way
 * Go's ast.Value String() prints them (sorted objects and sets, strconv.Quote'd strings, `set()`).
 */
import { compareCodePoints, goQuote } from './go-quote';

export type RegoValue =
  | { t: 'null' }
  | { t: 'boolean'; v: boolean }
  | { t: 'number'; text: string }
  | { t: 'string'; v: string }
  | { t: 'array'; items: RegoValue[] }
  | { t: 'set'; items: RegoValue[] }
  | { t: 'object'; entries: [RegoValue, RegoValue][] };

export class RegoValueSyntaxError extends Error {
  constructor(text: string, at: number, what: string) {
    super(`cannot read the Rego value dump at offset ${at}: ${what} (…${text.slice(Math.max(0, at - 20), at + 20)}…)`);
    this.name = 'RegoValueSyntaxError';
  }
}

/** Parses the text `opa_value_dump` writes: JSON plus sets (`{1, 2}`, `set()`). */
export function parseRegoValue(text: string): RegoValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new RegoValueSyntaxError(text, i, what);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const expect = (char: string) => {
    space();
    if (text[i] !== char) fail(`expected "${char}"`);
    i++;
  };
  const word = (w: string) => text.startsWith(w, i) && !/[A-Za-z0-9_]/.test(text[i + w.length] ?? '');
  const list = (close: string): RegoValue[] => {
    const items: RegoValue[] = [];
    space();
    if (text[i] === close) {
      i++;
      return items;
    }
    for (;;) {
      items.push(value());
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      expect(close);
      return items;
    }
  };
  const value = (): RegoValue => {
    space();
    const c = text[i];
    if (c === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) fail('unterminated string');
      i++;
      return { t: 'string', v: JSON.parse(text.slice(start, i)) as string };
    }
    if (c === '[') {
      i++;
      return { t: 'array', items: list(']') };
    }
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') {
        i++;
        return { t: 'object', entries: [] };
      }
      const first = value();
      space();
      if (text[i] !== ':') {
        let rest: RegoValue[] = [];
        if (text[i] === '}') i++;
        else {
          expect(',');
          rest = list('}');
        }
        return { t: 'set', items: [first, ...rest] };
      }
      const entries: [RegoValue, RegoValue][] = [];
      let key = first;
      for (;;) {
        expect(':');
        entries.push([key, value()]);
        space();
        if (text[i] === '}') {
          i++;
          return { t: 'object', entries };
        }
        expect(',');
        key = value();
      }
    }
    if (word('set()')) {
      i += 5;
      return { t: 'set', items: [] };
    }
    if (word('null')) {
      i += 4;
      return { t: 'null' };
    }
    if (word('true') || word('false')) {
      const v = word('true');
      i += v ? 4 : 5;
      return { t: 'boolean', v };
    }
    const match = /^-?[0-9][0-9.eE+-]*/.exec(text.slice(i, i + 400));
    if (!match) return fail('expected a value');
    i += match[0].length;
    return { t: 'number', text: match[0] };
  };
  const result = value();
  space();
  if (i !== text.length) fail('unexpected text after the value');
  return result;
}

/** The value as plain JSON (sets become arrays, as opa_json_dump does). */
export function toJson(value: RegoValue): unknown {
  switch (value.t) {
    case 'null':
      return null;
    case 'boolean':
    case 'string':
      return value.v;
    case 'number':
      return Number(value.text);
    case 'array':
    case 'set':
      return value.items.map(toJson);
    case 'object':
      return Object.fromEntries(value.entries.map(([k, v]) => [k.t === 'string' ? k.v : goString(k), toJson(v)]));
  }
}

const TYPE_ORDER: Record<RegoValue['t'], number> = { null: 0, boolean: 1, number: 2, string: 3, array: 6, object: 7, set: 8 };
const INTEGER = /^-?[0-9]+$/;

function compareNumbers(a: string, b: string): number {
  if (INTEGER.test(a) && INTEGER.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareLists(a: readonly RegoValue[], b: readonly RegoValue[]): number {
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    const c = compareRego(a[k] as RegoValue, b[k] as RegoValue);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

const sortedItems = (items: readonly RegoValue[]) => [...items].sort(compareRego);
const sortedEntries = (entries: readonly [RegoValue, RegoValue][]) => [...entries].sort((x, y) => compareRego(x[0], y[0]));

/** OPA's total order of values (ast.Compare). */
export function compareRego(a: RegoValue, b: RegoValue): number {
  if (a.t !== b.t) return TYPE_ORDER[a.t] - TYPE_ORDER[b.t];
  switch (a.t) {
    case 'null':
      return 0;
    case 'boolean':
      return Number(a.v) - Number((b as typeof a).v);
    case 'number':
      return compareNumbers(a.text, (b as typeof a).text);
    case 'string':
      return compareCodePoints(a.v, (b as typeof a).v);
    case 'array':
      return compareLists(a.items, (b as typeof a).items);
    case 'set':
      return compareLists(sortedItems(a.items), sortedItems((b as typeof a).items));
    case 'object': {
      const x = sortedEntries(a.entries);
      const y = sortedEntries((b as typeof a).entries);
      for (let k = 0; k < Math.min(x.length, y.length); k++) {
        const [ka, va] = x[k] as [RegoValue, RegoValue];
        const [kb, vb] = y[k] as [RegoValue, RegoValue];
        const c = compareRego(ka, kb) || compareRego(va, vb);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
  }
}

/** null, booleans and numbers as both Rego and JSON write them, strings quoted by `quote`; undefined for the rest. */
export function scalarText(value: RegoValue, quote: (text: string) => string): string | undefined {
  if (value.t === 'null') return 'null';
  if (value.t === 'boolean') return value.v ? 'true' : 'false';
  if (value.t === 'number') return value.text;
  if (value.t === 'string') return quote(value.v);
  return undefined;
}

/** Go's ast.Value String(): what sprintf prints for any argument that is not a number or a string. */
export function goString(value: RegoValue): string {
  const scalar = scalarText(value, goQuote);
  if (scalar !== undefined) return scalar;
  if (value.t === 'array') return `[${value.items.map(goString).join(', ')}]`;
  if (value.t === 'set') return value.items.length === 0 ? 'set()' : `{${sortedItems(value.items).map(goString).join(', ')}}`;
  if (value.t !== 'object') return '';
  return `{${sortedEntries(value.entries)
    .map(([k, v]) => `${goString(k)}: ${goString(v)}`)
    .join(', ')}}`;
}
