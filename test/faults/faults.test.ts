/**
 * Fault injection on the real engines (`npm run test:faults`): worker processes SIGKILLed during a
 * training, a draft's test and its publication; the Temporal server restarted while a draft waits;
 * MLflow stopped while a registration is in flight; Weaviate stopped during retrieval; a missing
 * `opa` binary. Each fault is followed by the check that the work completed, and that nothing was
 * lost or done twice: one MLflow run per execution, one registered version, one audit line per
 * decision, one publication. The table (fault / tried / survived / lost / duplicated) and the
 * recovery time after a worker kill during training are printed at the end.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../activities/drafting/publish';
import { EXPERIMENT_NAMES } from '../../activities/lifecycle/run';
import { type Config, loadConfig } from '../../infra/config';
import { down, up } from '../../infra/engines';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { REGISTERED_MODEL_NAMES } from '../../registry/promotion';
import { DraftsClient } from '../../workers/drafts';
import { temporalClient } from '../../workers/temporal';
import { lifecycle } from '../../workflows';
import { approveSignal } from '../../workflows/draft';
import { testEnv, uniqueName } from '../integration/harness';
import { policyRepo } from '../unit/helpers/git-repo';
import {
  activityStarted,
  type FaultRow,
  faultTable,
  killAllWorkers,
  mlflowRelay,
  pendingActivities,
  startedAttempts,
  startWorker,
  until,
} from './harness';

const rows: FaultRow[] = [];
const measured: Record<string, number> = {};
/** the errors users see, printed in full under the table */
const messages: Record<string, string> = {};
let client: Client;
const publishDir = mkdtempSync(join(tmpdir(), 'pac-faults-publish-'));

/** The environment of a worker process (and the matching Config): private queues, reviewers, a publish directory. */
function envFor(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const tag = uniqueName('f');
  return {
    ...testEnv(),
    PAC_TASK_QUEUE: `${tag}-main`,
    PAC_TASK_QUEUE_LIFECYCLE: `${tag}-lifecycle`,
    PAC_TASK_QUEUE_DRAFTING: `${tag}-drafting`,
    PAC_REVIEWERS: 'bob,carol',
    PAC_FOUR_EYES: 'true',
    PAC_PUBLISH_DIR: publishDir,
    PAC_DRAFT_MAX_ATTEMPTS: '2',
    ...extra,
  };
}

const mlflow = (config: Config) => mlflowClientFromConfig(config);

/** MLflow runs of one workflow execution id in an experiment. */
async function runsOf(config: Config, experiment: string, workflowId: string) {
  const client = mlflow(config);
  const found = await client.getExperimentByName(experiment);
  if (!found) return [];
  return (await client.searchRuns({ experimentIds: [found.experiment_id], filter: `tags.workflow_id = '${workflowId}'` })).runs;
}

function record(row: FaultRow) {
  rows.push(row);
}

beforeAll(async () => {
  client = await temporalClient(loadConfig(testEnv()));
});

afterAll(async () => {
  await killAllWorkers();
  await client?.connection.close();
  const table = faultTable(rows);
  const recovery = measured.trainKillRecoveryMs;
  const text = `\nFault injection (real engines):\n${table}\n${
    recovery !== undefined
      ? `recovery after a SIGKILL during training: ${(recovery / 1000).toFixed(1)} s to the retried trainModel on the new worker (heartbeat timeout 45 s), ${((measured.trainKillToDoneMs ?? 0) / 1000).toFixed(1)} s to the registered version\n`
      : ''
  }`;
  const errors = Object.entries(messages).map(([fault, message]) => `${fault}: ${message}`);
  process.stdout.write(`${text}${errors.length ? `errors shown:\n  ${errors.join('\n  ')}\n` : ''}`);
  if (process.env.PAC_FAULTS_REPORT) writeFileSync(process.env.PAC_FAULTS_REPORT, JSON.stringify({ rows, measured, messages }, null, 2));
});

describe('worker killed (SIGKILL of the whole process group)', () => {
  it('during training: a fresh worker retries trainModel within 2 minutes; one MLflow run, one version', async () => {
    const env = envFor();
    const config = loadConfig(env);
    const first = await startWorker(env, ['lifecycle']);
    const workflowId = uniqueName('faults-train');
    const handle = await client.workflow.start(lifecycle, {
      taskQueue: config.temporal.taskQueues.lifecycle,
      workflowId,
      args: [{ family: 'ranker', seed: 42, count: 700, reason: 'fault: SIGKILL during train' }],
    });
    await activityStarted(handle, 'trainModel');
    await new Promise((r) => setTimeout(r, 1_500)); // inside the computation
    const killedAt = Date.now();
    await first.kill();
    await startWorker(env, ['lifecycle']);
    await activityStarted(handle, 'trainModel', 150_000, 2);
    measured.trainKillRecoveryMs = Date.now() - killedAt;
    const result = await handle.result();
    measured.trainKillToDoneMs = Date.now() - killedAt;

    const attempts = await startedAttempts(handle);
    const runs = await runsOf(config, EXPERIMENT_NAMES.ranker, workflowId);
    const versions = await mlflow(config).searchModelVersions(`name = '${REGISTERED_MODEL_NAMES.ranker}' and run_id = '${result.runId}'`);
    record({
      fault: 'SIGKILL worker during train',
      tried: 1,
      survived: result.registration.version ? 1 : 0,
      lost: 0,
      duplicated: Math.max(0, runs.length - 1) + Math.max(0, versions.length - 1),
      note: `trainModel attempts ${attempts.trainModel?.join(',')}; recovery ${(measured.trainKillRecoveryMs / 1000).toFixed(1)} s`,
    });
    expect(attempts.trainModel).toEqual([2]);
    expect(measured.trainKillRecoveryMs).toBeLessThan(120_000);
    expect(runs.map((r) => r.info.run_id)).toEqual([result.runId]);
    expect(runs[0]?.info.status).toBe('FINISHED');
    expect(versions.map((v) => v.version)).toEqual([result.registration.version]);
  });

  it('during the draft test and during the git publication: the draft completes, published once, audited once', async () => {
    const { repo, git } = policyRepo('pac-faults-git-');
    // the real git runs this hook after it moved the branch: the first time, it sleeps there, so the
    // worker can be killed after the commit landed and before the activity reported it
    const marker = join(repo, '.git', 'kpc-hook-held');
    writeFileSync(
      join(repo, '.git', 'hooks', 'reference-transaction'),
      `#!/bin/sh\nif [ "$1" = committed ] && [ ! -e "${marker}" ]; then touch "${marker}"; sleep 120; fi\nexit 0\n`,
      { mode: 0o755 },
    );
    const env = envFor({ PAC_PUBLISH_MODE: 'git', PAC_PUBLISH_GIT_REPO: repo, PAC_PUBLISH_GIT_BRANCH: 'kpc/drafts' });
    const config = loadConfig(env);
    const drafts = new DraftsClient(client, config);
    let worker = await startWorker(env, ['drafting']);
    const started = await drafts.propose({ intent: `Deny containers that set tty [${uniqueName('t')}]`, requester: 'alice' });
    const handle = client.workflow.getHandle(started.draftId);

    // 1. SIGKILL while `opa test` runs
    await activityStarted(handle, 'testDraft', 120_000);
    await worker.kill();
    worker = await startWorker(env, ['drafting']);
    const waiting = await drafts.waitFor(started.draftId, 'guardrails');
    expect(waiting.phase).toBe('awaiting-approval');

    // 2. SIGKILL after the publication commit moved the branch, before the activity answered
    await drafts.approve(started.draftId, { reviewer: 'bob', comment: 'fault test' });
    await activityStarted(handle, 'publishApprovedDraft', 60_000);
    await until('the commit to land (hook holding)', async () => existsSync(marker), 60_000);
    const landed = git('rev-parse', 'kpc/drafts');
    await worker.kill();
    await startWorker(env, ['drafting']);
    const done = await drafts.waitFor(started.draftId, 'decision');

    const attempts = await startedAttempts(handle);
    const commits = git('rev-list', 'main..kpc/drafts').split('\n').filter(Boolean);
    const audit = (await readAudit(config)).filter((r) => r.draftId === started.draftId);
    const runs = await runsOf(config, 'kpc-drafts', started.draftId);
    const duplicated = Math.max(0, commits.length - 1) + Math.max(0, audit.length - 1) + Math.max(0, runs.length - 1);
    const lost = done.phase === 'published' && audit.length === 1 ? 0 : 1;
    record({
      fault: 'SIGKILL worker during draft test',
      tried: 1,
      survived: waiting.phase === 'awaiting-approval' ? 1 : 0,
      lost: 0,
      duplicated: 0,
      note: `testDraft attempts ${attempts.testDraft?.join(',')}`,
    });
    record({
      fault: 'SIGKILL worker during publish',
      tried: 1,
      survived: done.phase === 'published' ? 1 : 0,
      lost,
      duplicated,
      note: `publish attempts ${attempts.publishApprovedDraft?.join(',')}; commits ${commits.length}, audit lines ${audit.length}, MLflow runs ${runs.length}`,
    });
    expect(attempts.testDraft?.at(-1)).toBe(2);
    expect(attempts.publishApprovedDraft).toEqual([2]);
    expect(done.phase).toBe('published');
    expect(commits).toEqual([landed]);
    expect(done.publication?.commit).toBe(landed);
    expect(audit.map((r) => [r.decision, r.actor])).toEqual([['approved', 'bob']]);
    expect(runs).toHaveLength(1);
  });
});

describe('engines down', () => {
  it('Temporal restarted (same SQLite file) while a draft awaits approval: it survives and completes after approval', async () => {
    const env = envFor();
    const config = loadConfig(env);
    await startWorker(env, ['drafting']);
    const drafts = new DraftsClient(client, config);
    const started = await drafts.propose({ intent: `Pods must not define hostAliases [${uniqueName('t')}]`, requester: 'alice' });
    expect((await drafts.waitFor(started.draftId, 'guardrails')).phase).toBe('awaiting-approval');
    const restartedAt = Date.now();
    await down(config, ['temporal'], () => {});
    await up(config, ['temporal'], () => {});
    measured.temporalRestartMs = Date.now() - restartedAt;
    // the draft is still there, still waiting; approved as the Temporal UI would (signal by a listed reviewer)
    const after = await until('the draft to answer after the restart', async () => drafts.status(started.draftId), 90_000, 500);
    expect(after.phase).toBe('awaiting-approval');
    await client.workflow.getHandle(started.draftId).signal(approveSignal, { reviewer: 'carol', comment: 'after restart' });
    const done = await drafts.waitFor(started.draftId, 'decision');
    const audit = (await readAudit(config)).filter((r) => r.draftId === started.draftId);
    record({
      fault: 'Temporal restart, draft awaiting approval',
      tried: 1,
      survived: done.phase === 'published' ? 1 : 0,
      lost: done.phase === 'published' ? 0 : 1,
      duplicated: Math.max(0, audit.length - 1),
      note: `server down and up in ${(measured.temporalRestartMs / 1000).toFixed(1)} s`,
    });
    expect(done.phase).toBe('published');
    expect(done.decision?.reviewer).toBe('carol');
    expect(audit.map((r) => r.decision)).toEqual(['approved']);
  });

  it('MLflow stopped while the model version is being created: retried, exactly one version once it is back', async () => {
    const base = envFor();
    const direct = loadConfig(base);
    let outage: Promise<void> | undefined;
    let holding = 0;
    const relay = await mlflowRelay(
      direct.mlflow.uri,
      (method, path) => (method === 'POST' && path.startsWith('/api/2.0/mlflow/model-versions/create') && !holding++ ? 'hold' : 'pass'),
      async () => {
        // MLflow created the version; it goes down before the worker hears of it, and is back 10 s later
        await down(direct, ['mlflow'], () => {});
        outage = new Promise((r) => setTimeout(r, 10_000)).then(() => up(direct, ['mlflow'], () => {})).then(() => undefined);
      },
    );
    try {
      const env = { ...base, PAC_MLFLOW_URI: relay.url };
      const config = loadConfig(env);
      await startWorker(env, ['lifecycle']);
      const handle = await client.workflow.start(lifecycle, {
        taskQueue: config.temporal.taskQueues.lifecycle,
        workflowId: uniqueName('faults-mlflow'),
        args: [{ family: 'fix', reason: 'fault: MLflow down during registration' }],
      });
      const result = await handle.result();
      await outage;
      const attempts = await startedAttempts(handle);
      const versions = await mlflow(direct).searchModelVersions(`name = '${REGISTERED_MODEL_NAMES.fix}' and run_id = '${result.runId}'`);
      record({
        fault: 'MLflow down during registration',
        tried: 1,
        survived: 1,
        lost: versions.length === 0 ? 1 : 0,
        duplicated: Math.max(0, versions.length - 1),
        note: `registerModel attempts ${attempts.registerModel?.join(',')}; versions of the run ${versions.length}`,
      });
      expect(relay.held).toBe(1);
      expect((attempts.registerModel ?? []).at(-1)).toBeGreaterThanOrEqual(2);
      expect(versions.map((v) => v.version)).toEqual([result.registration.version]);
    } finally {
      await outage?.catch(() => undefined);
      await relay.close();
    }
  });

  it('Weaviate stopped during retrieval: a clear error naming Weaviate, then recovery when it is back', async () => {
    const env = envFor();
    const config = loadConfig(env);
    await down(config, ['weaviate'], () => {});
    let restarted = false;
    try {
      await startWorker(env, ['drafting']);
      const drafts = new DraftsClient(client, config);
      const started = await drafts.propose({ intent: `Containers must not set stdin to true [${uniqueName('t')}]`, requester: 'alice' });
      const handle = client.workflow.getHandle(started.draftId);
      const failing = await until(
        'a failed retrieval try',
        async () => (await pendingActivities(handle)).find((a) => a.type === 'retrievePolicies' && a.lastFailure),
        60_000,
        200,
      );
      await up(config, ['weaviate'], () => {});
      restarted = true;
      const waiting = await drafts.waitFor(started.draftId, 'guardrails');
      await drafts.reject(started.draftId, { reviewer: 'bob', reason: 'fault test done' });
      const done = await drafts.waitFor(started.draftId, 'decision');
      messages['Weaviate down'] = failing.lastFailure ?? '';
      record({
        fault: 'Weaviate down during retrieval',
        tried: 1,
        survived: waiting.phase === 'awaiting-approval' && done.phase === 'rejected' ? 1 : 0,
        lost: 0,
        duplicated: 0,
        note: `error: "${failing.lastFailure?.slice(0, 70)}…"`,
      });
      expect(failing.lastFailure).toMatch(
        new RegExp(`^Weaviate at ${config.weaviate.url.replace(/[.]/g, '\\.')} .* is unreachable: .*npx pac up`),
      );
      expect(waiting.phase).toBe('awaiting-approval');
      expect(waiting.provenance.length).toBeGreaterThan(0);
    } finally {
      if (!restarted) await up(config, ['weaviate'], () => {});
    }
  });

  it('a missing opa binary: the draft fails at once with the path and how to install, and is audited', async () => {
    const missing = join(tmpdir(), uniqueName('no-such-opa'));
    const env = envFor({ PAC_OPA_PATH: missing });
    const config = loadConfig(env);
    await startWorker(env, ['drafting']);
    const drafts = new DraftsClient(client, config);
    const startedAt = Date.now();
    const started = await drafts.propose({ intent: `Deny containers that set tty [${uniqueName('t')}]`, requester: 'alice' });
    const done = await drafts.waitFor(started.draftId, 'decision');
    const seconds = (Date.now() - startedAt) / 1000;
    const audit = (await readAudit(config)).filter((r) => r.draftId === started.draftId);
    messages['opa missing'] = done.reasons[0] ?? '';
    record({
      fault: 'opa binary missing',
      tried: 1,
      survived: done.phase === 'failed' && audit.length === 1 ? 1 : 0,
      lost: audit.length === 0 ? 1 : 0,
      duplicated: Math.max(0, audit.length - 1),
      note: `failed in ${seconds.toFixed(1)} s: "${done.reasons[0]?.slice(0, 60)}…"`,
    });
    expect(done.phase).toBe('failed');
    expect(done.reasons[0]).toContain(`the OPA binary ${missing} was not found; run \`npm run install:engines\` or set PAC_OPA_PATH`);
    expect(done.attempts).toEqual([]);
    expect(audit.map((r) => r.decision)).toEqual(['failed']);
    expect(readFileSync(join(publishDir, 'audit.jsonl'), 'utf8')).toContain(missing);
  });
});
