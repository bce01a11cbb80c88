/**
 * Go (RE2) regular expressions on JavaScript's engine, for the host built-ins regex.replace,
 * regex.split and regex.find_n (regex.match and friends are native in OPA's wasm).
 *
 * The pattern is translated: leading flag groups (?i) (?s) (?m) become flags; (?P<name>…) is a named
 * group; \A and \z anchor the text; \s is Go's ASCII [\t\n\f\r ]; [[:alpha:]] and the other POSIX
 * classes are expanded; \Q…\E is quoted; an escaped punctuation character is literal. What RE2
 * refuses (back-references, look-around) is refused here too, so the call is undefined as in OPA.
 * Not supported (refused, so undefined where OPA would succeed): flag groups after the start or
 * scoped ones ((?i:…)), (?U), \C. Matching is leftmost-first in both engines; iteration follows Go:
 * an empty match right after the previous match is skipped, and the search advances one rune.
 */

export class UnsupportedRegexError extends Error {
  constructor(pattern: string, why: string) {
    super(`regular expression ${JSON.stringify(pattern)}: ${why}`);
    this.name = 'UnsupportedRegexError';
  }
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const GO_SPACE = '\\t\\n\\f\\r ';
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const escapeChar = (c: string, inClass: boolean) =>
  JS_SYNTAX.has(c) || (inClass && c === '-') ? `\\${c}` : /[A-Za-z0-9]/.test(c) ? c : c === '\n' ? '\\n' : c;

/** Translates an RE2 pattern to a JavaScript RegExp (u flag), or throws UnsupportedRegexError. */
export function translateRegex(pattern: string): RegExp {
  let flags = 'u';
  let i = 0;
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    const set = lead[1] as string;
    if (set.includes('U')) throw new UnsupportedRegexError(pattern, 'the ungreedy flag (?U) is not supported');
    for (const f of set) if (!flags.includes(f)) flags += f;
    i = lead[0].length;
  }
  // Go's multi-line anchors see only \n as a line end (JavaScript's also \r, U+2028, U+2029)
  const multiline = flags.includes('m');
  flags = flags.replace('m', '');
  let out = '';
  let inClass = false;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new UnsupportedRegexError(pattern, 'trailing backslash');
      if (next === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const literal = pattern.slice(i + 2, end === -1 ? undefined : end);
        for (const ch of literal) out += escapeChar(ch, inClass);
        i = end === -1 ? pattern.length : end + 2;
        continue;
      }
      if (next === 'A' && !inClass) out += '(?<![\\s\\S])';
      else if (next === 'z' && !inClass) out += '(?![\\s\\S])';
      else if (next === 's') out += inClass ? GO_SPACE : `[${GO_SPACE}]`;
      else if (next === 'S') {
        if (inClass) throw new UnsupportedRegexError(pattern, '\\S inside a character class is not supported');
        out += `[^${GO_SPACE}]`;
      } else if (/[1-9]/.test(next) && !(/[1-7]/.test(next) && /[0-7]/.test(pattern[i + 2] ?? '')))
        throw new UnsupportedRegexError(pattern, 'back-references are not RE2 syntax');
      else if (next === 'C' || next === 'Z' || next === 'G' || next === 'k')
        throw new UnsupportedRegexError(pattern, `\\${next} is not supported`);
      else if (next === 'x' && pattern[i + 2] === '{') {
        const end = pattern.indexOf('}', i + 3);
        if (end === -1) throw new UnsupportedRegexError(pattern, 'unterminated \\x{…}');
        out += `\\u{${pattern.slice(i + 3, end)}}`;
        i = end + 1;
        continue;
      } else if (/[0-7]/.test(next)) {
        const octal = /^[0-7]{1,3}/.exec(pattern.slice(i + 1))?.[0] as string;
        out += `\\u{${Number.parseInt(octal, 8).toString(16)}}`;
        i += 1 + octal.length;
        continue;
      } else if ((next === 'p' || next === 'P') && pattern[i + 2] !== '{') {
        out += `\\${next}{${pattern[i + 2] ?? ''}}`;
        i += 3;
        continue;
      } else if (next === 'a') out += '\\x07';
      else if (/[A-Za-z]/.test(next)) out += `\\${next}`;
      else out += escapeChar(next, inClass);
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        const negated = pattern[i + 2] === '^';
        const name = pattern.slice(i + (negated ? 3 : 2), end);
        const posix = end === -1 ? undefined : POSIX[name];
        if (!posix || negated) throw new UnsupportedRegexError(pattern, `unsupported class [:${name}:]`);
        out += posix;
        i = end + 2;
        continue;
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (pattern[i] === '^') {
        out += '^';
        i++;
      }
      // a ] right after [ or [^ is a literal in RE2
      if (pattern[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      if (pattern.startsWith('(?P<', i)) {
        out += '(?<';
        i += 4;
        continue;
      }
      if (pattern.startsWith('(?<', i) && !pattern.startsWith('(?<=', i) && !pattern.startsWith('(?<!', i)) {
        out += '(?<';
        i += 3;
        continue;
      }
      if (pattern.startsWith('(?:', i)) {
        out += '(?:';
        i += 3;
        continue;
      }
      throw new UnsupportedRegexError(pattern, 'look-around and inner flag groups are not supported');
    }
    if (c === '.') out += flags.includes('s') ? '[\\s\\S]' : '[^\\n]';
    else if (c === '^' && multiline) out += '(?<![^\\n])';
    else if (c === '$' && multiline) out += '(?![^\\n])';
    else out += c === '/' ? '\\/' : c;
    i++;
  }
  try {
    return new RegExp(out, `${flags}g`);
  } catch (error) {
    throw new UnsupportedRegexError(pattern, (error as Error).message);
  }
}

const cache = new Map<string, RegExp | UnsupportedRegexError>();

/** The translated pattern, cached; undefined when it does not compile (OPA: an error). */
export function compileRegex(pattern: string): RegExp | undefined {
  let entry = cache.get(pattern);
  if (entry === undefined) {
    try {
      entry = translateRegex(pattern);
    } catch (error) {
      entry = error instanceof UnsupportedRegexError ? error : new UnsupportedRegexError(pattern, String(error));
    }
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, entry);
  }
  return entry instanceof RegExp ? entry : undefined;
}

/** Go's FindAll…Index with n (< 0: all): non-overlapping matches, skipping an empty match right after the previous one. */
export function findAll(re: RegExp, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === start) {
      if (start === prevEnd) accept = false;
      // advance one rune past an empty match
      const cp = s.codePointAt(start);
      pos = start + (cp !== undefined && cp > 0xffff ? 2 : 1);
    } else pos = end;
    if (accept) {
      out.push(m);
      prevEnd = end;
    }
  }
  return out;
}

/** Go's Regexp.Expand template: $1, ${1}, $name, ${name}, $$; an unknown group is empty. */
export function expandTemplate(template: string, m: RegExpExecArray): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar === -1) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    const rest = template.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      i = dollar + 2;
      continue;
    }
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
    const bare = braced ? undefined : /^[A-Za-z0-9_]+/.exec(rest);
    const name = braced?.[1] ?? bare?.[0];
    if (name === undefined) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    i = dollar + 1 + (braced ? braced[0].length : name.length);
    if (/^[0-9]+$/.test(name)) {
      const index = Number(name);
      out += index < m.length ? (m[index] ?? '') : '';
    } else out += m.groups?.[name] ?? '';
  }
  return out;
}

/** regex.replace(s, pattern, value): re.ReplaceAllString */
export function regexReplace(s: string, pattern: string, value: string): string | undefined {
  const re = compileRegex(pattern);
  if (!re) return undefined;
  let out = '';
  let last = 0;
  for (const m of findAll(re, s, -1)) {
    out += s.slice(last, m.index) + expandTemplate(value, m);
    last = m.index + m[0].length;
  }
  return out + s.slice(last);
}

/** regex.split(pattern, s): re.Split(s, -1) */
export function regexSplit(pattern: string, s: string): string[] | undefined {
  const re = compileRegex(pattern);
  if (!re) return undefined;
  if (pattern.length > 0 && s.length === 0) return [''];
  const parts: string[] = [];
  let begin = 0;
  let end = 0;
  for (const m of findAll(re, s, -1)) {
    end = m.index;
    const matchEnd = m.index + m[0].length;
    if (matchEnd !== 0) parts.push(s.slice(begin, end));
    begin = matchEnd;
  }
  if (end !== s.length) parts.push(s.slice(begin));
  return parts;
}

/** regex.find_n(pattern, s, n): re.FindAllString(s, n) */
export function regexFindN(pattern: string, s: string, n: number): string[] | undefined {
  const re = compileRegex(pattern);
  if (!re) return undefined;
  return findAll(re, s, n).map((m) => m[0]);
}
