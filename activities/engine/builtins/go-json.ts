/**
 * json.marshal as `opa eval` computes it (Go's encoding/json over ast.JSON): object keys sorted,
 * set members sorted (Rego order), numbers as their literal text, strings escaped the Go way
 * (<, > and & as \u003c \u003e \u0026, U+2028/U+2029, \b \f \n \r \t, other control characters
 * as \u00xx). OPA's wasm has a native json.marshal that does none of this, so the engine compiles
 * every `json.marshal(` call to the host built-in `kpcx.marshal` (sources.ts), implemented here.
 */
import { compareCodePoints } from './go-quote';
import { compareRego, goString, type RegoValue, scalarText } from './rego-value';

/** The name the engine compiles json.marshal calls to (as long as "json.marshal": columns stay). */
export const HOST_JSON_MARSHAL = 'kpcx.marshal';

const HEX = '0123456789abcdef';
const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** encoding/json's string encoding with HTML escaping. */
export function goJsonString(text: string): string {
  let out = '"';
  for (const char of text) {
    const c = char.codePointAt(0) as number;
    const escaped = ESCAPES[char];
    if (escaped) out += escaped;
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += `\\u${c < 0x100 ? `00${HEX[c >> 4]}${HEX[c & 15]}` : c.toString(16)}`;
    } else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += char;
  }
  return `${out}"`;
}

/** The JSON text of a Rego value as OPA's json.marshal writes it. */
export function goJsonMarshal(value: RegoValue): string | undefined {
  const scalar = scalarText(value, goJsonString);
  if (scalar !== undefined) return scalar;
  if (value.t === 'array' || value.t === 'set') {
    const items = value.t === 'set' ? [...value.items].sort(compareRego) : value.items;
    const parts = items.map(goJsonMarshal);
    return parts.some((p) => p === undefined) ? undefined : `[${parts.join(',')}]`;
  }
  if (value.t !== 'object') return undefined;
  // a key that is not a string becomes its text (OPA: {1: "a"} → {"1":"a"}); keys sorted as Go sorts map keys
  const entries = value.entries
    .map(([k, v]) => [k.t === 'string' ? k.v : k.t === 'number' ? k.text : goString(k), v] as const)
    .sort(([a], [b]) => compareCodePoints(a, b));
  const parts = entries.map(([k, v]) => {
    const inner = goJsonMarshal(v);
    return inner === undefined ? undefined : `${goJsonString(k)}:${inner}`;
  });
  return parts.some((p) => p === undefined) ? undefined : `{${parts.join(',')}}`;
}

const WORD = /[A-Za-z0-9_.]/;

/**
 * The Rego text with every call `json.marshal(` (outside strings and comments) renamed to the host
 * built-in; nothing else changes (same length, so errors keep their columns).
 */
export function rewriteJsonMarshal(text: string): string {
  if (!text.includes('json.marshal')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '#') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += c === '"' && text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (text.startsWith('json.marshal', i) && !WORD.test(text[i - 1] ?? '') && /^\s*\(/.test(text.slice(i + 12, i + 40))) {
      out += HOST_JSON_MARSHAL;
      i += 12;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
