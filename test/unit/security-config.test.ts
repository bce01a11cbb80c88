/**
 * The security configuration without engines: token scopes (and the old token form), reviewers and
 * four-eyes, configuration errors that never show a secret, and the client options built from the
 * configuration — Temporal TLS / mTLS / API key, the MLflow bearer token and the Weaviate API key —
 * checked on the requests the clients really send (a loopback listener records their headers).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postOpenAI } from '../../activities/llm/embeddings';
import { ClientConfigError, mlflowHeaders, temporalConnectionOptions } from '../../infra/clients';
import { ConfigError, loadConfig, parseApiTokens, secretValues } from '../../infra/config';
import { probeEngine } from '../../infra/health';
import { REDACTED, secretRedactor } from '../../lib/redact';
import { mlflowClientFromConfig } from '../../registry/mlflow';

const HOME = { HOME: '/tmp/pac-unit-home' };
const ALICE = 'alice-secret-token-0123456789';
const BOB = 'bob-secret-token-abcdefghijk';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ ...HOME, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** Every substring of length ≥ 8 of a secret: none may appear in an output. */
function leaks(output: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets)
    for (let i = 0; i + 8 <= secret.length; i++) if (output.includes(secret.slice(i, i + 8))) found.push(secret.slice(i, i + 8));
  return found;
}

describe('API tokens and scopes', () => {
  it('reads name:token:scope+scope, and the old name:token form as read+propose', () => {
    expect(parseApiTokens(`alice:${ALICE}:read+approve, bob:${BOB}, root:root-token-0123456789:admin`)).toEqual([
      { name: 'alice', token: ALICE, scopes: ['read', 'approve'] },
      { name: 'bob', token: BOB, scopes: ['read', 'propose'] },
      { name: 'root', token: 'root-token-0123456789', scopes: ['admin'] },
    ]);
  });

  it.each([
    [`alice:${ALICE}:read,${BOB}`, /entry 2 of 2: expected "name:token"/],
    [`alice:${ALICE}:read+superuser`, /entry 1 of 1: unknown scope/],
    [`alice:${ALICE},bob:short`, /entry 2 of 2: the token is shorter than 16/],
    [`alice:${ALICE},alice:${BOB}`, /entry 2 of 2: its name is already used/],
    [`alice:${ALICE},bob:${ALICE}`, /entry 2 of 2: its token is already used/],
    [`al ice:${ALICE}`, /entry 1 of 1: the name must be/],
    [`${ALICE}:alice:read:extra`, /entry 1 of 1: expected/],
  ])('names the entry of a malformed PAC_API_TOKENS, never its value (%#)', (value, expected) => {
    const error = configError({ PAC_API_TOKENS: value });
    const text = `${error.message}\n${JSON.stringify(error.problems)}\n${error.stack}`;
    expect(error.problems[0]?.variable).toBe('PAC_API_TOKENS');
    expect(error.problems[0]?.message).toMatch(expected);
    expect(text).toContain(`PAC_API_TOKENS=<hidden, ${value.length} characters>`);
    expect(leaks(text, [ALICE, BOB])).toEqual([]);
    expect(text).not.toContain(value);
  });

  it('hides the other secret variables in configuration errors too', () => {
    const secret = 'sk-live-abcdefghijklmnopqrstuvwxyz';
    // a bad neighbour makes loadConfig fail; the secret variables are listed only by length
    const error = configError({ PAC_LLM_API_KEY: secret, PAC_MLFLOW_TOKEN: secret, PAC_API_TOKENS: `x:${secret}:nope` });
    expect(leaks(`${error.message}${JSON.stringify(error.problems)}`, [secret])).toEqual([]);
  });
});

describe('reviewers and four-eyes', () => {
  it('defaults to four-eyes on and no reviewer list', () => {
    const config = loadConfig(HOME);
    expect(config.drafting.fourEyes).toBe(true);
    expect(config.drafting.reviewers).toEqual([]);
  });

  it('reads the reviewer list and the switch, and names a bad value', () => {
    const config = loadConfig({ ...HOME, PAC_REVIEWERS: 'alice, bob,alice', PAC_FOUR_EYES: 'false' });
    expect(config.drafting.reviewers).toEqual(['alice', 'bob']);
    expect(config.drafting.fourEyes).toBe(false);
    expect(configError({ PAC_FOUR_EYES: 'maybe' }).problems[0]).toMatchObject({
      variable: 'PAC_FOUR_EYES',
      message: 'expected true or false',
    });
    expect(configError({ PAC_REVIEWERS: 'alice,bad name' }).problems[0]?.message).toMatch(/name 2 of 2/);
  });
});

describe('Temporal connection options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pac-tls-'));
  const pem = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, `-----BEGIN ${body}-----\nAAAA\n-----END ${body}-----\n`);
    return path;
  };

  it('is plain gRPC by default', () => {
    expect(temporalConnectionOptions(loadConfig(HOME))).toEqual({ address: '127.0.0.1:7233' });
  });

  it('reads the CA, the client pair and the server name for mTLS', () => {
    const config = loadConfig({
      ...HOME,
      PAC_TEMPORAL_ADDRESS: 'temporal.internal:7233',
      PAC_TEMPORAL_TLS_CA: pem('ca.pem', 'CERTIFICATE'),
      PAC_TEMPORAL_TLS_CERT: pem('client.pem', 'CERTIFICATE'),
      PAC_TEMPORAL_TLS_KEY: pem('client.key', 'PRIVATE KEY'),
      PAC_TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal',
    });
    const options = temporalConnectionOptions(config);
    expect(options.address).toBe('temporal.internal:7233');
    const tls = options.tls || {};
    expect(tls.serverNameOverride).toBe('frontend.temporal');
    expect(Buffer.from(tls.serverRootCACertificate ?? []).toString()).toContain('BEGIN CERTIFICATE');
    expect(Buffer.from(tls.clientCertPair?.key ?? []).toString()).toContain('BEGIN PRIVATE KEY');
    expect(options.apiKey).toBeUndefined();
  });

  it('sends an API key over TLS with the namespace, as Temporal Cloud wants', () => {
    const options = temporalConnectionOptions(
      loadConfig({ ...HOME, PAC_TEMPORAL_API_KEY: 'tc-api-key-0123456789', PAC_TEMPORAL_NAMESPACE: 'prod.a1b2c' }),
    );
    expect(options).toEqual({
      address: '127.0.0.1:7233',
      tls: {},
      apiKey: 'tc-api-key-0123456789',
      metadata: { 'temporal-namespace': 'prod.a1b2c' },
    });
    // a plain dev server with a key: TLS stays off only when PAC_TEMPORAL_TLS=false says so
    expect(
      temporalConnectionOptions(loadConfig({ ...HOME, PAC_TEMPORAL_API_KEY: 'tc-api-key-0123456789', PAC_TEMPORAL_TLS: 'false' })).tls,
    ).toBe(false);
  });

  it('names the variable of a missing file and of an incomplete pair', () => {
    const config = loadConfig({ ...HOME, PAC_TEMPORAL_TLS_CA: join(dir, 'missing.pem') });
    expect(() => temporalConnectionOptions(config)).toThrow(ClientConfigError);
    expect(() => temporalConnectionOptions(config)).toThrow(/^PAC_TEMPORAL_TLS_CA: cannot read .*missing\.pem \(no such file\)/);
    expect(configError({ PAC_TEMPORAL_TLS_CERT: pem('c.pem', 'CERTIFICATE') }).problems[0]?.variable).toBe('PAC_TEMPORAL_TLS_KEY');
    expect(configError({ PAC_TEMPORAL_TLS: 'false', PAC_TEMPORAL_TLS_CA: pem('x.pem', 'CERTIFICATE') }).problems[0]?.variable).toBe(
      'PAC_TEMPORAL_TLS',
    );
  });
});

describe('requests the clients send', () => {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', headers: request.headers });
    if (request.url === '/echo-key') {
      // a provider that repeats the key it was given in its error, as some do
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `invalid key ${String(request.headers.authorization)}` }));
      return;
    }
    response.writeHead(200, { 'content-type': request.url === '/v1/meta' ? 'application/json' : 'text/plain' });
    response.end(request.url === '/v1/meta' ? '{"version":"1.0.0"}' : request.url === '/version' ? '3.0.0' : 'OK');
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('MLflow: every request of the client and of the health probe carries the bearer token', async () => {
    const config = loadConfig({ ...HOME, PAC_MLFLOW_URI: base, PAC_MLFLOW_TOKEN: 'mlflow-token-0123456789' });
    expect(mlflowHeaders(config)).toEqual({ authorization: 'Bearer mlflow-token-0123456789' });
    seen.length = 0;
    expect(await mlflowClientFromConfig(config).version()).toBe('3.0.0');
    expect(await mlflowClientFromConfig(config).health()).toBe(true);
    expect((await probeEngine('mlflow', config)).healthy).toBe(true);
    expect(seen.map((s) => s.url)).toEqual(['/version', '/health', '/health', '/version']);
    for (const request of seen) expect(request.headers.authorization).toBe('Bearer mlflow-token-0123456789');
    seen.length = 0;
    await mlflowClientFromConfig(loadConfig({ ...HOME, PAC_MLFLOW_URI: base })).version();
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });

  it('Weaviate: the health probe sends the API key to /v1/meta', async () => {
    // the listener's port stands in for the gRPC port too (the probe only opens a TCP connection there)
    const port = base.split(':').pop() as string;
    const config = loadConfig({
      ...HOME,
      PAC_WEAVIATE_URL: base,
      PAC_WEAVIATE_GRPC_PORT: port,
      PAC_WEAVIATE_API_KEY: 'weaviate-key-0123456789',
    });
    seen.length = 0;
    expect((await probeEngine('weaviate', config)).healthy).toBe(true);
    expect(seen.find((s) => s.url === '/v1/meta')?.headers.authorization).toBe('Bearer weaviate-key-0123456789');
  });

  it('an OpenAI-compatible endpoint that echoes the key does not put it in our error', async () => {
    const key = 'sk-test-abcdefghijklmnopqrstuvwxyz012345';
    const error = await postOpenAI('llm', `${base}/echo-key`, {}, { parse: (v: unknown) => v } as never, {
      apiKey: key,
      timeoutMs: 5000,
    }).catch((e: Error) => e);
    expect((error as Error).message).toContain('answered 401');
    expect((error as Error).message).toContain(REDACTED);
    expect(leaks((error as Error).message, [key])).toEqual([]);
  });
});

describe('secret redaction', () => {
  it('lists every configured secret and replaces each in any text', () => {
    const config = loadConfig({
      ...HOME,
      PAC_API_TOKENS: `alice:${ALICE}:read`,
      PAC_LLM_API_KEY: 'llm-key-0123456789',
      PAC_EMBEDDINGS_API_KEY: 'emb-key-0123456789',
      PAC_TEMPORAL_API_KEY: 'tmp-key-0123456789',
      PAC_MLFLOW_TOKEN: 'mlf-key-0123456789',
      PAC_WEAVIATE_API_KEY: 'wea-key-0123456789',
    });
    const secrets = secretValues(config);
    expect(secrets).toHaveLength(6);
    const redact = secretRedactor(secrets);
    expect(redact(`token ${ALICE} and llm-key-0123456789 in a line`)).toBe(`token ${REDACTED} and ${REDACTED} in a line`);
    expect(secretRedactor(['short'])('short stays')).toBe('short stays');
  });
});
