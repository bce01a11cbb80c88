/**
 * Smaller host built-ins with OPA's Go semantics: strings.any_prefix_match, strings.any_suffix_match,
 * strings.count, indexof_n, semver.is_valid, semver.compare, numbers.range_step. Each returns the
 * result value, or undefined where OPA raises an error (the call is then undefined).
 */

/** A string, or an array/set (dumped as an array) of strings, as a list; undefined otherwise. */
export function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

export function anyPrefixMatch(search: unknown, base: unknown): boolean | undefined {
  const strings = stringList(search);
  const prefixes = stringList(base);
  if (!strings || !prefixes) return undefined;
  return strings.some((s) => prefixes.some((p) => s.startsWith(p)));
}

export function anySuffixMatch(search: unknown, base: unknown): boolean | undefined {
  const strings = stringList(search);
  const suffixes = stringList(base);
  if (!strings || !suffixes) return undefined;
  return strings.some((s) => suffixes.some((p) => s.endsWith(p)));
}

/** Go's strings.Count: non-overlapping occurrences; an empty substring counts runes + 1. */
export function stringsCount(s: unknown, sub: unknown): number | undefined {
  if (typeof s !== 'string' || typeof sub !== 'string') return undefined;
  if (sub === '') return [...s].length + 1;
  let n = 0;
  for (let i = s.indexOf(sub); i !== -1; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** indexof_n: every (overlapping) occurrence, as rune indexes. */
export function indexOfN(base: unknown, search: unknown): number[] | undefined {
  if (typeof base !== 'string' || typeof search !== 'string' || search === '') return undefined;
  const runes = [...base];
  const needle = [...search];
  const out: number[] = [];
  for (let i = 0; i + needle.length <= runes.length; i++) {
    if (needle.every((r, k) => runes[i + k] === r)) out.push(i);
  }
  return out;
}

interface SemVer {
  parts: [bigint, bigint, bigint];
  pre: string;
}

const INT64_MAX = (1n << 63n) - 1n;
const NUMERIC = '0|[1-9][0-9]*';
const PRE_ID = `(?:${NUMERIC}|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)`;
const SEMVER = new RegExp(
  `^(${NUMERIC})\\.(${NUMERIC})\\.(${NUMERIC})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$`,
);

/** SemVer 2.0 with an optional leading "v", and int64 major/minor/patch, as OPA 1.x accepts. */
function parseSemVer(text: string): SemVer | undefined {
  const match = SEMVER.exec(text.startsWith('v') ? text.slice(1) : text);
  if (!match) return undefined;
  const parts = [match[1], match[2], match[3]].map((p) => BigInt(p as string));
  if (parts.some((p) => p > INT64_MAX)) return undefined;
  return { parts: parts as [bigint, bigint, bigint], pre: match[4] ?? '' };
}

export const semverIsValid = (v: unknown): boolean => typeof v === 'string' && parseSemVer(v) !== undefined;

const allDecimals = (s: string) => /^[0-9]+$/.test(s);

/** Pre-release precedence (semver.org item 11): numeric < alphanumeric, then field by field. */
function comparePreRelease(a: string[], b: string[]): number {
  for (let k = 0; ; k++) {
    const x = a[k];
    const y = b[k];
    if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : -1) : 1;
    const xi = allDecimals(x);
    const yi = allDecimals(y);
    if (xi !== yi) return xi ? -1 : 1;
    if (xi) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d > 0n ? 1 : -1;
    } else if (x !== y) return x > y ? 1 : -1;
  }
}

export function semverCompare(a: unknown, b: unknown): number | undefined {
  if (typeof a !== 'string' || typeof b !== 'string') return undefined;
  const x = parseSemVer(a);
  const y = parseSemVer(b);
  if (!x || !y) return undefined;
  for (let k = 0; k < 3; k++) {
    const p = x.parts[k] as bigint;
    const q = y.parts[k] as bigint;
    if (p !== q) return p > q ? 1 : -1;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === '') return 1;
  if (y.pre === '') return -1;
  return comparePreRelease(x.pre.split('.'), y.pre.split('.'));
}

/** numbers.range_step(a, b, step): integers from a towards b (inclusive) by a positive step. */
export function rangeStep(a: unknown, b: unknown, step: unknown): number[] | undefined {
  if (![a, b, step].every((v) => typeof v === 'number' && Number.isInteger(v))) return undefined;
  const [from, to, by] = [a, b, step] as number[];
  if ((by as number) <= 0) return undefined;
  const out: number[] = [];
  if ((from as number) <= (to as number)) for (let v = from as number; v <= (to as number); v += by as number) out.push(v);
  else for (let v = from as number; v >= (to as number); v -= by as number) out.push(v);
  return out;
}
