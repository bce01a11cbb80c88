/**
 * Kubernetes resource quantities ("500m", "1.5Gi", "2e3", 4), parsed as the API server does
 * (k8s.io/apimachinery/pkg/api/resource):
 *
 *   quantity        ::= signedNumber suffix
 *   suffix          ::= binarySI | decimalExponent | decimalSI
 *   binarySI        ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   decimalSI       ::= n | u | m | "" | k | M | G | T | P | E
 *   decimalExponent ::= "e" signedNumber | "E" signedNumber      (a whole exponent)
 *   signedNumber    ::= ("+" | "-")? number
 *   number          ::= digits | digits "." digits | digits "." | "." digits
 *
 * "E" alone is exa; "E" followed by digits is an exponent. No white space is allowed. The
 * micro suffix "u" and nano "n" are accepted by the API server's parser though its documented
 * grammar omits them. This is the one parser in the project: features, fixes and recommendations
 * all use it, so a value is read the same way everywhere.
 */

const NUMBER = String.raw`[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)`;
const GRAMMAR = new RegExp(`^(${NUMBER})(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+|[numkMGTPE])?$`);

/** What each suffix multiplies by. */
export const QUANTITY_SUFFIXES: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * A quantity as a number (cores for CPU, bytes for memory), or undefined when `value` is not a
 * valid quantity. Numbers from JSON are taken as they are when finite.
 */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = GRAMMAR.exec(value);
  if (!match) return undefined;
  const base = Number(match[1]);
  const suffix = match[2];
  if (suffix === undefined) return base;
  const multiplier = QUANTITY_SUFFIXES[suffix];
  const result = multiplier !== undefined ? base * multiplier : base * 10 ** Number(suffix.slice(1));
  return Number.isFinite(result) ? result : undefined;
}

/** True when `value` is a quantity the API server would accept. */
export function isQuantity(value: unknown): boolean {
  return parseQuantity(value) !== undefined;
}
