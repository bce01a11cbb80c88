/**
 * The model lifecycle against the real Temporal server, OPA and MLflow: a trained version is
 * registered with its alias and metrics, a second identical trigger joins the running workflow, a
 * version that does not beat the champion stays challenger, a shifted dataset is detected as drift
 * and starts a retrain, and `pac schedule` creates the schedules idempotently.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { REGISTERED_MODEL_NAMES } from '../../registry/promotion';
import { createWorkers, type PacWorker } from '../../workers/main';
import { ensureSchedules } from '../../workers/schedules';
import { startLifecycle, startMonitor } from '../../workers/start';
import { temporalClient } from '../../workers/temporal';
import { lifecycleStatusQuery } from '../../workflows';
import { testEnv } from './harness';

/**
 * This file's own observation store: what other test files recorded (bad inputs, API calls) must
 * not become this file's training or drift data.
 */
const observationsDir = mkdtempSync(join(tmpdir(), 'pac-lifecycle-observations-'));
const testConfig = () => loadConfig({ ...testEnv(), PAC_OBSERVATIONS_DIR: observationsDir });

let client: Client;
let worker: PacWorker;
let running: Promise<void>;

beforeAll(async () => {
  const config = testConfig();
  client = await temporalClient(config);
  worker = await createWorkers(config);
  running = worker.run();
});

afterAll(async () => {
  await worker?.shutdown();
  await running;
  await client?.connection.close();
  rmSync(observationsDir, { recursive: true, force: true });
});

const mlflow = () => mlflowClientFromConfig(testConfig());

describe('lifecycle workflow', () => {
  it('trains the fix classifier, logs it to MLflow and makes it champion; a second trigger joins the same run', async () => {
    const config = testConfig();
    const first = await startLifecycle(client, config, { family: 'fix', reason: 'integration test' });
    const second = await startLifecycle(client, config, { family: 'fix', reason: 'integration test' });
    expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
    const result = await first.result();
    expect(result.registration.name).toBe(REGISTERED_MODEL_NAMES.fix);
    expect(result.registration.alias).toBe('champion');
    // the promotion gate: it beats the best baseline (majority class, fp_score rules) on the same held-out rows
    expect(result.evaluation.metrics.accuracy_gain).toBeGreaterThanOrEqual(0.01);

    const version = await mlflow().getModelVersionByAlias(REGISTERED_MODEL_NAMES.fix, 'champion');
    expect(version?.version).toBe(result.registration.version);
    expect(version?.run_id).toBe(result.runId);
    const run = await mlflow().getRun(result.runId);
    expect(run.info.status).toBe('FINISHED');
    const metrics = Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value]));
    expect(metrics.accuracy).toBeCloseTo(result.evaluation.metrics.accuracy as number, 10);
    expect(metrics.baseline_majority_accuracy).toBeLessThan(metrics.accuracy as number);
    expect((run.inputs?.dataset_inputs ?? []).map((d) => d.dataset.name)).toContain('failure_log-simulated');
    const artifacts = (await mlflow().listArtifacts(result.runId, 'model')).map((f) => f.path);
    expect(artifacts).toContain('model/model.json');
    const status = await first.query(lifecycleStatusQuery);
    expect(status.step).toBe('done');
    expect(Object.keys(status.seconds).sort()).toEqual(['evaluate', 'features', 'ingest', 'register', 'train']);
  });

  it('keeps a retrained version that does not beat the champion on the same data as challenger, with the reason', async () => {
    const config = testConfig();
    const result = await (await startLifecycle(client, config, { family: 'fix', reason: 'retrain on the same data' })).result();
    expect(result.registration.alias).toBe('challenger');
    expect(result.registration.reason).toMatch(/does not beat the champion/);
    const version = await mlflow().getModelVersion(REGISTERED_MODEL_NAMES.fix, result.registration.version);
    expect(version.tags?.find((t) => t.key === 'promotion_reason')?.value).toBe(result.registration.reason);
  });

  it('trains the ranker; a shifted population is reported as drift and starts a retrain', async () => {
    const config = testConfig();
    const trained = await (await startLifecycle(client, config, { family: 'ranker', seed: 42, count: 1500 })).result();
    // it passes the quality gate; it becomes champion unless an earlier test's champion does better on the same rows
    expect(trained.registration.reason).not.toMatch(/quality gate failed/);
    if (trained.registration.alias === 'challenger') {
      expect(trained.registration.previousChampion).toBeDefined();
      // drift is measured against the champion's training data: make this test's version the champion
      await mlflow().setRegisteredModelAlias(REGISTERED_MODEL_NAMES.ranker, 'champion', trained.registration.version);
    }
    expect(trained.evaluation.metrics.hit_at_5).toBeGreaterThanOrEqual(0.85);

    const calm = await (await startMonitor(client, config, { family: 'ranker', seed: 7, count: 800, shift: 0, retrain: false })).result();
    expect(calm.drift.drifted).toBe(false);

    const shifted = await (await startMonitor(client, config, { family: 'ranker', seed: 8, count: 800, shift: 0.9 })).result();
    expect(shifted.drift.drifted).toBe(true);
    expect(shifted.retrain?.workflowId).toBe('lifecycle-ranker');
    expect(shifted.retrain?.reason).toMatch(/^drift: /);
    const retrain = client.workflow.getHandle(shifted.retrain?.workflowId as string);
    const description = await retrain.describe();
    expect(['RUNNING', 'COMPLETED']).toContain(description.status.name);
    const report = await mlflow().downloadText(shifted.drift.runId, 'drift/drift_report.html');
    expect(report).toContain('<svg');
    // while that retrain runs, another drifted check joins it instead of training twice
    const again = await (await startMonitor(client, config, { family: 'ranker', seed: 9, count: 800, shift: 0.9 })).result();
    if ((await retrain.describe()).status.name === 'RUNNING')
      expect(again.retrain).toMatchObject({ workflowId: 'lifecycle-ranker', joined: true });
    // one drift run per monitor execution, tagged with it
    const driftRun = await mlflow().getRun(shifted.drift.runId);
    expect(driftRun.data.tags?.find((t) => t.key === 'workflow_run_id')?.value).toMatch(/^[0-9a-f-]{36}$/);
    await retrain.result();
  }, 600_000);
});

describe('idempotency', () => {
  it("a terminated lifecycle's MLflow run is closed as KILLED, never reused by the next execution under the same id", async () => {
    const config = testConfig();
    const first = await startLifecycle(client, config, { family: 'fix', reason: 'to be terminated' });
    let runId: string | undefined;
    for (let i = 0; i < 300 && !runId; i++) {
      runId = (await first.query(lifecycleStatusQuery)).runId;
      if (!runId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(runId).toBeDefined();
    await first.terminate('idempotency test');
    const second = await (await startLifecycle(client, config, { family: 'fix', reason: 'after a terminated run' })).result();
    expect(second.runId).not.toBe(runId);
    const old = await mlflow().getRun(runId as string);
    expect(old.info.status).toBe('KILLED');
    const tags = Object.fromEntries((old.data.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags.closed_by).toMatch(/^lifecycle-fix\//);
    const fresh = Object.fromEntries(((await mlflow().getRun(second.runId)).data.tags ?? []).map((t) => [t.key, t.value]));
    expect(fresh.workflow_run_id).not.toBe(tags.workflow_run_id);
    expect(await mlflow().searchModelVersions(`name = '${REGISTERED_MODEL_NAMES.fix}' and run_id = '${second.runId}'`)).toHaveLength(1);
  });
});

describe('pac schedule', () => {
  it('creates the daily retrain and monitor schedules, and a second call changes nothing', async () => {
    const config = testConfig();
    const first = await ensureSchedules(client, config);
    expect(first.map((s) => s.id).sort()).toEqual(['kpc-monitor-daily', 'kpc-retrain-daily']);
    const retrain = await client.schedule.getHandle('kpc-retrain-daily').describe();
    expect(retrain.action.type).toBe('startWorkflow');
    expect(first.find((s) => s.id === 'kpc-retrain-daily')?.nextRuns[0]).toMatch(/T03:00:00/);
    const second = await ensureSchedules(client, config);
    expect(second.map((s) => s.action)).toEqual(['unchanged', 'unchanged']);
  });
});
