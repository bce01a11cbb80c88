/**
 * Scale-out through Temporal: two `pac worker --queues lifecycle` OS processes with distinct
 * identities poll one (private) lifecycle task queue; the ranker's sharded labelling and feature
 * steps (the `rankerData` workflow: 8 shards of each) are shared between them — the workflow
 * history's ActivityTaskStarted events name both identities — and the merged dataset and feature
 * file equal, byte for byte, those of the same run on one worker process. Real Temporal, MLflow
 * and policy engine; the data is the SIMULATED bootstrap set (an observation window in the past,
 * so no observation of another test gets in).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityIdentities, type PacWorkerProcess, type ShardedRun, shardedRankerData, startPacWorker } from '../../bench/pac-workers';
import { loadConfig } from '../../infra/config';
import { sha256 } from '../../lib/digest';
import { temporalClient } from '../../workers/temporal';
import { testEnv, uniqueName } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
const queue = uniqueName('two-workers');
const env = { ...testEnv(), PAC_TASK_QUEUE_LIFECYCLE: queue };
const config = loadConfig(env);
const ROWS = 800;
const SHARD_SIZE = 100;

// one shard at a time per process: 8 shards cannot all go to one process while the other polls
const startWorker = (identity: string) => startPacWorker(env, { identity, taskQueue: queue, concurrency: 1 });

let client: Client;
const workers: PacWorkerProcess[] = [];

beforeAll(async () => {
  client = await temporalClient(config);
  workers.push(...(await Promise.all([startWorker('w1'), startWorker('w2')])));
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await client?.connection.close();
}, 60_000);

const shardedRun = (label: string) => shardedRankerData(client, config, { taskQueue: queue, label, count: ROWS, shardSize: SHARD_SIZE });

const fileDigest = (path: string) => sha256(readFileSync(path));

describe('two worker processes share the shard activities', () => {
  let twoWorkers: ShardedRun;

  it('both identities complete labelling and feature shards of one workflow', async () => {
    twoWorkers = await shardedRun('two');
    const { result, ran } = twoWorkers;
    expect(result.plan.shards).toBe(ROWS / SHARD_SIZE);
    expect(result.dataset.rows).toBe(ROWS);
    expect(result.features.rows).toBe(ROWS);
    expect(result.labelled.map((s) => s.index)).toEqual([...Array(8).keys()]);
    expect(result.labelled.reduce((sum, s) => sum + s.rows, 0)).toBe(ROWS);
    const shardIdentities = [...(ran.get('labelShard') ?? []), ...(ran.get('featureShard') ?? [])];
    expect(shardIdentities).toHaveLength(16);
    expect(new Set(shardIdentities)).toEqual(new Set(['w1', 'w2']));
    // the labels are real: the simulated set has denied and clean manifests
    const denied = readFileSync(result.dataset.path, 'utf8')
      .trim()
      .split('\n')
      .filter((line) => (JSON.parse(line) as { deny: string[] }).deny.length > 0).length;
    expect(denied).toBeGreaterThan(0);
    expect(denied).toBeLessThan(ROWS);
  }, 150_000);

  it('pac batch: both workers analyse shards, and the report equals pac analyze --format json line for line', async () => {
    const fixtures = 'datasets/fixtures';
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['bin/pac.js', ...args], {
        cwd: root,
        env: { ...env, PAC_OBSERVE: 'off' },
        encoding: 'utf8',
        timeout: 120_000,
      });
    const batch = cli(['batch', fixtures, '--shard-size', '8', '--bundle', 'all', '--json']);
    expect(batch.stderr).toMatch(/objects in \d+ shards on task queue/);
    const out = JSON.parse(batch.stdout) as {
      workflowId: string;
      shards: number;
      reportPath: string;
      summary: { resources: number; exitCode: number };
    };
    expect(out.shards).toBeGreaterThanOrEqual(8);
    const local = cli(['analyze', fixtures, '--bundle', 'all', '--format', 'json']);
    const report = JSON.parse(local.stdout) as { resources: unknown[]; summary: { resources: number; exitCode: number } };
    expect(batch.status, `${batch.stdout}\n${batch.stderr}`).toBe(local.status);
    expect(out.summary.resources).toBe(report.summary.resources);
    const lines = readFileSync(out.reportPath, 'utf8').trim().split('\n');
    expect(lines).toEqual(report.resources.map((r) => JSON.stringify(r)));
    // not a trivial equality: cross-object policies find something in the fixtures (judged against the input's own objects)
    expect(lines.filter((line) => !line.includes('"findings":[]')).length).toBeGreaterThan(0);
    const ran = await activityIdentities(client.workflow.getHandle(out.workflowId));
    expect(ran.get('analyzeShard')).toHaveLength(out.shards);
    const identities = new Set(ran.get('analyzeShard'));
    expect(identities).toEqual(new Set(['w1', 'w2']));
  }, 150_000);

  it('one worker process gives the same dataset and feature file, byte for byte', async () => {
    expect(twoWorkers, 'the two-worker run').toBeDefined();
    await (workers.pop() as PacWorkerProcess).stop();
    const one = await shardedRun('one');
    const identities = new Set([...(one.ran.get('labelShard') ?? []), ...(one.ran.get('featureShard') ?? [])]);
    expect(identities).toEqual(new Set(['w1']));
    expect(one.result.dataset.digest).toBe(twoWorkers.result.dataset.digest);
    expect(fileDigest(one.result.dataset.path)).toBe(fileDigest(twoWorkers.result.dataset.path));
    expect(fileDigest(one.result.features.path)).toBe(fileDigest(twoWorkers.result.features.path));
    expect(one.result.dataset.path).not.toBe(twoWorkers.result.dataset.path);
  }, 150_000);
});
