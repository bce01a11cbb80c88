/**
 * Every route's real answers against the response schemas it declares, on the real engines: each
 * documented route of the app's route table gets requests (success and errors), each body must
 * parse with the route's schema for the status code it came with, and the same body with an
 * unexpected key must not. A route added without requests here fails the last test.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WeaviateStore } from '../../activities/retrieval/weaviate';
import type { ApiRoute } from '../../api/server';
import { CI_LOGS_DIR, POLICIES_DIR } from '../../datasets/paths';
import { loadConfig } from '../../infra/config';
import { type ApiServer, startApiServer } from './api-harness';
import { testEnv, uniqueName } from './harness';

const ALICE = 'alice-token-0123456789';
const BOB = 'bob-token-0123456789abc';
const ADMISSION = 'admission-token-0123456789';
const collection = `KbSchemaTest_${Date.now().toString(36)}`;
const env = () => ({
  ...testEnv(),
  // alice: the old name:token form (read + propose); bob may approve
  PAC_API_TOKENS: `alice:${ALICE},bob:${BOB}:read+propose+approve`,
  PAC_QA_COLLECTION: collection,
  PAC_API_RATE_LIMIT: '10000',
  PAC_ADMISSION_TOKEN: ADMISSION,
  PAC_TASK_QUEUE_DRAFTING: `schema-drafting-${Date.now().toString(36)}`,
  PAC_PUBLISH_DIR: mkdtempSync(join(tmpdir(), 'pac-api-schemas-publish-')),
});

let server: ApiServer | undefined;
const key = (route: Pick<ApiRoute, 'method' | 'url'>) => `${route.method} ${route.url}`;
/** route → the status codes its checked answers came with */
const checked = new Map<string, Set<number>>();

/**
 * Sends a request to a route ("METHOD /pattern"), expects the status, and checks the body against
 * the route's declared schema for that status, then that an added key is refused.
 */
async function check(route: string, status: number, options: { path?: string; body?: unknown; token?: string } = {}) {
  const api = server as ApiServer;
  const [method, pattern] = route.split(' ') as [string, string];
  const declared = api.routes.find((r) => key(r) === route);
  expect(declared, `${route} is a route of the app`).toBeDefined();
  // alice's token unless the check says otherwise ('' = none)
  const got = await api.call(method, options.path ?? pattern, { ...options, token: options.token ?? ALICE });
  expect(got.status, `${route}: ${got.text.slice(0, 300)}`).toBe(status);
  const schema = declared?.response[String(status)];
  expect(schema, `${route} declares a ${status} response`).toBeDefined();
  const parsed = schema?.safeParse(got.json);
  expect(parsed?.error?.issues ?? [], `${route} ${status} matches its schema`).toEqual([]);
  expect(schema?.safeParse({ ...got.json, unexpected: true }).success, `${route} ${status} refuses an unexpected key`).toBe(false);
  checked.set(route, new Set([...(checked.get(route) ?? []), status]));
  return got.json;
}

beforeAll(async () => {
  server = await startApiServer(env());
});

afterAll(async () => {
  await server?.close();
  const store = await WeaviateStore.connect(loadConfig(env()));
  await store.deleteCollection(collection).catch(() => {});
  await store.close();
});

const denied = () => readFileSync(join(POLICIES_DIR, 'pss-privileged', 'samples', 'disallowed', 'daemonset-profiler-agent.yaml'), 'utf8');

describe('response schemas of every route, on real answers', () => {
  it('health, analysis, models and drift', async () => {
    await check('GET /healthz', 200);
    await check('GET /readyz', 200);
    await check('POST /v1/analyze', 200, { body: { manifests: `${denied()}\n---\nkind: [broken\n`, top: 3 } });
    await check('POST /v1/analyze', 400, { body: { top: 3 } });
    await check('GET /v1/models', 200);
    await check('GET /v1/drift', 200, { path: '/v1/drift?limit=3' });
    await check('GET /v1/drift', 400, { path: '/v1/drift?limit=0' });
  });

  it('documents and questions', async () => {
    const text = '# Wombat gateway\n\nThe wombat gateway listens on port 7443 and rotates its certificates every 30 days.\n';
    const content = Buffer.from(text).toString('base64');
    await check('POST /v1/documents', 401, { token: '', body: { name: 'wombat.md', contentType: 'text/markdown', content } });
    await check('POST /v1/documents', 200, { token: ALICE, body: { name: 'wombat.md', contentType: 'text/markdown', content } });
    await check('POST /v1/query', 200, { body: { question: 'Which port does the wombat gateway listen on?' } });
    await check('POST /v1/query', 200, { body: { question: 'What is the capital of France?' } });
    await check('POST /v1/query', 400, { body: { question: 'Which port does the wombat gateway use?', promptVersion: 'v9' } });
    await check('GET /v1/documents', 200);
    await check('POST /v1/documents/upload', 415, { token: ALICE, body: { name: 'wombat.md' } });
    // a multipart upload (call sends JSON): the same schema checks by hand
    const form = new FormData();
    form.append('file', new Blob([text]), 'wombat-notes.md');
    const upload = await fetch(`${(server as ApiServer).base}/v1/documents/upload`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${ALICE}` },
    });
    expect(upload.status).toBe(200);
    const uploadSchema = (server as ApiServer).routes.find((r) => key(r) === 'POST /v1/documents/upload')?.response['200'];
    const uploaded = await upload.json();
    expect(uploadSchema?.safeParse(uploaded).error?.issues ?? []).toEqual([]);
    expect(uploadSchema?.safeParse({ ...uploaded, unexpected: true }).success).toBe(false);
    checked.get('POST /v1/documents/upload')?.add(200);
  });

  it('the drafting loop: propose, status, approve one draft and reject another', async () => {
    await check('POST /v1/propose', 400, { token: ALICE, body: { intent: 'short' } });
    const proposals = ['Pods must not define hostAliases', 'Containers must not set stdin to true'].map((intent) => ({
      intent: `${intent} [${uniqueName('schema')}]`,
      severity: 'low',
    }));
    const ids: string[] = [];
    for (const body of proposals) ids.push((await check('POST /v1/propose', 202, { token: ALICE, body })).id);
    const working = ['retrieving', 'generating', 'testing', 'guardrails'];
    for (const id of ids) {
      let state = 'retrieving';
      for (let i = 0; i < 300 && working.includes(state); i++) {
        state = (await check('GET /v1/drafts/:id', 200, { path: `/v1/drafts/${id}` })).state;
        if (working.includes(state)) await new Promise((r) => setTimeout(r, 200));
      }
      expect(state, id).toBe('awaiting-approval');
    }
    const [approve, reject] = ids as [string, string];
    await check('GET /v1/drafts/:id', 404, { path: '/v1/drafts/draft-000000000000' });
    await check('POST /v1/drafts/:id/approve', 200, { path: `/v1/drafts/${approve}/approve`, token: BOB, body: { comment: 'ok' } });
    await check('POST /v1/drafts/:id/reject', 200, { path: `/v1/drafts/${reject}/reject`, token: BOB, body: { reason: 'too broad' } });
    await check('POST /v1/drafts/:id/reject', 409, { path: `/v1/drafts/${approve}/reject`, token: BOB, body: { reason: 'too late' } });
    await check('POST /v1/drafts/:id/approve', 400, { path: `/v1/drafts/${reject}/approve`, token: BOB, body: { comment: 1 } });
  });

  it('troubleshooting, autofix and CI logs', async () => {
    const troubleshot = await check('POST /v1/troubleshoot', 200, { body: { manifest: denied() } });
    expect(troubleshot.results[0].recommendation.fixes.length).toBeGreaterThan(0);
    await check('POST /v1/troubleshoot', 200, { body: { denial: 'Error from server (Forbidden): pods is forbidden: User "ci" cannot' } });
    await check('POST /v1/troubleshoot', 400, { body: { manifest: 'kind: Pod\nmetadata: [unclosed\n' } });
    const fixed = await check('POST /v1/autofix', 200, { token: ALICE, body: { manifest: denied() } });
    expect(fixed.resources[0].applied.length + fixed.resources[0].unresolved.length).toBeGreaterThan(0);
    await check('POST /v1/autofix', 404, { token: ALICE, body: { manifest: denied(), policy: 'no-such-policy' } });
    const linted = await check('POST /v1/lint', 200, {
      body: { files: [{ name: 'policy.rego', content: 'package x\n\ndeny contains msg if {\n  input.kind == "Pod"\n  msg := "no"\n}\n' }] },
    });
    expect(linted.files).toEqual(['policy.rego']);
    await check('POST /v1/lint', 400, { body: { files: [{ name: '../escape.rego', content: 'package x' }] } });
    const labels = readFileSync(join(CI_LOGS_DIR, 'labels.jsonl'), 'utf8').trim().split('\n');
    for (const line of labels.slice(0, 3)) {
      const { file } = JSON.parse(line) as { file: string };
      await check('POST /v1/ci-log', 200, { body: { log: readFileSync(join(CI_LOGS_DIR, 'logs', file), 'utf8') } });
    }
  });

  it('feedback on a suggested fix', async () => {
    const body = { policy: 'pss-privileged', kind: 'DaemonSet', namespace: 'monitoring', name: 'profiler-agent', outcome: 'accepted' };
    const recorded = await check('POST /v1/feedback', 201, { body });
    expect(recorded).toMatchObject({ ...body, source: 'api', who: 'alice', strategy: null });
    await check('POST /v1/feedback', 404, { body: { ...body, policy: 'no-such-policy' } });
    await check('POST /v1/feedback', 400, { body: { ...body, outcome: 'ignored' } });
    await check('POST /v1/feedback', 401, { token: '', body });
  });

  it('the admission webhook (its own token)', async () => {
    const review = (object: unknown) => ({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'schema-1', kind: { group: 'apps', version: 'v1', kind: 'DaemonSet' }, operation: 'CREATE', object },
    });
    const answer = await check('POST /v1/admission/validate', 200, { token: ADMISSION, body: review(parse(denied())) });
    expect(answer.response).toMatchObject({ uid: 'schema-1', allowed: false });
    await check('POST /v1/admission/validate', 400, { token: ADMISSION, body: { ...review({}), kind: 'Review' } });
    await check('POST /v1/admission/validate', 401, { token: ALICE, body: review({}) });
  });

  it('covered every documented route with a success answer', () => {
    // HEAD routes are Fastify's copies of the GET routes; the docs and /metrics are hidden from the OpenAPI document
    const documented = (server as ApiServer).routes.filter((r) => !r.hidden && r.method !== 'HEAD').map(key);
    expect([...checked.keys()].sort()).toEqual([...documented].sort());
    for (const [route, statuses] of checked)
      expect(
        [...statuses].some((s) => s < 300),
        route,
      ).toBe(true);
  });
});
