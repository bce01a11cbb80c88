/**
 * Secret redaction for every text that leaves the process (errors, log lines, API answers): each
 * known secret value is replaced by `[REDACTED]`. The secrets are the configured values (API
 * tokens, provider keys); `infra/config` lists them (`secretValues`).
 *
 * Secrets shorter than MIN_SECRET_LENGTH are not searched for: replacing every "ab" in a log would
 * hide nothing and garble everything. The configuration refuses API tokens that short.
 */

export const REDACTED = '[REDACTED]';
export const MIN_SECRET_LENGTH = 8;

/** A redactor for a fixed list of secrets (longest first, so a secret containing another is replaced whole). */
export function secretRedactor(secrets: Iterable<string | undefined>): (text: string) => string {
  const list = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of list) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
}

/** The same value with every string inside it (keys kept) passed through `map`; walks iteratively, so depth is no risk. */
export function mapStrings(value: unknown, map: (text: string) => string): unknown {
  const seen = new Map<object, object>();
  const pending: { input: object; output: Record<string, unknown> }[] = [];
  const visit = (input: unknown): unknown => {
    if (typeof input === 'string') return map(input);
    if (typeof input !== 'object' || input === null) return input;
    const known = seen.get(input);
    if (known) return known;
    const output = (Array.isArray(input) ? new Array(input.length) : {}) as Record<string, unknown>;
    seen.set(input, output);
    pending.push({ input, output });
    return output;
  };
  const result = visit(value);
  for (let next = pending.pop(); next; next = pending.pop()) {
    for (const [key, child] of Object.entries(next.input)) next.output[key] = visit(child);
  }
  return result;
}
