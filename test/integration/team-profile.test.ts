/**
 * The team profile for real: PostgreSQL from Debian's packages (installed when missing), a cluster
 * and the mlflow database created by the code `pac up --profile team` runs, MLflow on that
 * PostgreSQL with psycopg2 — then a lifecycle run by a worker against that MLflow, whose registered
 * version and `champion` alias are read back through MLflow's API and found as rows in PostgreSQL.
 *
 * Ports: PostgreSQL on PAC_TEST_POSTGRES_PORT (default 15432), this MLflow on the test MLflow's
 * port + 1; its own state directory and task queues, so the shared test engines are not touched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../infra/config';
import { loadConfig } from '../../infra/config';
import { down, type UpResult, up } from '../../infra/engines';
import { findPostgresBin, postgresLocation } from '../../infra/postgres';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { REGISTERED_MODEL_NAMES } from '../../registry/promotion';
import { createWorkers, type PacWorker } from '../../workers/main';
import { startLifecycle } from '../../workers/start';
import { temporalClient } from '../../workers/temporal';
import { testEnv, uniqueName } from './harness';

let config: Config;
let teamEnv: Record<string, string | undefined>;
let stateDir: string;
let started: UpResult[] = [];
let client: Client;
let worker: PacWorker | undefined;
let running: Promise<void> | undefined;
const lines: string[] = [];

beforeAll(async () => {
  const env = testEnv();
  stateDir = await mkdtemp(join(tmpdir(), 'pac-team-'));
  const mlflowPort = Number(new URL(loadConfig(env).mlflow.uri).port) + 1;
  const queues = uniqueName('pac-team');
  teamEnv = {
    ...env,
    PAC_STATE_DIR: stateDir,
    PAC_POSTGRES_PORT: process.env.PAC_TEST_POSTGRES_PORT ?? '15432',
    PAC_POSTGRES_URI: '',
    PAC_MLFLOW_URI: `http://127.0.0.1:${mlflowPort}`,
    PAC_MLFLOW_ARTIFACT_ROOT: join(stateDir, 'team-artifacts'),
    PAC_TASK_QUEUE: `${queues}-main`,
    PAC_TASK_QUEUE_LIFECYCLE: `${queues}-lifecycle`,
    PAC_TASK_QUEUE_DRAFTING: `${queues}-drafting`,
  };
  config = loadConfig(teamEnv);
  started = await up(config, ['postgres', 'mlflow'], (line) => lines.push(line), { profile: 'team' });
  client = await temporalClient(config);
  worker = await createWorkers(config, { queues: ['lifecycle'] });
  running = worker.run();
}, 600_000);

afterAll(async () => {
  await worker?.shutdown();
  await running;
  await client?.connection.close();
  if (config) {
    const location = await postgresLocation(config);
    await down(config, ['mlflow', 'postgres'], () => {});
    // the cluster may live outside the state directory (as root, when the server user cannot reach it)
    if (!location.dataDir.startsWith(stateDir)) await rm(dirname(location.dataDir), { recursive: true, force: true });
  }
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

/** Rows of a query on the mlflow database, through psql over TCP (the password in the environment). */
async function sql(query: string): Promise<string[]> {
  const bin = findPostgresBin() as string;
  const password = (await readFile(join(stateDir, 'postgres', 'password'), 'utf8')).trim();
  const out = execFileSync(
    join(bin, 'psql'),
    ['-X', '-t', '-A', '-F', '|', '-h', '127.0.0.1', '-p', String(config.postgres.port), '-U', 'postgres', '-d', 'mlflow', '-c', query],
    { env: { ...process.env, PGPASSWORD: password }, encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

describe('pac up --profile team', () => {
  it('starts PostgreSQL and MLflow on it, and never shows the password', async () => {
    expect(started.map((r) => r.engine)).toEqual(['postgres', 'mlflow']);
    expect(started.every((r) => r.health.healthy)).toBe(true);
    expect(started[0]?.health.version).toMatch(/^\d+\.\d+/);
    const password = (await readFile(join(stateDir, 'postgres', 'password'), 'utf8')).trim();
    expect(password.length).toBeGreaterThanOrEqual(24);
    const shown = [
      ...lines,
      JSON.stringify(started),
      await readFile(join(stateDir, 'run', 'mlflow.json'), 'utf8'),
      await readFile(join(stateDir, 'logs', 'mlflow.log'), 'utf8'),
      await readFile(join(stateDir, 'logs', 'postgres.log'), 'utf8'),
    ].join('\n');
    expect(shown).not.toContain(password);
    // MLflow's schema is in PostgreSQL (the SQLite file of the local profile was never made)
    expect(
      await sql(
        "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('runs', 'model_versions', 'registered_model_aliases')",
      ),
    ).toEqual(['3']);
    // `pac status` lists PostgreSQL (healthy, its URL without a password) next to MLflow
    const cli = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'pac.js'), 'status', '--json'], {
      env: teamEnv,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(cli.stdout).not.toContain(password);
    const engines = (JSON.parse(cli.stdout) as { engines: Record<string, { healthy: boolean; managed: boolean; url?: string }> }).engines;
    expect(engines.postgres).toMatchObject({
      healthy: true,
      managed: true,
      url: `postgresql://postgres@127.0.0.1:${config.postgres.port}/`,
    });
    expect(engines.mlflow).toMatchObject({ healthy: true, managed: true });
    // a second `up` finds everything running and changes nothing
    const again = await up(config, ['postgres', 'mlflow'], () => {}, { profile: 'team' });
    expect(again.map((r) => [r.engine, r.action, r.pid])).toEqual(started.map((r) => [r.engine, 'already-running', r.pid]));
  });

  it('runs a lifecycle against MLflow on PostgreSQL: the registered version, its champion alias and the rows', async () => {
    const result = await (await startLifecycle(client, config, { family: 'fix', reason: 'team profile test' })).result();
    expect(result.registration.name).toBe(REGISTERED_MODEL_NAMES.fix);
    expect(result.registration.alias).toBe('champion');
    const mlflow = mlflowClientFromConfig(config);
    const champion = await mlflow.getModelVersionByAlias(REGISTERED_MODEL_NAMES.fix, 'champion');
    expect(champion?.version).toBe(result.registration.version);
    expect(champion?.run_id).toBe(result.runId);
    expect((await mlflow.getRun(result.runId)).info.status).toBe('FINISHED');
    expect((await mlflow.listArtifacts(result.runId, 'model')).map((f) => f.path)).toContain('model/model.json');

    // the same facts as rows of MLflow's tables in PostgreSQL
    const name = REGISTERED_MODEL_NAMES.fix;
    expect(await sql(`SELECT alias, version FROM registered_model_aliases WHERE name = '${name}'`)).toEqual([
      `champion|${result.registration.version}`,
    ]);
    expect(await sql(`SELECT version, run_id FROM model_versions WHERE name = '${name}'`)).toEqual([
      `${result.registration.version}|${result.runId}`,
    ]);
    expect(await sql(`SELECT status FROM runs WHERE run_uuid = '${result.runId}'`)).toEqual(['FINISHED']);
    // the artifacts went to PAC_MLFLOW_ARTIFACT_ROOT
    expect(execFileSync('find', [join(stateDir, 'team-artifacts'), '-name', 'model.json'], { encoding: 'utf8' })).toContain(result.runId);
  });
});
