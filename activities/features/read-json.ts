/**
 * Reading untrusted JSON (a manifest as parsed): every reader is total, a value of the wrong type
 * reads as the empty value of the wanted type, so the extractors never throw on a bad shape.
 */

export type Obj = Record<string, unknown>;

export const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
export const obj = (value: unknown): Obj => (isObj(value) ? value : {});
export const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const objs = (value: unknown): Obj[] => arr(value).filter(isObj);
export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
export const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';
export const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
export const bit = (condition: boolean): number => (condition ? 1 : 0);
export const present = (value: unknown): boolean => value !== null && value !== undefined;
export const strings = (value: unknown): string[] => arr(value).filter((v): v is string => typeof v === 'string');

/** The value at `keys` below `value`, or undefined where a step is not an object. */
export function path(value: unknown, ...keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isObj(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** A string as it is, another present value as "other", an absent one as "unset" (categorical features). */
export const category = (value: unknown): string => (typeof value === 'string' ? value : present(value) ? 'other' : 'unset');

/** How many items pass `test` (a count without the array `filter` would build). */
export function countIf<T>(items: readonly T[], test: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (test(item)) n++;
  return n;
}
