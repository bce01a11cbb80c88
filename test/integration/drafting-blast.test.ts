/**
 * Blast radius and replacements on the real engines (Temporal dev server, OPA, Weaviate, MLflow),
 * over HTTP: a stricter organisation policy ("at least 3 replicas") newly denies some known-good
 * fixtures and an observed workload; it shows its blast radius with the resources, waits for a
 * decision when maxBlastRadius is above it, and is held (failed at the blast-radius gate, with the
 * reason) at the default 5 %. A draft reusing a corpus id without `replaces` is refused with 409;
 * with `replaces` it is shown as a replacement (API, memo, Temporal UI details and the approve
 * signal's description), the requester cannot approve it (403 from the workflow's refusal), and
 * its publication overwrites the policy's files and index line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWriters, observationRecorder } from '../../activities/observations';
import { BackendError } from '../../api/backends';
import { temporalDraftsBackend } from '../../api/drafts-backend';
import { loadConfig } from '../../infra/config';
import { temporalClient } from '../../workers/temporal';
import { type ApiServer, startApiServer } from './api-harness';
import { testEnv, uniqueName } from './harness';

const ALICE = 'alice-blast-7Yq2-token-0123456789';
const BOB = 'bob-blast-9Kx4-token-abcdefghijkl';
const publishDir = mkdtempSync(join(tmpdir(), 'pac-blast-publish-'));
const observationsDir = mkdtempSync(join(tmpdir(), 'pac-blast-observations-'));
const env = {
  ...testEnv(),
  PAC_API_TOKENS: `alice:${ALICE}:read+propose+approve,bob:${BOB}:read+approve`,
  PAC_API_RATE_LIMIT: '10000',
  PAC_TASK_QUEUE_DRAFTING: uniqueName('blast-drafting'),
  // no worker polls it: a retrain request after a publication is observed, not run
  PAC_TASK_QUEUE_LIFECYCLE: uniqueName('blast-lifecycle-idle'),
  PAC_PUBLISH_DIR: publishDir,
  PAC_OBSERVATIONS_DIR: observationsDir,
  PAC_DRAFT_MAX_ATTEMPTS: '2',
  PAC_FOUR_EYES: 'true',
};
const config = loadConfig(env);

let api: ApiServer;
let client: Client;

const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'prod' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'registry.internal.example/app:1.0.0' }] },
    },
  },
});

beforeAll(async () => {
  // the observed workloads of the last days: 19 allowed today (one of them with 1 replica), one already denied
  const recorder = observationRecorder(config);
  const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
  recorder.recordNow({ source: 'api', manifest: deployment('legacy-api', 1), time: at(5), denied: [], origin: '/v1/analyze' });
  for (let i = 0; i < 18; i++)
    recorder.recordNow({ source: 'ci', manifest: deployment(`svc-${i}`, 3), time: at(10 + i), denied: [], origin: `ci-${i}.yaml:1` });
  recorder.recordNow({
    source: 'ci',
    manifest: deployment('denied-one', 1),
    time: at(2),
    denied: ['replicas-minimum'],
    origin: 'ci.yaml:9',
  });
  recorder.flush();
  closeWriters();
  api = await startApiServer(env);
  client = await temporalClient(config);
});

afterAll(async () => {
  await client?.workflow
    .getHandle('lifecycle-ranker')
    .terminate('drafting-blast cleanup')
    .catch(() => undefined);
  await api?.close();
  await client?.connection.close();
  for (const dir of [publishDir, observationsDir]) rmSync(dir, { recursive: true, force: true });
});

const stricter = (tag: string, extra: object = {}) => ({
  intent: `Deployments must have at least 3 replicas [${uniqueName(tag)}]`,
  severity: 'medium',
  ...extra,
});

/** Polls the draft until it waits for a decision or has ended. */
async function settle(id: string) {
  let view = (await api.call('GET', `/v1/drafts/${id}`, { token: BOB })).json;
  for (let i = 0; i < 600 && !['awaiting-approval', 'failed', 'needs-clarification'].includes(view.state); i++) {
    await new Promise((r) => setTimeout(r, 200));
    view = (await api.call('GET', `/v1/drafts/${id}`, { token: BOB })).json;
  }
  return view;
}

/** What the Temporal UI reads: the current details and the handlers' descriptions. */
async function uiMetadata(id: string) {
  return (await client.workflow.getHandle(id).query('__temporal_workflow_metadata')) as {
    currentDetails: string;
    definition: {
      signalDefinitions: { name: string; description?: string }[];
      updateDefinitions: { name: string; description?: string }[];
    };
  };
}

describe('blast radius', () => {
  it('shows what a stricter policy newly denies, and waits for a decision when maxBlastRadius allows it', async () => {
    const proposed = await api.call('POST', '/v1/propose', { body: stricter('wide', { maxBlastRadius: 0.1 }), token: ALICE });
    expect(proposed.status).toBe(202);
    const view = await settle(proposed.json.id);
    expect(view.state).toBe('awaiting-approval');
    const blast = view.detail.report.blastRadius;
    expect(blast.fixtures.newlyDenied).toBeGreaterThan(0);
    expect(blast.fixtures.share).toBeGreaterThan(0.05);
    expect(blast.share).toBeLessThanOrEqual(0.1);
    expect(blast).toMatchObject({ max: 0.1, maxFrom: 'request' });
    // the observed window: legacy-api (1 replica) newly denied; denied-one was denied already
    expect(blast.observed).toMatchObject({ checked: 19, newlyDenied: 1, alreadyDenied: 1 });
    expect(blast.resources).toContainEqual(
      expect.objectContaining({ kind: 'Deployment', namespace: 'prod', name: 'legacy-api', source: 'observed', ref: 'api /v1/analyze' }),
    );
    const fixtures = blast.resources.filter((r: { source: string }) => r.source === 'fixture');
    expect(fixtures).toHaveLength(blast.fixtures.newlyDenied);
    expect(fixtures.every((r: { message: string }) => /replica/i.test(r.message))).toBe(true);
    expect(view.blastRadius).toBe(blast.summary);
    expect(view.detail.guardrails.gates.find((g: { gate: string }) => g.gate === 'blast-radius')).toMatchObject({ passed: true });
    // the Temporal UI: the current details and the approve signal's description
    const meta = await uiMetadata(proposed.json.id);
    expect(meta.currentDetails).toContain(`**Blast radius`);
    expect(meta.currentDetails).toContain('Deployment prod/legacy-api [observed: api /v1/analyze]');
    const approve = meta.definition.signalDefinitions.find((s) => s.name === 'approve');
    expect(approve?.description).toContain(blast.summary);
    const rejected = await api.call('POST', `/v1/drafts/${proposed.json.id}/reject`, { body: { reason: 'test done' }, token: BOB });
    expect(rejected.json.state).toBe('rejected');
  });

  it('holds the same policy at the default 5 % gate, with the reason', async () => {
    const proposed = await api.call('POST', '/v1/propose', { body: stricter('narrow'), token: ALICE });
    expect(proposed.status).toBe(202);
    const view = await settle(proposed.json.id);
    expect(view.state).not.toBe('awaiting-approval');
    expect(view.state).toBe('failed');
    const first = view.detail.attempts[0];
    expect(first.report.blastRadius).toMatchObject({ max: 0.05, maxFrom: 'default' });
    expect(first.guardrails.failures.find((f: string) => f.startsWith('blast-radius:'))).toMatch(
      /above the maximum: raise maxBlastRadius.*\[fixture: /,
    );
    expect(view.detail.reasons.join(' ')).toMatch(/blast-radius: blast radius [\d.]+ % \(max 5 %, default\)/);
  });

  it('refuses a maxBlastRadius outside 0..1 with the field', async () => {
    const bad = await api.call('POST', '/v1/propose', { body: stricter('bad', { maxBlastRadius: 5 }), token: ALICE });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/maxBlastRadius/);
  });
});

describe('replacing a corpus policy', () => {
  it('refuses a corpus id without replaces; with replaces it is shown, four-eyes is 403, and publication overwrites it', async () => {
    const clash = await api.call('POST', '/v1/propose', { body: stricter('clash', { policyId: 'replicas-minimum' }), token: ALICE });
    expect(clash.status).toBe(409);
    expect(clash.json.error).toMatchObject({ code: 'conflict' });
    expect(clash.json.error.message).toMatch(/"replicas-minimum" is already a corpus policy; to replace it say so with "replaces"/);
    const nothing = await api.call('POST', '/v1/propose', { body: stricter('nothing', { replaces: 'no-such-policy' }), token: ALICE });
    expect(nothing.status).toBe(422);

    const proposed = await api.call('POST', '/v1/propose', {
      body: stricter('replace', { replaces: 'replicas-minimum', maxBlastRadius: 0.1 }),
      token: ALICE,
    });
    expect(proposed.status).toBe(202);
    const id = proposed.json.id as string;
    const view = await settle(id);
    expect(view.state).toBe('awaiting-approval');
    expect(view.replaces).toBe('replicas-minimum');
    expect(view.detail.draft).toMatchObject({ policyId: 'replicas-minimum', replaces: 'replicas-minimum' });
    const meta = await uiMetadata(id);
    expect(meta.currentDetails).toContain('replaces the existing policy **replicas-minimum**');
    expect(meta.definition.signalDefinitions.find((s) => s.name === 'approve')?.description).toMatch(
      /REPLACES the existing policy replicas-minimum — blast radius/,
    );
    const description = await client.workflow.getHandle(id).describe();
    expect(description.memo).toMatchObject({ policyId: 'replicas-minimum', replaces: 'replicas-minimum' });

    // the requester approving through the backend: the workflow refuses it, the API maps it to 403
    const backend = temporalDraftsBackend(config);
    try {
      const own = await backend.approve(id, 'alice').catch((e) => e);
      expect(own).toBeInstanceOf(BackendError);
      expect(own).toMatchObject({ code: 'forbidden' });
    } finally {
      await backend.close();
    }
    const approved = await api.call('POST', `/v1/drafts/${id}/approve`, { body: { comment: 'org-wide minimum is 3' }, token: BOB });
    expect(approved.status).toBe(200);
    expect(approved.json.state).toBe('published');
    const policy = readFileSync(join(publishDir, 'policies', 'replicas-minimum', 'policy.rego'), 'utf8');
    expect(policy).toBe(view.detail.draft.policy);
    const index = readFileSync(join(publishDir, 'policies', 'index.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(index.map((l) => JSON.parse(l).id)).toEqual(['replicas-minimum']);
    // published now: the id is taken in the publication too, and a fresh request without replaces is refused
    const again = await api.call('POST', '/v1/propose', { body: stricter('again', { policyId: 'replicas-minimum' }), token: ALICE });
    expect(again.status).toBe(409);
  });
});
