/** API pieces without engines: token parsing and auth, price table, error mapping, the 501 seam, /metrics exposition. */
import { describe, expect, it } from 'vitest';
import { TokenAuth } from '../../api/auth';
import { ApiError, toErrorResponse } from '../../api/errors';
import { buildApp } from '../../api/server';
import { type ConfigError, loadConfig, parseApiTokens, parsePrices } from '../../infra/config';

const baseEnv = { HOME: '/tmp/pac-unit-home', PAC_API_TOKENS: 'alice:alice-token-0123456789,bob:bob-token-0123456789' };

describe('API configuration', () => {
  it('parses tokens and prices, with defaults', () => {
    expect(parseApiTokens('alice:aaaaaaaaaaaaaaaa, bob:bbbbbbbbbbbbbbbb:approve')).toEqual([
      { name: 'alice', token: 'aaaaaaaaaaaaaaaa', scopes: ['read', 'propose'] },
      { name: 'bob', token: 'bbbbbbbbbbbbbbbb', scopes: ['approve'] },
    ]);
    expect(parsePrices('m1=1/2,m2=0.15/0.6')).toEqual({ m1: { input: 1, output: 2 }, m2: { input: 0.15, output: 0.6 } });
    const config = loadConfig(baseEnv);
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 8787, bodyLimitBytes: 5 * 1024 * 1024 });
    expect(config.qa).toMatchObject({ collection: 'KbChunks', cacheThreshold: 0.8, promptVersion: 'v2' });
    expect(config.qa.prices['gpt-4o']).toEqual({ input: 2.5, output: 10 });
    expect(loadConfig({ ...baseEnv, PAC_LLM_PRICES: 'gpt-4o=5/20' }).qa.prices['gpt-4o']).toEqual({ input: 5, output: 20 });
  });

  it('names the variable of a bad token list, price table or collection', () => {
    const problem = (env: Record<string, string>) => {
      try {
        loadConfig({ ...baseEnv, ...env });
      } catch (error) {
        return (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`).join('\n');
      }
      return 'no error';
    };
    expect(problem({ PAC_API_TOKENS: 'alice:short' })).toMatch(/PAC_API_TOKENS: entry 1 of 1: the token is shorter than 16/);
    expect(problem({ PAC_API_TOKENS: 'nocolon' })).toMatch(/PAC_API_TOKENS: entry 1 of 1: expected "name:token"/);
    expect(problem({ PAC_API_TOKENS: 'a:aaaaaaaaaaaaaaaa,a:bbbbbbbbbbbbbbbb' })).toMatch(/entry 2 of 2: its name is already used/);
    expect(problem({ PAC_LLM_PRICES: 'gpt-4o=cheap' })).toMatch(/PAC_LLM_PRICES: expected "model=input\/output"/);
    expect(problem({ PAC_QA_COLLECTION: 'kb' })).toMatch(/PAC_QA_COLLECTION/);
    expect(problem({ PAC_API_PORT: '70000' })).toMatch(/PAC_API_PORT/);
  });
});

describe('TokenAuth', () => {
  const auth = new TokenAuth(parseApiTokens(baseEnv.PAC_API_TOKENS));
  it('identifies the caller by the bearer token', () => {
    expect(auth.identify('Bearer bob-token-0123456789')).toEqual({ name: 'bob', scopes: ['read', 'propose'] });
    expect(auth.identify('bearer alice-token-0123456789')).toEqual({ name: 'alice', scopes: ['read', 'propose'] });
    expect(auth.identify('Bearer nope-token-0123456789')).toBeUndefined();
    expect(auth.identify('Basic YWxpY2U6eA==')).toBeUndefined();
    expect(auth.identify(undefined)).toBeUndefined();
  });
});

describe('error mapping', () => {
  it('keeps API errors and hides internals', () => {
    expect(toErrorResponse(new ApiError('not_found', 'no draft x'))).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'no draft x' } },
    });
    expect(toErrorResponse(new Error('secret stack detail'))).toEqual({
      status: 500,
      body: { error: { code: 'internal', message: 'internal error (see the server log)' } },
    });
    expect(
      toErrorResponse(Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })).body.error.code,
    ).toBe('payload_too_large');
  });
});

describe('the app without engines', () => {
  it('answers 401 before 501 on the drafting seam, and 501 with a token', async () => {
    const { app, close } = await buildApp({ config: loadConfig(baseEnv), log: false, processMetrics: false });
    try {
      const anonymous = await app.inject({ method: 'POST', url: '/v1/propose', payload: { intent: 'deny privileged pods please' } });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json()).toMatchObject({ error: { code: 'unauthorized' } });
      const withToken = await app.inject({
        method: 'POST',
        url: '/v1/propose',
        headers: { authorization: 'Bearer alice-token-0123456789' },
        payload: { intent: 'deny privileged pods please' },
      });
      expect(withToken.statusCode).toBe(501);
      expect(withToken.json()).toMatchObject({ error: { code: 'not_implemented' } });
      const troubleshoot = await app.inject({
        method: 'POST',
        url: '/v1/troubleshoot',
        headers: { authorization: 'Bearer alice-token-0123456789' },
        payload: {},
      });
      expect(troubleshoot.statusCode).toBe(400);
      expect(troubleshoot.json().error.message).toMatch(/body\.manifest/);
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('pac_http_request_duration_seconds_count{method="POST",route="/v1/propose",status="501"} 1');
    } finally {
      await close();
    }
  });
});

describe('the Grafana dashboard and the Prometheus scrape config', () => {
  it('use only series the API exports, and scrape the default API address', async () => {
    const { readFileSync } = await import('node:fs');
    const { apiMetrics } = await import('../../api/metrics');
    const exported = new Set((await apiMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const dashboard = JSON.parse(readFileSync(new URL('../../infra/grafana-dashboard.json', import.meta.url), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const used = new Set(
      dashboard.panels.flatMap((p) =>
        p.targets.flatMap((t) => [...t.expr.matchAll(/\bpac_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''))),
      ),
    );
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(exported, name).toContain(name);
    const scrape = readFileSync(new URL('../../infra/prometheus.yml', import.meta.url), 'utf8');
    expect(scrape).toContain(`"127.0.0.1:${loadConfig(baseEnv).api.port}"`);
    expect(scrape).toContain('metrics_path: /metrics');
  });
});
