/**
 * The security part of the configuration (read by infra/config.ts): API tokens with scopes, the
 * reviewer list and four-eyes switch of the drafting loop, and which variables hold secrets.
 *
 * Secrets never appear in a configuration error: a problem in PAC_API_TOKENS is described by the
 * position of the entry ("entry 2 of 3") and what is wrong with it, never by its text, and the
 * ConfigError shows a secret variable's value as `<hidden, N characters>`.
 */
import type { z } from 'zod';

/**
 * What a token may do. `read`: every GET and the read-only POST routes (analyze, query,
 * troubleshoot, ci-log, lint); `propose`: start drafts, upload documents, autofix; `approve`:
 * approve or reject drafts; `admin`: everything.
 */
export const API_SCOPES = ['read', 'propose', 'approve', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** The scopes of a token written the old way, `name:token` (before scopes existed): it can read and propose, not approve. */
export const LEGACY_TOKEN_SCOPES: readonly ApiScope[] = ['read', 'propose'];

export interface ApiToken {
  name: string;
  token: string;
  scopes: ApiScope[];
}

/** Variables whose values are secrets: never printed, logged or returned. */
export const SECRET_VARIABLES = new Set([
  'PAC_API_TOKENS',
  'PAC_LLM_API_KEY',
  'PAC_EMBEDDINGS_API_KEY',
  'PAC_TEMPORAL_API_KEY',
  'PAC_MLFLOW_TOKEN',
  'PAC_WEAVIATE_API_KEY',
  'PAC_ADMISSION_TOKEN',
]);

export const IDENTITY_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
const IDENTITY_HELP = 'letters, digits, ".", "_", "@", "-", at most 64 characters';

function report(problem: string, ctx: z.RefinementCtx | undefined): void {
  ctx?.addIssue({ code: 'custom', message: problem });
  if (!ctx) throw new Error(problem);
}

function parseScopes(text: string): ApiScope[] | undefined {
  const scopes = text.split('+').map((s) => s.trim());
  if (scopes.some((s) => !(API_SCOPES as readonly string[]).includes(s))) return undefined;
  return [...new Set(scopes as ApiScope[])];
}

/**
 * "name:token:scope+scope,name2:token2" → tokens. A name is the caller's identity (the requester
 * of drafts, the reviewer of decisions); a token has at least 16 characters and no ":" or ",";
 * without scopes a token has LEGACY_TOKEN_SCOPES. Problems name the entry by position only.
 */
export function parseApiTokens(value: string, ctx?: z.RefinementCtx): ApiToken[] {
  const out: ApiToken[] = [];
  const entries = value.split(',').map((p) => p.trim());
  const count = entries.filter(Boolean).length;
  let position = 0;
  for (const entry of entries) {
    if (!entry) continue;
    position++;
    const where = `entry ${position} of ${count}`;
    const parts = entry.split(':');
    const [name = '', token = '', scopeText] = parts;
    const scopes = scopeText === undefined ? [...LEGACY_TOKEN_SCOPES] : parseScopes(scopeText);
    const problem =
      parts.length < 2 || parts.length > 3
        ? `${where}: expected "name:token" or "name:token:scope+scope" (entries separated by commas; a token contains no ":")`
        : !IDENTITY_PATTERN.test(name)
          ? `${where}: the name must be ${IDENTITY_HELP}`
          : token.length < 16
            ? `${where}: the token is shorter than 16 characters`
            : !scopes || scopes.length === 0
              ? `${where}: unknown scope (expected scopes from ${API_SCOPES.join(', ')} joined by "+")`
              : out.some((t) => t.name === name)
                ? `${where}: its name is already used by an earlier entry`
                : out.some((t) => t.token === token)
                  ? `${where}: its token is already used by an earlier entry`
                  : undefined;
    if (problem) {
      report(problem, ctx);
      continue;
    }
    out.push({ name, token, scopes: scopes as ApiScope[] });
  }
  return out;
}

/** Whether a token with `granted` scopes may use a route that needs `needed` (admin may do everything). */
export function scopeAllows(granted: readonly ApiScope[], needed: ApiScope): boolean {
  return granted.includes('admin') || granted.includes(needed);
}

/** "alice,bob" → ["alice", "bob"]: identities allowed to decide drafts outside the API (CLI, Temporal UI). */
export function parseIdentityList(value: string, ctx?: z.RefinementCtx): string[] {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const bad = names.findIndex((n) => !IDENTITY_PATTERN.test(n));
  if (bad >= 0) report(`name ${bad + 1} of ${names.length} is not an identity (${IDENTITY_HELP})`, ctx);
  return [...new Set(names)];
}

/** true/false, 1/0, yes/no, on/off (any case) → boolean; anything else is an issue. */
export function parseFlag(value: string, ctx?: z.RefinementCtx): boolean {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  report('expected true or false', ctx);
  return false;
}

/** How a variable's value appears in a configuration error: secrets by their length only. */
export function shownValue(variable: string, value: unknown): string {
  if (SECRET_VARIABLES.has(variable) && typeof value === 'string') return `<hidden, ${value.length} characters>`;
  return JSON.stringify(value);
}
