/**
 * Go's strconv.Quote / QuoteToASCII / CanBackquote / IsPrint, as OPA's sprintf (%q) and every Rego
 * value's String() use them. "Printable" is Go's unicode.IsPrint: letters, marks, numbers,
 * punctuation, symbols and the ASCII space. (Node's Unicode tables may be one version ahead of Go's:
 * a character added in between is printed by us and escaped by OPA.)
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const HEX = '0123456789abcdef';

export function isPrint(codePoint: number): boolean {
  if (codePoint < 0x80) return codePoint >= 0x20 && codePoint < 0x7f;
  return PRINTABLE.test(String.fromCodePoint(codePoint));
}

const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');

const SIMPLE_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };

function escapeRune(codePoint: number, quote: number, asciiOnly: boolean): string {
  if (codePoint === quote || codePoint === 0x5c) return `\\${String.fromCodePoint(codePoint)}`;
  if (asciiOnly ? codePoint < 0x80 && isPrint(codePoint) : isPrint(codePoint)) return String.fromCodePoint(codePoint);
  const simple = SIMPLE_ESCAPES[codePoint];
  if (simple) return simple;
  if (codePoint < 0x20 || codePoint === 0x7f) return `\\x${HEX[codePoint >> 4]}${HEX[codePoint & 15]}`;
  // a lone surrogate is not a valid rune: Go prints U+FFFD
  const rune = codePoint >= 0xd800 && codePoint <= 0xdfff ? 0xfffd : codePoint;
  return rune < 0x10000 ? `\\u${hex(rune, 4)}` : `\\U${hex(rune, 8)}`;
}

function quoteWith(text: string, quote: string, asciiOnly: boolean): string {
  const q = quote.codePointAt(0) as number;
  let out = quote;
  for (const char of text) out += escapeRune(char.codePointAt(0) as number, q, asciiOnly);
  return out + quote;
}

/** strconv.Quote */
export const goQuote = (text: string) => quoteWith(text, '"', false);
/** strconv.QuoteToASCII */
export const goQuoteASCII = (text: string) => quoteWith(text, '"', true);
/** strconv.QuoteRune / QuoteRuneToASCII */
export const goQuoteRune = (codePoint: number, asciiOnly: boolean) => {
  const rune = codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff) ? 0xfffd : codePoint;
  return quoteWith(String.fromCodePoint(rune), "'", asciiOnly);
};

/** strconv.CanBackquote: no backquote, no control character but tab, no U+FEFF. */
export function canBackquote(text: string): boolean {
  for (const char of text) {
    const c = char.codePointAt(0) as number;
    if (c === 0x60 || c === 0xfeff || c === 0x7f || (c < 0x20 && c !== 9)) return false;
  }
  return true;
}

/** Number of runes (Unicode code points), as Go's utf8.RuneCountInString. */
export function runeCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The first `count` runes of `text`. */
export function firstRunes(text: string, count: number): string {
  let out = '';
  let n = 0;
  for (const char of text) {
    if (n++ >= count) break;
    out += char;
  }
  return out;
}

/** Compares strings as Go does (byte-wise UTF-8 = code point order), not by UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // surrogates (U+D800-DFFF, which stand for code points ≥ U+10000) sort after U+E000-U+FFFF
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
