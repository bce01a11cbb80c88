/**
 * units.parse and units.parse_bytes as OPA computes them in Go: the same split of number and unit,
 * exact rationals for units.parse (with the milli factor being the float64 nearest 0.001, as OPA
 * sets it, and the result printed with 10 decimals when it is not whole), and 64-bit-mantissa
 * big.Float arithmetic, truncated, for units.parse_bytes. Returns the number as JSON text, or
 * undefined where OPA raises an error (the call is then undefined, as in `opa eval`).
 */

interface Rational {
  num: bigint;
  den: bigint;
}

const MAX_EXPONENT_DIGITS = 6;
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** OPA's extractNumAndUnit; undefined when the exponent has too many digits. */
export function extractNumAndUnit(s: string): { num: string; unit: string } | undefined {
  let firstNonNum = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (!isDigit(c) && c !== '.' && c !== 'e' && c !== 'E' && c !== '+' && c !== '-') {
      firstNonNum = i;
      break;
    }
    if (c === 'e' || c === 'E') {
      const next = s[i + 1];
      if (i === s.length - 1 || (!isDigit(next) && next !== '+' && next !== '-')) {
        firstNonNum = i;
        break;
      }
      if (next === '+' || next === '-') i++;
      let end = i + 1;
      while (end < s.length && isDigit(s[end])) end++;
      if (end - (i + 1) > MAX_EXPONENT_DIGITS) return undefined;
    }
  }
  if (firstNonNum === -1) return { num: s, unit: '' };
  if (firstNonNum === 0) return { num: '', unit: s };
  return { num: s.slice(0, firstNonNum), unit: s.slice(firstNonNum) };
}

const abs = (x: bigint) => (x < 0n ? -x : x);
const gcd = (a: bigint, b: bigint): bigint => {
  let x = abs(a);
  let y = abs(b);
  while (y) [x, y] = [y, x % y];
  return x;
};
const normalise = (r: Rational): Rational => {
  const g = gcd(r.num, r.den) || 1n;
  return { num: r.num / g, den: r.den / g };
};

/** big.Rat SetString for a decimal number with an optional exponent; undefined if it does not parse. */
export function parseDecimal(text: string): Rational | undefined {
  const match = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  if (whole === '' && fraction === '') return undefined;
  let num = BigInt(whole + fraction || '0');
  let den = 10n ** BigInt(fraction.length);
  const e = Number(exponent);
  if (e >= 0) num *= 10n ** BigInt(e);
  else den *= 10n ** BigInt(-e);
  if (sign === '-') num = -num;
  return normalise({ num, den });
}

/** The exact value of a float64 as a rational. */
function rationalOfFloat(v: number): Rational {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mant = biased === 0 ? fraction : fraction | (1n << 52n);
  const exp = biased === 0 ? -1074 : biased - 1075;
  return normalise(exp >= 0 ? { num: mant << BigInt(exp), den: 1n } : { num: mant, den: 1n << BigInt(-exp) });
}

/** big.Rat FloatString(prec): rounded to nearest, halves away from zero. */
export function ratFloatString(r: Rational, prec: number): string {
  const negative = r.num < 0n;
  const n = abs(r.num);
  if (r.den === 1n) return `${r.num}${prec > 0 ? `.${'0'.repeat(prec)}` : ''}`;
  let q = n / r.den;
  let rem = n % r.den;
  const p = 10n ** BigInt(prec);
  rem *= p;
  let digits = rem / r.den;
  const rem2 = (rem % r.den) * 2n;
  if (r.den <= rem2) {
    digits += 1n;
    if (digits >= p) {
      q += 1n;
      digits -= p;
    }
  }
  const fraction = prec > 0 ? `.${digits.toString().padStart(prec, '0')}` : '';
  return `${negative ? '-' : ''}${q}${fraction}`;
}

const PREFIXES = ['k', 'm', 'g', 't', 'p', 'e'];

/** Unit name → factor: 1000^n for the names of a decimal prefix, 1024^n for a binary one. */
function unitTable(names: (prefix: string, binary: boolean) => string[]): Record<string, bigint> {
  const table: Record<string, bigint> = { '': 1n };
  PREFIXES.forEach((prefix, i) => {
    for (const name of names(prefix, false)) table[name] = 1000n ** BigInt(i + 1);
    for (const name of names(prefix, true)) table[name] = 1024n ** BigInt(i + 1);
  });
  return table;
}

/** units.parse: k K M G … (m is milli), ki Ki mi Mi … */
const SI = unitTable((p, binary) => (binary ? [`${p}i`, `${p.toUpperCase()}i`] : p === 'm' ? ['M'] : [p, p.toUpperCase()]));

/** units.parse(x): a number, or undefined (OPA: an error). */
export function unitsParse(raw: string): string | undefined {
  const s = raw.replaceAll('"', '');
  if (s.includes(' ')) return undefined;
  const split = extractNumAndUnit(s);
  if (!split || split.num === '') return undefined;
  const unit = split.unit.length > 1 ? split.unit[0] + split.unit.slice(1).toLowerCase() : split.unit;
  let factor: Rational;
  if (unit === 'm') factor = rationalOfFloat(0.001);
  else {
    const si = SI[unit];
    if (si === undefined) return undefined;
    factor = { num: si, den: 1n };
  }
  const value = parseDecimal(split.num);
  if (!value) return undefined;
  const product = normalise({ num: value.num * factor.num, den: value.den * factor.den });
  return product.den === 1n ? product.num.toString() : ratFloatString(product, 10);
}

/** Rounds a rational to a 64-bit binary mantissa, nearest even (big.Float with precision 64). */
function roundToMantissa64(r: Rational): Rational {
  if (r.num === 0n) return { num: 0n, den: 1n };
  const negative = r.num < 0n;
  const n = abs(r.num);
  // find e with 2^63 <= n / d / 2^e < 2^64
  let e = n.toString(2).length - r.den.toString(2).length - 63;
  for (;;) {
    const scaledNum = e >= 0 ? n : n << BigInt(-e);
    const scaledDen = e >= 0 ? r.den << BigInt(e) : r.den;
    let q = scaledNum / scaledDen;
    if (q < 1n << 63n) {
      e--;
      continue;
    }
    if (q >= 1n << 64n) {
      e++;
      continue;
    }
    const rem2 = (scaledNum % scaledDen) * 2n;
    if (rem2 > scaledDen || (rem2 === scaledDen && (q & 1n) === 1n)) q += 1n;
    const num = negative ? -q : q;
    return normalise(e >= 0 ? { num: num << BigInt(e), den: 1n } : { num, den: 1n << BigInt(-e) });
  }
}

/** units.parse_bytes (lower-cased): k kb, ki kib, m mb, mi mib, … */
const BYTE_UNITS = unitTable((p, binary) => (binary ? [`${p}i`, `${p}ib`] : [p, `${p}b`]));

/** units.parse_bytes(x): a whole number of bytes, or undefined (OPA: an error). */
export function unitsParseBytes(raw: string): string | undefined {
  const s = raw.toLowerCase().replaceAll('"', '');
  if (s.includes(' ')) return undefined;
  const split = extractNumAndUnit(s);
  if (!split || split.num === '') return undefined;
  const factor = BYTE_UNITS[split.unit];
  if (factor === undefined) return undefined;
  const value = parseDecimal(split.num);
  if (!value) return undefined;
  const rounded = roundToMantissa64(value);
  const product = roundToMantissa64({ num: rounded.num * factor, den: rounded.den });
  return (product.num / product.den).toString();
}
