/**
 * Reading current and training values into distributions, shared by the reference (profiling)
 * and the comparison: columns of rows, right-closed bins, category counts and a numeric summary.
 *
 * Missing values: an absent key, null, undefined, NaN, ±Infinity, '' and anything that is not a
 * number, string or boolean. Numeric features also read numeric strings ("3.5") and booleans (1/0);
 * categorical features read numbers and booleans as their string form.
 */
import type { DataRow, NumericSummary } from './schemas';

/** A finite number (−0 read as 0, so JSON round-trips exactly), or undefined when missing/unusable. */
export function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return undefined;
    const parsed = Number(text);
    return Number.isFinite(parsed) ? parsed + 0 : undefined;
  }
  return undefined;
}

export function readCategory(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

export function checkRows(rows: unknown, what: string): asserts rows is readonly DataRow[] {
  if (!Array.isArray(rows)) throw new TypeError(`${what}: rows must be an array of objects`);
  for (let i = 0; i < rows.length; i++) {
    const row: unknown = rows[i];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new TypeError(`${what}: row ${i} is not an object`);
  }
}

export function column(rows: readonly DataRow[], name: string): unknown[] {
  return rows.map((row) => (Object.hasOwn(row, name) ? row[name] : undefined));
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the right-closed bin holding x: the first i with x ≤ cuts[i], or cuts.length. */
export function binIndex(cuts: readonly number[], x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cuts[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function binShares(values: readonly number[], cuts: readonly number[]): number[] {
  const counts = new Array<number>(cuts.length + 1).fill(0);
  for (const v of values) {
    const i = binIndex(cuts, v);
    counts[i] = (counts[i] as number) + 1;
  }
  return counts.map((c) => c / values.length);
}

export function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

/** Mean, sample standard deviation, min and max of sorted, non-empty values (Welford, overflow-safe mean). */
export function summarise(sorted: readonly number[]): NumericSummary {
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < sorted.length; i++) {
    const x = sorted[i] as number;
    const delta = x - mean;
    mean += delta / (i + 1);
    m2 += delta * (x - mean);
  }
  const variance = sorted.length > 1 ? m2 / (sorted.length - 1) : 0;
  return {
    mean: finiteOr(mean, 0),
    std: finiteOr(Math.sqrt(Math.max(0, variance)), Number.MAX_VALUE),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}

export function readNumbers(raw: readonly unknown[]): number[] {
  const values: number[] = [];
  for (const v of raw) {
    const x = readNumber(v);
    if (x !== undefined) values.push(x);
  }
  return values.sort((a, b) => a - b);
}

export function countCategories(raw: readonly unknown[]): { counts: Map<string, number>; missing: number } {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of raw) {
    const c = readCategory(v);
    if (c === undefined) missing++;
    else counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return { counts, missing };
}

/** Entries by count (desc), then value (code-unit order, locale-independent). */
export function byFrequency(counts: Map<string, number>): [string, number][] {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
}
