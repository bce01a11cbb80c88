/**
 * The field types of the configuration schema (infra/config.ts): ports, URLs, durations, cron
 * expressions, shares, paths, LLM prices. Each turns an environment variable's text into a value
 * or a message that says what was expected.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';

export const port = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a TCP port number (1-65535)' })
    .int({ error: 'expected a whole TCP port number (1-65535)' })
    .min(1, { error: 'expected a TCP port number (1-65535)' })
    .max(65535, { error: 'expected a TCP port number (1-65535)' })
    .default(fallback);

export const positiveMs = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a duration in milliseconds' })
    .int({ error: 'expected a whole number of milliseconds' })
    .positive({ error: 'expected a positive number of milliseconds' })
    .default(fallback);

export const httpUrl = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return (url.protocol === 'http:' || url.protocol === 'https:') && url.port !== '0';
        } catch {
          return false;
        }
      },
      { error: 'expected an http(s) URL such as http://127.0.0.1:5000' },
    )
    .transform((value) => value.replace(/\/+$/, ''));

export const hostPort = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((value) => /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(value) && Number(value.split(':').pop()) <= 65535, {
      error: 'expected host:port such as 127.0.0.1:7233',
    });

export const name = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((value) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(value), {
      error: 'expected a name of letters, digits, ".", "_" or "-" (at most 200 characters)',
    });

export const optionalPath = z
  .string()
  .optional()
  .transform((value) => (value ? resolve(value) : undefined));

/** An XDG base directory (XDG_CACHE_HOME, XDG_STATE_HOME) or its fallback under the home directory. */
export function xdg(source: NodeJS.ProcessEnv, variable: string, fallback: string): string {
  const base = source[variable];
  return base && isAbsolute(base) ? base : join(source.HOME || homedir(), fallback);
}

/** A five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC. */
export function cron(fallback: string) {
  return z
    .string()
    .default(fallback)
    .refine((v) => /^\s*(\S+\s+){4}\S+\s*$/.test(v), { error: 'expected a five-field cron expression such as "0 3 * * *" (UTC)' })
    .transform((v) => v.trim().replace(/\s+/g, ' '));
}

/** A duration such as 500ms, 30s, 15m, 12h or 7d, in milliseconds. */
export function duration(fallback: string) {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return z
    .string()
    .default(fallback)
    .refine((v) => /^\s*\d+\s*(ms|s|m|h|d)\s*$/.test(v) && Number.parseInt(v, 10) > 0, {
      error: 'expected a positive duration such as 30s, 15m, 12h or 7d',
    })
    .transform((v) => {
      const [, n, unit] = v.trim().match(/^(\d+)\s*(ms|s|m|h|d)$/) as RegExpMatchArray;
      return Number(n) * (units[unit as string] as number);
    });
}

/** A share between 0 and 1. */
export function share(fallback: number) {
  return z.coerce
    .number({ error: 'expected a number between 0 and 1' })
    .min(0, { error: 'expected a number between 0 and 1' })
    .max(1, { error: 'expected a number between 0 and 1' })
    .default(fallback);
}

/** A whole number in [min, max], with one message naming the range. */
export function wholeNumber(min: number, max: number, fallback: number) {
  const error = `expected a whole number between ${min} and ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(fallback);
}

/** An optional http(s) base URL (…/v1), trailing slashes removed. */
export const optionalBaseUrl = z
  .string()
  .optional()
  .refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), {
    error: 'expected an http(s) base URL such as http://127.0.0.1:11434/v1',
  })
  .transform((v) => v?.replace(/\/+$/, ''));

/** USD per million tokens by model: "gpt-4o=2.5/10,gpt-4o-mini=0.15/0.6". */
export function parsePrices(value: string, ctx?: z.RefinementCtx): Record<string, { input: number; output: number }> {
  const out: Record<string, { input: number; output: number }> = {};
  for (const part of value.split(',').map((p) => p.trim())) {
    if (!part) continue;
    const match = /^([^=\s]+)=(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) {
      const problem = `expected "model=input/output" in USD per million tokens, got "${part}"`;
      ctx?.addIssue({ code: 'custom', message: problem });
      if (!ctx) throw new Error(problem);
      continue;
    }
    out[match[1] as string] = { input: Number(match[2]), output: Number(match[3]) };
  }
  return out;
}

/** Built-in prices (USD per million input/output tokens); PAC_LLM_PRICES adds or overrides entries. */
export const DEFAULT_LLM_PRICES: Record<string, { input: number; output: number }> = {
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
};
