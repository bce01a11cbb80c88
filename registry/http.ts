/**
 * The HTTP core of the MLflow client: one request, its timeout and retries, its errors, and the
 * validation of the JSON answer. Every section of the REST API (experiments.ts, runs.ts,
 * artifacts.ts, registered-models.ts, model-versions.ts) builds on it.
 *
 * Only GET requests are retried (on connection failure or 502/503/504); every request has a
 * timeout. Failures throw MlflowError (the server said no: branch on `errorCode`) or
 * MlflowConnectionError (no answer, or no answer in time).
 */
import type { z } from 'zod';
import { describeZodIssues } from '../lib/zod-issues';
import { describeFetchFailure, isMlflowError, MlflowConnectionError, MlflowError, parseErrorBody } from './errors';

export interface MlflowClientOptions {
  /** the tracking server, e.g. http://127.0.0.1:5000 */
  uri: string;
  /** per-request timeout in milliseconds (default 30 000) */
  timeoutMs?: number;
  /** how often a GET is retried after a connection failure or 502/503/504 (default 2) */
  getRetries?: number;
  /** extra headers for every request */
  headers?: Record<string, string>;
  /** bearer token for every request (`Authorization: Bearer …`, as MLFLOW_TRACKING_TOKEN); PAC_MLFLOW_TOKEN */
  token?: string;
}

/** "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL", as in MLflow's ViewType. */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** max_results of every paged search the client walks through. */
export const SEARCH_PAGE_SIZE = 1000;

const RETRYABLE_STATUSES = new Set([502, 503, 504]);

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface RequestSpec {
  method: Method;
  path: string;
  query?: Query;
  /** JSON body */
  json?: unknown;
  /** raw body (artifact upload) */
  raw?: { data: Uint8Array; contentType: string };
}

/** One page of a paged search: its items and the token of the next page (absent on the last). */
export interface Page<T> {
  items: T[];
  next: string | undefined;
}

/** Milliseconds since the epoch from a number or a Date; `fallback` when absent. */
export const millis = (value: number | Date | undefined, fallback: number): number =>
  value === undefined ? fallback : value instanceof Date ? value.getTime() : value;

/**
 * A request body from the client's options: each option is the MLflow field of the same name in
 * camelCase (experimentId -> experiment_id), so the REST reference documents both. Undefined
 * values are left out of the JSON.
 */
export function wireFields(options: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([key, value]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value]));
}

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
/** An MLflow record's fields as the client's options name them (source_type -> sourceType): what wireFields sends as that record. */
export type ClientFields<T> = { [K in keyof T as CamelCase<K & string>]: T[K] };

const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)));

export class MlflowHttp {
  /** the server, without a trailing slash */
  readonly uri: string;
  readonly timeoutMs: number;
  private readonly getRetries: number;
  private readonly headers: Record<string, string>;

  constructor(options: MlflowClientOptions) {
    let url: URL;
    try {
      url = new URL(options.uri);
    } catch {
      throw new TypeError(`MLflow uri ${JSON.stringify(options.uri)} is not a URL (expected e.g. http://127.0.0.1:5000)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`MLflow uri ${JSON.stringify(options.uri)} must be http(s)`);
    }
    this.uri = options.uri.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    if (!(this.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    this.getRetries = Math.max(0, Math.floor(options.getRetries ?? 2));
    this.headers = { ...options.headers, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
  }

  /** GET /health: true when the server answers OK; false (never throws) when it is down or unwell. */
  async health(): Promise<boolean> {
    try {
      const response = await fetch(`${this.uri}/health`, {
        headers: this.headers,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok;
    } catch {
      return false;
    }
  }

  /** GET /version: the server's MLflow version, e.g. "3.17.2". */
  async version(): Promise<string> {
    const response = await this.send({ method: 'GET', path: '/version' });
    return (await response.text()).trim();
  }

  /** One call to /api/2.0/mlflow/<endpoint>, its JSON answer validated by `schema`. */
  protected async api<S extends z.ZodType>(
    method: Method,
    endpoint: string,
    schema: S,
    options: { query?: Query; json?: unknown; fullPath?: string } = {},
  ): Promise<z.output<S>> {
    const path = options.fullPath ?? `/api/2.0/mlflow/${endpoint}`;
    const response = await this.send({ method, path, query: options.query, json: options.json });
    const text = await response.text();
    let json: unknown;
    try {
      json = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw new MlflowError(response.status, 'UNEXPECTED_RESPONSE', `answer is not JSON: ${text.slice(0, 200)}`, method, path);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const detail = `answer does not match the expected record: ${describeZodIssues(parsed.error)}`;
      throw new MlflowError(response.status, 'UNEXPECTED_RESPONSE', detail, method, path);
    }
    return parsed.data;
  }

  /** undefined instead of a RESOURCE_DOES_NOT_EXIST error. */
  protected async orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
    try {
      return await call;
    } catch (error) {
      if (isMlflowError(error, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
      throw error;
    }
  }

  /**
   * `find()`, else `create()`; when another process creates it between the two (MLflow answers
   * RESOURCE_ALREADY_EXISTS), `find()` again.
   */
  protected async findOrCreate<T>(find: () => Promise<T | undefined>, create: () => Promise<T>): Promise<T> {
    const existing = await find();
    if (existing) return existing;
    try {
      return await create();
    } catch (error) {
      if (!isMlflowError(error, 'RESOURCE_ALREADY_EXISTS')) throw error;
      const raced = await find();
      if (!raced) throw error;
      return raced;
    }
  }

  /** Every item of a paged search; stops on a repeated token rather than loop forever. */
  protected async allPages<T>(fetchPage: (pageToken: string | undefined) => Promise<Page<T>>): Promise<T[]> {
    const all: T[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (;;) {
      const page = await fetchPage(token);
      all.push(...page.items);
      if (!page.next || seen.has(page.next)) return all;
      seen.add(page.next);
      token = page.next;
    }
  }

  /** Sends one request and returns the successful response; throws MlflowError or MlflowConnectionError. */
  protected async send(spec: RequestSpec): Promise<Response> {
    const url = this.url(spec.path, spec.query);
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers };
    let body: string | Uint8Array | undefined;
    if (spec.raw) {
      headers['content-type'] = spec.raw.contentType;
      body = spec.raw.data;
    } else if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    }
    const attempts = spec.method === 'GET' ? 1 + this.getRetries : 1;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: spec.method,
          headers,
          body: body as RequestInit['body'],
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        if (!timedOut && attempt < attempts) {
          await backoff(attempt);
          continue;
        }
        throw new MlflowConnectionError(
          spec.method,
          url,
          timedOut ? 'timeout' : 'network',
          timedOut
            ? `MLflow ${spec.method} ${url} timed out after ${this.timeoutMs} ms`
            : `cannot reach MLflow at ${this.uri} (${spec.method} ${url}): ${describeFetchFailure(error)}`,
          { cause: error },
        );
      }
      if (response.ok) return response;
      const text = await response.text().catch(() => '');
      if (RETRYABLE_STATUSES.has(response.status) && attempt < attempts) {
        await backoff(attempt);
        continue;
      }
      const { errorCode, message } = parseErrorBody(response.status, text);
      throw new MlflowError(response.status, errorCode, message, spec.method, spec.path);
    }
  }

  private url(path: string, query: Query | undefined): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) params.append(key, item);
      else params.append(key, String(value));
    }
    const qs = params.toString();
    return `${this.uri}${path}${qs ? `?${qs}` : ''}`;
  }
}
