/**
 * Go's strconv.FormatFloat(v, fmt, prec, 64) for the formats fmt uses (e, E, f, F, g, G, b, x, X):
 * shortest digits when prec < 0 (the same shortest round-trip digits JavaScript prints), otherwise
 * the exact binary value rounded half-to-even, as Go does (JavaScript's toFixed rounds ties up).
 */

/** Decimal digits d[0..nd) with the decimal point before d[dp] (Go's decimalSlice). */
interface Digits {
  d: string;
  dp: number;
}

const bitsOf = (v: number) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  return view.getBigUint64(0);
};

/** The exact mantissa and binary exponent of |v| (v = mant × 2^exp). */
function decompose(v: number): { mant: bigint; exp: number } {
  const bits = bitsOf(Math.abs(v));
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  if (biased === 0) return { mant: fraction, exp: -1074 };
  return { mant: fraction | (1n << 52n), exp: biased - 1075 };
}

function trimZeros(digits: Digits): Digits {
  let d = digits.d.replace(/0+$/, '');
  let dp = digits.dp;
  const lead = /^0*/.exec(d)?.[0].length ?? 0;
  d = d.slice(lead);
  dp -= lead;
  return d === '' ? { d: '', dp: 0 } : { d, dp };
}

/** Every decimal digit of |v|, exactly. */
function exactDigits(v: number): Digits {
  const { mant, exp } = decompose(v);
  if (mant === 0n) return { d: '', dp: 0 };
  if (exp >= 0) {
    const s = (mant << BigInt(exp)).toString();
    return trimZeros({ d: s, dp: s.length });
  }
  const s = (mant * 5n ** BigInt(-exp)).toString();
  return trimZeros({ d: s, dp: s.length + exp });
}

/** The shortest digits that read back as |v| (Go's ryuFtoaShortest; JavaScript's Number#toString). */
function shortestDigits(v: number): Digits {
  if (v === 0) return { d: '', dp: 0 };
  const [mantissa = '', exponent = '0'] = Math.abs(v).toExponential().split('e');
  const d = mantissa.replace('.', '');
  return trimZeros({ d, dp: Number(exponent) + 1 });
}

/** Rounds to nd digits, half to even on the exact value (Go's decimal.Round). */
function roundDigits(digits: Digits, nd: number): Digits {
  const { d, dp } = digits;
  if (nd < 0 || nd >= d.length) return digits;
  const next = d.charCodeAt(nd) - 48;
  const up = next > 5 || (next === 5 && (nd + 1 < d.length || (nd > 0 && (d.charCodeAt(nd - 1) - 48) % 2 === 1)));
  if (!up) return trimZeros({ d: d.slice(0, nd), dp });
  let i = nd - 1;
  while (i >= 0 && d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: dp + 1 };
  return trimZeros({ d: d.slice(0, i) + String.fromCharCode(d.charCodeAt(i) + 1), dp });
}

const digitAt = (digits: Digits, j: number) => (j >= 0 && j < digits.d.length ? (digits.d[j] as string) : '0');

function fmtE(digits: Digits, prec: number, letter: string): string {
  let out = digitAt(digits, 0);
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(digits, i);
  }
  const exp = digits.d.length === 0 ? 0 : digits.dp - 1;
  const abs = Math.abs(exp);
  return `${out}${letter}${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

function fmtF(digits: Digits, prec: number): string {
  let out = '';
  if (digits.dp > 0) {
    for (let i = 0; i < digits.dp; i++) out += digitAt(digits, i);
  } else out = '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(digits, digits.dp + i - 1);
  }
  return out;
}

/** %b: decimal mantissa, "p", binary exponent. */
function fmtB(v: number): string {
  const { mant, exp } = decompose(v);
  const e = mant === 0n ? -1074 : exp;
  return `${mant}p${e >= 0 ? '+' : '-'}${Math.abs(e)}`;
}

/** %x: 0x1.hhhhp±dd, the mantissa rounded to prec hex digits (shortest when prec < 0). */
function fmtX(v: number, prec: number, upper: boolean): string {
  let { mant, exp } = decompose(v);
  if (mant === 0n) exp = 0;
  else {
    // normalise to 1.fraction (53 bits) for subnormals too
    while (mant < 1n << 52n) {
      mant <<= 1n;
      exp--;
    }
    exp += 52;
  }
  let fraction = mant & ((1n << 52n) - 1n); // 13 hex digits
  let lead = mant === 0n ? 0n : 1n;
  let hexDigits = fraction.toString(16).padStart(13, '0');
  if (prec >= 0 && prec < 13) {
    const shift = BigInt((13 - prec) * 4);
    const kept = fraction >> shift;
    const rest = fraction & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    let rounded = kept + (rest > half || (rest === half && (kept & 1n) === 1n) ? 1n : 0n);
    if (rounded >> BigInt(prec * 4) !== 0n) {
      rounded = 0n;
      lead += 1n;
      if (lead === 2n) {
        lead = 1n;
        exp += 1;
      }
    }
    fraction = rounded;
    hexDigits = prec === 0 ? '' : rounded.toString(16).padStart(prec, '0');
  } else if (prec < 0) hexDigits = hexDigits.replace(/0+$/, '');
  else hexDigits = hexDigits.padEnd(prec, '0');
  const body = `0x${lead}${hexDigits ? `.${hexDigits}` : ''}p${exp >= 0 ? '+' : '-'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return upper ? body.toUpperCase() : body;
}

/**
 * strconv.FormatFloat(v, verb, prec, 64) without the sign (the caller adds it); `negative` tells
 * whether v is negative (including -0).
 */
export function formatFloat(v: number, verb: string, prec: number): { text: string; negative: boolean } {
  const negative = v < 0 || Object.is(v, -0);
  if (verb === 'b') return { text: fmtB(v), negative };
  if (verb === 'x' || verb === 'X') return { text: fmtX(v, prec, verb === 'X'), negative };
  const shortest = prec < 0;
  let digits: Digits;
  let p = prec;
  if (shortest) {
    digits = shortestDigits(v);
    if (verb === 'e' || verb === 'E') p = Math.max(digits.d.length - 1, 0);
    else if (verb === 'f' || verb === 'F') p = Math.max(digits.d.length - digits.dp, 0);
    else p = digits.d.length;
  } else {
    const exact = exactDigits(v);
    if (verb === 'e' || verb === 'E') digits = roundDigits(exact, p + 1);
    else if (verb === 'f' || verb === 'F') digits = roundDigits(exact, exact.dp + p);
    else {
      if (p === 0) p = 1;
      digits = roundDigits(exact, p);
    }
  }
  if (verb === 'e' || verb === 'E') return { text: fmtE(digits, p, verb), negative };
  if (verb === 'f' || verb === 'F') return { text: fmtF(digits, p), negative };
  // g, G
  let eprec = p;
  if (eprec > digits.d.length && digits.d.length >= digits.dp) eprec = digits.d.length;
  if (shortest) eprec = 6;
  const exp = digits.dp - 1;
  if (exp < -4 || exp >= eprec) {
    const q = Math.min(p, digits.d.length);
    return { text: fmtE(digits, q - 1, verb === 'G' ? 'E' : 'e'), negative };
  }
  const q = p > digits.dp ? digits.d.length : p;
  return { text: fmtF(digits, Math.max(q - digits.dp, 0)), negative };
}

/** %#v of a float: %g with the exponent only from 1e21 (fmt's sharpV rule). */
export function formatFloatSharpV(v: number): { text: string; negative: boolean } {
  const negative = v < 0 || Object.is(v, -0);
  const digits = shortestDigits(v);
  const exp = digits.dp - 1;
  if (exp < -4 || exp >= 21) return { text: fmtE(digits, Math.max(digits.d.length - 1, 0), 'e'), negative };
  return { text: fmtF(digits, Math.max(digits.d.length - digits.dp, 0)), negative };
}
