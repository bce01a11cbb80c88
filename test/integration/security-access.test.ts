/**
 * Access control and secrets on the real engines:
 * - a malformed PAC_API_TOKENS stops `pac` with exit code 2 naming the variable and the entry,
 *   and no output of the process holds the tokens;
 * - the MLflow token: a loopback gate in front of the real MLflow lets through only requests with
 *   `Authorization: Bearer <PAC_MLFLOW_TOKEN>`; the registry client (experiments, runs, metrics,
 *   artifacts) and the health probe work through it, and without the token they are refused;
 * - a Temporal API key (PAC_TEMPORAL_TLS=false for the dev server) is accepted by the real server;
 * - four-eyes over HTTP with the real drafting workflow: the token that proposed cannot approve;
 * - secrets planted everywhere (tokens, LLM key, MLflow token) never reach an answer or a log line,
 *   even when the LLM endpoint echoes its key in an error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeaviateStore } from '../../activities/retrieval/weaviate';
import { buildApp } from '../../api/server';
import { troubleshootBackend } from '../../api/troubleshoot-backend';
import { loadConfig } from '../../infra/config';
import { probeEngine } from '../../infra/health';
import { MlflowError } from '../../registry/errors';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { temporalClient } from '../../workers/temporal';
import { type ApiServer, startApiServer } from './api-harness';
import { testEnv, uniqueName } from './harness';

const ROOT = join(import.meta.dirname, '..', '..');
const ALICE = 'alice-Q7mZ2xw-token-0123456789';
const BOB = 'bob-K4vX9pr-token-abcdefghijkl';
const LLM_KEY = 'sk-planted-llm-key-abcdefghijklmnop';
const MLFLOW_TOKEN = 'mlflow-planted-token-0123456789';
const SECRETS = [ALICE, BOB, LLM_KEY, MLFLOW_TOKEN];

/** A gate in front of `target` that forwards only requests carrying the bearer token. */
function bearerGate(
  target: string,
  token: string,
): Promise<{ url: string; refused: () => number; passed: () => number; close: () => Promise<void> }> {
  let refused = 0;
  let passed = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      refused++;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error_code": "UNAUTHENTICATED", "message": "a bearer token is required"}');
      return;
    }
    passed++;
    const upstream = new URL(req.url ?? '/', target);
    const forward = httpRequest(upstream, { method: req.method, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        refused: () => refused,
        passed: () => passed,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

/** An OpenAI-compatible endpoint that always fails, repeating the key it was sent (as some providers do). */
function echoingLlm(): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server = createServer((req, res) => {
    calls++;
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${String(req.headers.authorization).slice(7)}` } }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
        calls: () => calls,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

/** a secret, or any 12 characters of it, in an output */
const leaked = (text: string) => SECRETS.filter((s) => [...Array(s.length - 11).keys()].some((i) => text.includes(s.slice(i, i + 12))));

describe('configuration errors', () => {
  it('a malformed PAC_API_TOKENS stops pac with exit code 2, naming the entry and never a token', () => {
    const value = `alice:${ALICE}:read,${BOB}`;
    const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'pac.js'), 'models', '--json'], {
      cwd: ROOT,
      env: { ...testEnv(), PAC_API_TOKENS: value },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/PAC_API_TOKENS=<hidden, \d+ characters>: entry 2 of 2: expected "name:token"/);
    expect(leaked(`${run.stdout}${run.stderr}`)).toEqual([]);
  });
});

describe('the MLflow token', () => {
  let gate: Awaited<ReturnType<typeof bearerGate>> | undefined;
  beforeAll(async () => {
    gate = await bearerGate(loadConfig(testEnv()).mlflow.uri, MLFLOW_TOKEN);
  });
  afterAll(() => gate?.close());

  it('is sent on every request of the registry client and the health probe', async () => {
    const through = loadConfig({ ...testEnv(), PAC_MLFLOW_URI: gate?.url, PAC_MLFLOW_TOKEN: MLFLOW_TOKEN });
    const client = mlflowClientFromConfig(through);
    const experiment = await client.getOrCreateExperiment(uniqueName('kpc-token'));
    const run = await client.createRun({ experimentId: experiment.experiment_id, runName: 'token-check' });
    await client.logBatch({ runId: run.info.run_id, metrics: [{ key: 'm', value: 1 }], params: { p: 'x' } });
    await client.uploadArtifact(run.info.run_id, 'check/a.json', '{"ok": true}', 'application/json');
    expect(await client.downloadText(run.info.run_id, 'check/a.json')).toBe('{"ok": true}');
    await client.updateRun({ runId: run.info.run_id, status: 'FINISHED' });
    expect((await probeEngine('mlflow', through)).healthy).toBe(true);
    expect(gate?.refused()).toBe(0);
    expect(gate?.passed()).toBeGreaterThanOrEqual(8);
  });

  it('without it the gate refuses, and the error holds no secret', async () => {
    const bare = loadConfig({ ...testEnv(), PAC_MLFLOW_URI: gate?.url });
    const error = await mlflowClientFromConfig(bare)
      .getOrCreateExperiment(uniqueName('kpc-token'))
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(MlflowError);
    expect((error as MlflowError).status).toBe(401);
    expect((await probeEngine('mlflow', bare)).healthy).toBe(false);
    const wrong = loadConfig({ ...testEnv(), PAC_MLFLOW_URI: gate?.url, PAC_MLFLOW_TOKEN: `${MLFLOW_TOKEN}-wrong` });
    const refused = await mlflowClientFromConfig(wrong)
      .getOrCreateExperiment(uniqueName('kpc-token'))
      .catch((e: Error) => e);
    expect(leaked(String((refused as Error).message))).toEqual([]);
  });
});

describe('the Temporal API key', () => {
  it('is accepted by the real server on a plain connection (PAC_TEMPORAL_TLS=false)', async () => {
    const config = loadConfig({ ...testEnv(), PAC_TEMPORAL_API_KEY: 'dev-server-api-key-0123', PAC_TEMPORAL_TLS: 'false' });
    const client = await temporalClient(config);
    try {
      const info = await client.connection.workflowService.describeNamespace({ namespace: config.temporal.namespace });
      expect(info.namespaceInfo?.name).toBe(config.temporal.namespace);
    } finally {
      await client.connection.close();
    }
    expect((await probeEngine('temporal', config)).healthy).toBe(true);
  });
});

describe('four-eyes over HTTP', () => {
  let api: ApiServer | undefined;
  const env = () => ({
    ...testEnv(),
    PAC_API_TOKENS: `alice:${ALICE}:read+propose+approve,bob:${BOB}:read+approve`,
    PAC_API_RATE_LIMIT: '10000',
    PAC_TASK_QUEUE_DRAFTING: `access-drafting-${Date.now().toString(36)}`,
    PAC_PUBLISH_DIR: mkdtempSync(join(tmpdir(), 'pac-access-publish-')),
  });
  beforeAll(async () => {
    api = await startApiServer(env());
  });
  afterAll(() => api?.close());

  it('the requester’s token cannot approve its draft; another reviewer’s can', async () => {
    const call = (api as ApiServer).call;
    const intent = `Pods must not define hostAliases [${uniqueName('four-eyes')}]`;
    const proposed = await call('POST', '/v1/propose', { body: { intent, severity: 'low' }, token: ALICE });
    expect(proposed.status).toBe(202);
    const id = proposed.json.id as string;
    let state = '';
    for (let i = 0; i < 150 && state !== 'awaiting-approval'; i++) {
      state = (await call('GET', `/v1/drafts/${id}`, { token: BOB })).json.state;
      if (state !== 'awaiting-approval') await new Promise((r) => setTimeout(r, 200));
    }
    expect(state).toBe('awaiting-approval');
    const own = await call('POST', `/v1/drafts/${id}/approve`, { body: { comment: 'mine' }, token: ALICE });
    expect(own.status).toBe(403);
    expect(own.json.error.message).toMatch(/four-eyes: "alice" proposed/);
    expect((await call('GET', `/v1/drafts/${id}`, { token: BOB })).json.state).toBe('awaiting-approval');
    const other = await call('POST', `/v1/drafts/${id}/approve`, { body: { comment: 'ok' }, token: BOB });
    expect(other.status).toBe(200);
    expect(other.json.detail.decision).toMatchObject({ kind: 'approve', reviewer: 'bob' });
  });
});

describe('secrets in answers and logs', () => {
  const lines: string[] = [];
  const log = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  const collection = `KbAccess_${Date.now().toString(36)}`;
  let llm: Awaited<ReturnType<typeof echoingLlm>> | undefined;
  let built: Awaited<ReturnType<typeof buildApp>> | undefined;
  const env = () => ({
    ...testEnv(),
    PAC_API_TOKENS: `alice:${ALICE}:read+propose,bob:${BOB}:read`,
    PAC_API_RATE_LIMIT: '10000',
    PAC_QA_COLLECTION: collection,
    PAC_LLM_BASE_URL: llm?.url,
    PAC_LLM_API_KEY: LLM_KEY,
    PAC_MLFLOW_TOKEN: MLFLOW_TOKEN,
  });
  beforeAll(async () => {
    llm = await echoingLlm();
    const config = loadConfig(env());
    built = await buildApp({ config, log, processMetrics: false, troubleshoot: troubleshootBackend(config) });
  });
  afterAll(async () => {
    await built?.close();
    await llm?.close();
    const store = await WeaviateStore.connect(loadConfig(env()));
    await store.deleteCollection(collection).catch(() => {});
    await store.close();
  });

  it('no answer or log line holds a planted secret, even when the LLM endpoint echoes its key', async () => {
    const app = (built as Awaited<ReturnType<typeof buildApp>>).app;
    const send = async (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) => {
      const got = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload: payload as object } : {}),
      });
      return { status: got.statusCode, text: got.body };
    };
    const outputs: string[] = [];
    const doc = '# Platypus gateway\n\nThe platypus gateway listens on port 8443 and checks every admission review.\n';
    const upload = await send('POST', '/v1/documents', ALICE, {
      name: 'platypus.md',
      contentType: 'text/markdown',
      content: Buffer.from(doc).toString('base64'),
    });
    expect(upload.status).toBe(200);
    outputs.push(upload.text);
    for (const question of ['Which port does the platypus gateway listen on?', `Is ${ALICE} a valid token for the platypus gateway?`]) {
      const answer = await send('POST', '/v1/query', BOB, { question, noCache: true });
      expect(answer.status).toBe(200);
      outputs.push(answer.text);
    }
    outputs.push((await send('POST', '/v1/ci-log', BOB, { log: 'Error from server (Forbidden): pods is forbidden' })).text);
    outputs.push((await send('GET', '/v1/models', BOB)).text);
    outputs.push((await send('GET', '/v1/models', `${ALICE}x`)).text);
    outputs.push((await send('GET', `/v1/nothing/${BOB}`, BOB)).text);
    expect(llm?.calls()).toBeGreaterThan(0);
    const everything = `${outputs.join('\n')}\n${lines.join('')}`;
    expect(lines.length).toBeGreaterThan(5);
    expect(leaked(everything)).toEqual([]);
  });
});
