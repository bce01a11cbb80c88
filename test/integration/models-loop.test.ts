/**
 * The learning loop on the real engines (Temporal, MLflow, the policy engine, the observation store):
 *
 *  1. 300 manifests of a shifted population — written by a small builder in this file, in a style
 *     unlike datasets/synthetic (a legacy platform: single replicas, host networking, public images
 *     without digests, NodePort Services, literal passwords) — are imported with `pac ingest`;
 *  2. `pac drift` (no flags: the observation window) reports drift against the ranker champion and
 *     starts a retrain on that window; the retrain has the imported rows in both its training and
 *     its holdout part (counts by source in MLflow) and is evaluated on a holdout that includes them;
 *  3. a policy published as the drafting loop publishes it labels manifests in the next retrain.
 *
 * The test uses its own observation store, publish directory and lifecycle task queue, so other
 * test files' data and workers do not take part.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { publishDraft } from '../../activities/drafting/publish';
import type { Draft } from '../../activities/drafting/schemas';
import { extractManifestFeatures } from '../../activities/features';
import { rankerRowSchema } from '../../activities/lifecycle/ranker-data';
import { loadArtifactOf } from '../../activities/training/artifact';
import { type Config, loadConfig } from '../../infra/config';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { createWorkers, type PacWorker } from '../../workers/main';
import { startLifecycle } from '../../workers/start';
import { temporalClient } from '../../workers/temporal';
import type { LifecycleResult } from '../../workflows';
import { testEnv, uniqueName } from './harness';

const ROOT = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'pac-models-loop-'));
const env: NodeJS.ProcessEnv = {
  ...testEnv(),
  PAC_OBSERVATIONS_DIR: join(work, 'observations'),
  PAC_PUBLISH_MODE: 'dir',
  PAC_PUBLISH_DIR: join(work, 'published'),
  PAC_TASK_QUEUE_LIFECYCLE: uniqueName('models-loop'),
  PAC_OBSERVE: 'on',
};
let config: Config;
let client: Client;
let worker: PacWorker;
let running: Promise<void>;

beforeAll(async () => {
  config = loadConfig(env);
  client = await temporalClient(config);
  worker = await createWorkers(config, { queues: ['lifecycle'] });
  running = worker.run();
});

afterAll(async () => {
  await worker?.shutdown();
  await running;
  await client?.connection.close();
});

// ---------------------------------------------------------------------------------------------
// A legacy platform's manifests: a different population, written here (not datasets/synthetic)
// ---------------------------------------------------------------------------------------------

/** A small deterministic generator (LCG), so the population is the same on every run. */
function lcg(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return {
    next,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    int: (n: number) => Math.floor(next() * n),
  };
}

const LEGACY_IMAGES = [
  'docker.io/library/tomcat',
  'docker.io/library/httpd',
  'quay.io/legacy/billing',
  'docker.io/library/mysql',
  'ghcr.io/acme/report',
];

/** Object i of the legacy population: Deployments, StatefulSets, CronJobs, NodePort Services and ConfigMaps. */
function legacyObject(i: number): Record<string, unknown> {
  const r = lcg(1000 + i);
  const app = `legacy-${r.pick(['billing', 'crm', 'erp', 'intranet', 'reports', 'ldap'])}-${i}`;
  const namespace = r.pick(['legacy', 'batch', 'default']);
  const image = `${r.pick(LEGACY_IMAGES)}:${r.pick(['5', '7.0', '8.5.1', 'stable', '2019'])}`;
  const port = r.pick([80, 8080, 8009, 3306, 389]);
  const container: Record<string, unknown> = {
    name: 'main',
    image,
    ports: [{ containerPort: port }],
    env: [
      { name: 'JAVA_OPTS', value: `-Xmx${r.pick([256, 512, 1024])}m` },
      ...(r.next() < 0.5 ? [{ name: 'DB_PASSWORD', value: `pw-${i}` }] : []),
    ],
    ...(r.next() < 0.35 ? { securityContext: { privileged: true } } : {}),
    ...(r.next() < 0.3 ? { resources: { limits: { memory: `${r.pick([512, 1024, 2048])}Mi` } } } : {}),
  };
  const podSpec: Record<string, unknown> = {
    containers: [container],
    ...(r.next() < 0.6 ? { hostNetwork: true } : {}),
    ...(r.next() < 0.3 ? { volumes: [{ name: 'logs', hostPath: { path: `/var/log/${app}` } }] } : {}),
  };
  const labels = { app, ...(r.next() < 0.5 ? { tier: r.pick(['web', 'backend']) } : {}) };
  const kind = r.pick(['Deployment', 'Deployment', 'Deployment', 'StatefulSet', 'CronJob', 'Service', 'ConfigMap']);
  const metadata = { name: app, namespace, labels: { app } };
  switch (kind) {
    case 'Service':
      return { apiVersion: 'v1', kind, metadata, spec: { type: 'NodePort', selector: { app }, ports: [{ port, nodePort: 30000 + i }] } };
    case 'ConfigMap':
      return {
        apiVersion: 'v1',
        kind,
        metadata,
        data: { 'server.xml': `<Server port="${port}"/>`, [`db_password_${i % 3}`]: `secret-${i}` },
      };
    case 'CronJob':
      return {
        apiVersion: 'batch/v1',
        kind,
        metadata,
        spec: {
          schedule: `${i % 60} 2 * * *`,
          jobTemplate: { spec: { template: { metadata: { labels }, spec: { ...podSpec, restartPolicy: 'OnFailure' } } } },
        },
      };
    default:
      return {
        apiVersion: 'apps/v1',
        kind,
        metadata,
        spec: {
          replicas: 1,
          selector: { matchLabels: { app } },
          ...(kind === 'StatefulSet' ? { serviceName: app } : {}),
          template: { metadata: { labels }, spec: podSpec },
        },
      };
  }
}

/** 300 objects as a `kubectl get -o yaml` List dump (200) and a directory of single files (100). */
function writeLegacyInputs(): string {
  const dir = join(work, 'legacy');
  mkdirSync(join(dir, 'apps'), { recursive: true });
  const objects = Array.from({ length: 300 }, (_, i) => legacyObject(i));
  writeFileSync(join(dir, 'cluster-dump.yaml'), stringify({ apiVersion: 'v1', kind: 'List', items: objects.slice(0, 200) }));
  objects.slice(200).forEach((object, i) => {
    writeFileSync(join(dir, 'apps', `object-${i}.yaml`), stringify(object));
  });
  return dir;
}

/** `pac <args>` as a user runs it, without blocking this process (its worker keeps polling meanwhile). */
function pac(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'pac.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function runMetrics(runId: string): Promise<Record<string, number>> {
  const run = await mlflowClientFromConfig(config).getRun(runId);
  return Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value]));
}

async function freeLifecycle(): Promise<void> {
  // a retrain left running by an earlier test file would be joined instead of started
  await client.workflow
    .getHandle('lifecycle-ranker')
    .terminate('models-loop test: start from no running retrain')
    .catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------

describe('the learning loop on observations', () => {
  it('imports 300 shifted manifests, reports drift on them and retrains on them: in train and in holdout, counts in MLflow', async () => {
    await freeLifecycle();
    // a champion to compare with: the simulated bootstrap (no observations in this store yet)
    const bootstrap = await (
      await startLifecycle(client, config, { family: 'ranker', count: 900, reason: 'models-loop bootstrap' })
    ).result();
    expect(bootstrap.dataset.sources).toEqual({ simulated: 900 });
    expect(bootstrap.evaluation.details?.test_rows_observed).toBe(0);

    const imported = await pac(['ingest', writeLegacyInputs(), '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const report = JSON.parse(imported.stdout).report;
    expect(report.imported).toBe(300);
    expect(report.distinct).toBe(300);
    expect(report.problems).toEqual([]);

    const counted = await pac(['observations', '--by', 'source', '--json']);
    expect(JSON.parse(counted.stdout).observations.rows).toEqual([{ source: 'import', count: 300, distinct: 300 }]);

    const drift = await pac(['drift', '--json']);
    expect(drift.code, drift.stderr).toBe(3);
    const monitored = JSON.parse(drift.stdout);
    expect(monitored.drift).toMatchObject({ drifted: true, data: 'observations', currentRows: 300, sources: { import: 300 } });
    expect(monitored.retrain).toMatchObject({ workflowId: 'lifecycle-ranker' });
    const html = readFileSync(monitored.drift.htmlPath, 'utf8');
    expect(html).toContain('current data: 300 observations');
    expect(html).toMatch(/<h2>Top drifted features<\/h2>\s*<div class="charts">[\s\S]*<svg/);

    const retrain = (await client.workflow.getHandle('lifecycle-ranker').result()) as LifecycleResult;
    expect(retrain.runId).not.toBe(bootstrap.runId);
    // the window that drifted, not the default seed: the 300 imported rows, plus the simulated mix
    expect(retrain.dataset.sources?.import).toBe(300);
    const details = retrain.evaluation.details ?? {};
    expect(details.train_rows_source_import).toBeGreaterThan(0);
    expect(details.test_rows_source_import).toBeGreaterThan(0);
    expect((details.train_rows_source_import ?? 0) + (details.test_rows_source_import ?? 0)).toBe(300);
    // evaluated on a holdout that includes them, next to the baselines on the same rows
    expect(retrain.evaluation.metrics.observed_rows).toBe(details.test_rows_source_import);
    expect(retrain.evaluation.baselines.popularity?.observed_rows).toBe(details.test_rows_source_import);
    expect(retrain.evaluation.metrics.foreign_rows).toBe(83);

    const metrics = await runMetrics(retrain.runId);
    expect(metrics.rows_observed).toBe(300);
    expect(metrics.rows_source_import).toBe(300);
    expect(metrics.rows_simulated).toBeGreaterThan(0);
    expect(metrics.train_rows_source_import).toBe(details.train_rows_source_import);
    expect(metrics.test_rows_source_import).toBe(details.test_rows_source_import);
    expect(metrics.observed_rows).toBe(details.test_rows_source_import);
    expect(metrics.baseline_popularity_mrr).toBeGreaterThan(0);
    const run = await mlflowClientFromConfig(config).getRun(retrain.runId);
    const inputs = (run.inputs?.dataset_inputs ?? []).map((d) => d.dataset.name).sort();
    expect(inputs).toEqual(['ranker-observed', 'ranker-simulated']);
    expect(run.data.tags?.find((t) => t.key === 'reason')?.value).toMatch(/^drift: /);
  }, 1_500_000);

  it('labels the next ranker retrain with a policy the drafting loop published', async () => {
    await freeLifecycle();
    const draft: Draft = {
      policyId: 'legacy-tier-label',
      packageName: 'kpc.policies.legacy_tier_label',
      title: 'Workloads carry a tier label',
      description: 'Pod templates of Deployments and StatefulSets carry a tier label (web or backend).',
      kinds: ['Deployment', 'StatefulSet'],
      severity: 'low',
      category: 'metadata',
      message: 'pod template has no tier label',
      policy: [
        'package kpc.policies.legacy_tier_label',
        '',
        'import data.kpc.lib.k8s',
        '',
        'deny contains msg if {',
        '\tinput.kind in {"Deployment", "StatefulSet"}',
        '\tnot input.spec.template.metadata.labels.tier',
        '\tmsg := sprintf("%s: pod template has no tier label", [k8s.resource])',
        '}',
        '',
      ].join('\n'),
      tests: [
        'package kpc.policies.legacy_tier_label_test',
        '',
        'import data.kpc.policies.legacy_tier_label',
        '',
        'test_denied if {',
        '\tcount(legacy_tier_label.deny) == 1 with input as {"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"template": {"metadata": {}}}}',
        '}',
        '',
      ].join('\n'),
      generator: 'models-loop test',
      attempt: 1,
    };
    await publishDraft(config, {
      draft,
      reviewer: 'test-reviewer',
      comment: 'models-loop',
      key: uniqueName('publish'),
      approvedAt: Date.now(),
    });

    const result = (await (
      await startLifecycle(client, config, { family: 'ranker', count: 600, reason: 'after a published policy' })
    ).result()) as LifecycleResult;
    const rows = readFileSync(result.dataset.path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => rankerRowSchema.parse(JSON.parse(line)));
    const labelled = rows.filter((r) => r.deny.includes('legacy-tier-label'));
    // denied: the imported workloads without a tier label and every simulated Deployment/StatefulSet
    expect(labelled.some((r) => r.origin === 'observed')).toBe(true);
    expect(labelled.some((r) => r.origin === 'simulated')).toBe(true);
    for (const row of rows.filter((r) => r.kind === 'Deployment' && r.origin === 'simulated'))
      expect(row.deny).toContain('legacy-tier-label');
    const metrics = await runMetrics(result.runId);
    expect(metrics.labelling_policies_published).toBe(1);
    const run = await mlflowClientFromConfig(config).getRun(result.runId);
    expect(run.data.tags?.find((t) => t.key === 'published_policies')?.value).toBe('legacy-tier-label');
    // the trained model ranks it, with its severity, for a workload without the label
    const model = loadArtifactOf(
      'ranker',
      JSON.parse(await mlflowClientFromConfig(config).downloadText(result.runId, 'model/model.json')),
    ).model;
    const untiered = rows.find((r) => r.origin === 'observed' && r.kind === 'Deployment' && r.deny.includes('legacy-tier-label'));
    const ranked = model.rank(extractManifestFeatures(untiered?.manifest));
    expect(ranked.find((p) => p.id === 'legacy-tier-label')).toMatchObject({ severity: 'low' });
    expect(ranked.find((p) => p.id === 'legacy-tier-label')?.score).toBeGreaterThan(0.2);
    const service = model.rank(extractManifestFeatures({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} }), 65);
    expect(service.map((p) => p.id)).not.toContain('legacy-tier-label');
  }, 900_000);
});
