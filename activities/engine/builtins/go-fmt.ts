/**
 * Go's fmt.Sprintf for the argument types OPA's sprintf passes (int64, *big.Int, float64, string):
 * verbs, flags (+ - # space 0), width and precision (also `*` and explicit `[n]` argument indexes),
 * and Go's error texts (%!d(string=x), %!v(MISSING), %!(EXTRA …), %!(NOVERB), %!(BADWIDTH), …).
 */
import { formatFloat, formatFloatSharpV } from './go-float';
import { canBackquote, firstRunes, goQuote, goQuoteASCII, goQuoteRune, isPrint, runeCount } from './go-quote';

export type GoArg = { t: 'int64'; v: bigint } | { t: 'bigint'; v: bigint } | { t: 'float64'; v: number } | { t: 'string'; v: string };

const TYPE_NAME: Record<GoArg['t'], string> = { int64: 'int64', bigint: '*big.Int', float64: 'float64', string: 'string' };

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

const newFlags = (): Flags => ({
  plus: false,
  minus: false,
  sharp: false,
  space: false,
  zero: false,
  sharpV: false,
  wid: 0,
  widPresent: false,
  prec: 0,
  precPresent: false,
});

const MAX_RUNE = 0x10ffff;

class Printer {
  out = '';
  f: Flags = newFlags();

  padding(n: number): void {
    if (n > 0) this.out += (this.f.zero ? '0' : ' ').repeat(n);
  }

  /** fmt.pad / padString: width counted in runes. */
  pad(text: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.out += text;
      return;
    }
    const width = this.f.wid - runeCount(text);
    if (!this.f.minus) {
      this.padding(width);
      this.out += text;
    } else {
      this.out += text;
      this.padding(width);
    }
  }

  /** pad with spaces even when the zero flag is set */
  padSpaces(text: string): void {
    const zero = this.f.zero;
    this.f.zero = false;
    this.pad(text);
    this.f.zero = zero;
  }

  integer(value: bigint, base: number, verb: string, upper: boolean): void {
    const f = this.f;
    const negative = value < 0n;
    const u = negative ? -value : value;
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec === 0 && u === 0n) {
        this.padSpaces('');
        return;
      }
    } else if (f.zero && !f.minus && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--;
    }
    let digits = u.toString(base);
    if (upper) digits = digits.toUpperCase();
    if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
    if (f.sharp) {
      if (base === 2) digits = `0b${digits}`;
      else if (base === 8 && digits[0] !== '0') digits = `0${digits}`;
      else if (base === 16) digits = `0${upper ? 'X' : 'x'}${digits}`;
    }
    if (verb === 'O') digits = `0o${digits}`;
    if (negative) digits = `-${digits}`;
    else if (f.plus) digits = `+${digits}`;
    else if (f.space) digits = ` ${digits}`;
    this.padSpaces(digits);
  }

  float(v: number, verb: string, prec: number): void {
    const f = this.f;
    const p = f.precPresent ? f.prec : prec;
    const formatted = f.sharpV && verb === 'g' && p < 0 ? formatFloatSharpV(v) : formatFloat(v, verb, p);
    let num = (formatted.negative ? '-' : '+') + formatted.text;
    if (f.space && num[0] === '+' && !f.plus) num = ` ${num.slice(1)}`;
    if (f.sharp && verb !== 'b') num = sharpFloat(num, verb, p);
    if (f.plus || num[0] !== '+') {
      if (f.zero && !f.minus && f.widPresent && f.wid > num.length) {
        this.out += num[0];
        this.padding(f.wid - num.length);
        this.out += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  stringHex(text: string, upper: boolean): void {
    const f = this.f;
    let bytes = Buffer.from(text, 'utf8');
    if (f.precPresent && f.prec < bytes.length) bytes = bytes.subarray(0, f.prec);
    const length = bytes.length;
    let width = 2 * length;
    if (width > 0) {
      if (f.space) {
        if (f.sharp) width *= 2;
        width += length - 1;
      } else if (f.sharp) width += 2;
    } else {
      if (f.widPresent) this.padding(f.wid);
      return;
    }
    if (f.widPresent && f.wid > width && !f.minus) this.padding(f.wid - width);
    const prefix = upper ? '0X' : '0x';
    let out = f.sharp ? prefix : '';
    bytes.forEach((byte, i) => {
      if (f.space && i > 0) out += f.sharp ? ` ${prefix}` : ' ';
      const h = byte.toString(16).padStart(2, '0');
      out += upper ? h.toUpperCase() : h;
    });
    this.out += out;
    if (f.widPresent && f.wid > width && f.minus) this.padding(f.wid - width);
  }

  string(text: string, verb: string): boolean {
    const f = this.f;
    const truncated = f.precPresent ? firstRunes(text, f.prec) : text;
    switch (verb) {
      case 'v':
        if (f.sharpV) this.pad(goQuote(truncated));
        else this.pad(truncated);
        return true;
      case 's':
        this.pad(truncated);
        return true;
      case 'x':
      case 'X':
        this.stringHex(text, verb === 'X');
        return true;
      case 'q':
        if (f.sharp && canBackquote(truncated)) this.pad(`\`${truncated}\``);
        else this.pad(f.plus ? goQuoteASCII(truncated) : goQuote(truncated));
        return true;
      default:
        return false;
    }
  }

  int64(v: bigint, verb: string): boolean {
    switch (verb) {
      case 'v':
      case 'd':
        this.integer(v, 10, verb, false);
        return true;
      case 'b':
        this.integer(v, 2, verb, false);
        return true;
      case 'o':
      case 'O':
        this.integer(v, 8, verb, false);
        return true;
      case 'x':
      case 'X':
        this.integer(v, 16, verb, verb === 'X');
        return true;
      case 'c': {
        const rune = v < 0n || v > BigInt(MAX_RUNE) ? 0xfffd : Number(v);
        this.padSpaces(String.fromCodePoint(rune >= 0xd800 && rune <= 0xdfff ? 0xfffd : rune));
        return true;
      }
      case 'q':
        this.padSpaces(goQuoteRune(v < 0n || v > BigInt(MAX_RUNE) ? 0xfffd : Number(v), this.f.plus));
        return true;
      case 'U':
        this.unicode(v);
        return true;
      default:
        return false;
    }
  }

  unicode(v: bigint): void {
    const f = this.f;
    const u = BigInt.asUintN(64, v);
    let digits = u.toString(16).toUpperCase();
    const prec = f.precPresent && f.prec > 4 ? f.prec : 4;
    if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
    let text = `U+${digits}`;
    if (f.sharp && u <= BigInt(MAX_RUNE) && isPrint(Number(u))) text += ` '${String.fromCodePoint(Number(u))}'`;
    this.padSpaces(text);
  }

  /** printArg: false for a verb the type does not take */
  arg(arg: GoArg, verb: string): boolean {
    if (verb === 'T') {
      this.pad(firstRunes(TYPE_NAME[arg.t], this.f.precPresent ? this.f.prec : Number.POSITIVE_INFINITY));
      return true;
    }
    switch (arg.t) {
      case 'string':
        return this.string(arg.v, verb);
      case 'int64':
        return this.int64(arg.v, verb);
      case 'bigint':
        return this.bigInt(arg.v, verb);
      case 'float64':
        if (verb === 'v') this.float(arg.v, 'g', -1);
        else if ('bgGxX'.includes(verb)) this.float(arg.v, verb, -1);
        else if ('feEF'.includes(verb)) this.float(arg.v, verb, 6);
        else return false;
        return true;
    }
  }

  bigInt(v: bigint, verb: string): boolean {
    const bases: Record<string, number> = { b: 2, o: 8, O: 8, d: 10, s: 10, v: 10, x: 16, X: 16 };
    const base = bases[verb];
    if (base === undefined) {
      // big.Int's own Format writes this text for any other verb
      this.out += `%!${verb}(big.Int=${v})`;
      return true;
    }
    this.integer(v, base, verb, verb === 'X');
    return true;
  }

  printArg(arg: GoArg, verb: string): void {
    if (!this.arg(arg, verb)) this.badVerb(arg, verb);
  }

  badVerb(arg: GoArg | undefined, verb: string): void {
    this.out += `%!${verb}(`;
    if (arg) {
      this.out += `${TYPE_NAME[arg.t]}=`;
      this.printArg(arg, 'v');
    } else this.out += '<nil>';
    this.out += ')';
  }
}

/** The sharp flag on floats: always a decimal point; %g/%v keep trailing zeros up to the precision. */
function sharpFloat(num: string, verb: string, prec: number): string {
  let digits = 0;
  if ('vgGx'.includes(verb)) digits = prec === -1 ? 6 : prec;
  let body = num;
  let tail = '';
  let hasPoint = false;
  let sawNonzero = false;
  for (let i = 1; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '.') hasPoint = true;
    else if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
      tail = body.slice(i);
      body = body.slice(0, i);
      break;
    } else {
      if (c !== '0') sawNonzero = true;
      if (sawNonzero) digits--;
    }
  }
  if (!hasPoint) {
    if (body.length === 2 && body[1] === '0') digits--;
    body += '.';
  }
  while (digits > 0) {
    body += '0';
    digits--;
  }
  return body + tail;
}

const tooLarge = (n: number) => n > 1e6 || n < -1e6;

/** parsenum: digits from `start`, or not a number. */
function parseNum(s: string, start: number, end: number): { num: number; isNum: boolean; next: number } {
  if (start >= end) return { num: 0, isNum: false, next: end };
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < end && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57; i++) {
    if (tooLarge(num)) return { num: 0, isNum: false, next: end };
    num = num * 10 + (s.charCodeAt(i) - 48);
    isNum = true;
  }
  return { num, isNum, next: i };
}

/** Go's fmt.Sprintf(format, args...). */
export function goSprintf(format: string, args: readonly GoArg[]): string {
  const p = new Printer();
  const end = format.length;
  let argNum = 0;
  let reordered = false;
  let goodArgNum = true;

  const argNumber = (i: number): { i: number; found: boolean } => {
    if (i >= end || format[i] !== '[') return { i, found: false };
    reordered = true;
    // "[n]": at least three characters
    if (end - i < 3) {
      goodArgNum = false;
      return { i: i + 1, found: false };
    }
    for (let j = i + 1; j < end; j++) {
      if (format[j] !== ']') continue;
      const { num, isNum, next } = parseNum(format, i + 1, j);
      if (!isNum || next !== j) {
        goodArgNum = false;
        return { i: j + 1, found: false };
      }
      const index = num - 1;
      if (index >= 0 && index < args.length) {
        argNum = index;
        return { i: j + 1, found: true };
      }
      goodArgNum = false;
      return { i: j + 1, found: true };
    }
    goodArgNum = false;
    return { i: i + 1, found: false };
  };

  const intFromArg = (): { num: number; isInt: boolean } => {
    let num = 0;
    let isInt = false;
    if (argNum < args.length) {
      const a = args[argNum] as GoArg;
      if (a.t === 'int64') {
        num = Number(a.v);
        isInt = true;
      }
      argNum++;
      if (tooLarge(num)) {
        num = 0;
        isInt = false;
      }
    }
    return { num, isInt };
  };

  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const last = i;
    while (i < end && format[i] !== '%') i++;
    if (i > last) p.out += format.slice(last, i);
    if (i >= end) break;
    i++;
    p.f = newFlags();
    const f = p.f;
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
    }
    let r = argNumber(i);
    i = r.i;
    let afterIndex = r.found;
    if (i < end && format[i] === '*') {
      i++;
      const w = intFromArg();
      f.wid = w.num;
      f.widPresent = w.isInt;
      if (!f.widPresent) p.out += '%!(BADWIDTH)';
      if (f.wid < 0) {
        f.wid = -f.wid;
        f.minus = true;
        f.zero = false;
      }
      afterIndex = false;
    } else {
      const w = parseNum(format, i, end);
      f.wid = w.num;
      f.widPresent = w.isNum;
      i = w.next;
      if (afterIndex && f.widPresent) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      r = argNumber(i);
      i = r.i;
      afterIndex = r.found;
      if (i < end && format[i] === '*') {
        i++;
        const w = intFromArg();
        f.prec = w.num;
        f.precPresent = w.isInt;
        if (f.prec < 0) {
          f.prec = 0;
          f.precPresent = false;
        }
        if (!w.isInt) p.out += '%!(BADPREC)';
        afterIndex = false;
      } else {
        const w = parseNum(format, i, end);
        f.prec = w.num;
        f.precPresent = true;
        i = w.next;
        if (!w.isNum) f.prec = 0;
      }
    }
    if (!afterIndex) {
      r = argNumber(i);
      i = r.i;
      afterIndex = r.found;
    }
    if (i >= end) {
      p.out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') p.out += '%';
    else if (!goodArgNum) p.out += `%!${verb}(BADINDEX)`;
    else if (argNum >= args.length) p.out += `%!${verb}(MISSING)`;
    else {
      if (verb === 'v') {
        f.sharpV = f.sharp;
        f.sharp = false;
        f.plus = false;
      }
      p.printArg(args[argNum] as GoArg, verb);
      argNum++;
    }
  }
  if (!reordered && argNum < args.length) {
    p.f = newFlags();
    p.out += '%!(EXTRA ';
    args.slice(argNum).forEach((arg, k) => {
      if (k > 0) p.out += ', ';
      p.out += `${TYPE_NAME[arg.t]}=`;
      p.printArg(arg, 'v');
    });
    p.out += ')';
  }
  return p.out;
}
