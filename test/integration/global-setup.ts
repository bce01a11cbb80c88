/**
 * Starts the engines the integration tests need — on test-only ports and in a throw-away state
 * directory, so a developer's own engines and data are never touched — and stops what it started.
 *
 * PAC_TEST_EXTERNAL_ENGINES=1 starts nothing: the tests then use the engines the environment's
 * PAC_* variables point at (handy while developing against engines started by hand).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../infra/config';
import { down, up } from '../../infra/engines';

/** Test ports: the defaults plus 10000, unless the environment says otherwise. */
const TEST_ENV: Record<string, string> = {
  PAC_TEMPORAL_ADDRESS: '127.0.0.1:17233',
  PAC_TEMPORAL_UI_PORT: '18233',
  PAC_MLFLOW_URI: 'http://127.0.0.1:15000',
  PAC_WEAVIATE_URL: 'http://127.0.0.1:18080',
  PAC_WEAVIATE_GRPC_PORT: '15051',
  PAC_WEAVIATE_CLUSTER_PORT: '17946',
  PAC_TASK_QUEUE: 'pac-test',
  // tests index their own documents into their own collections; qa-out-of-box turns this on
  PAC_QA_SHIPPED_KB: 'false',
};

export default async function setup(project: TestProject) {
  if (process.env.PAC_TEST_EXTERNAL_ENGINES === '1') {
    project.provide('pacEnv', {});
    return;
  }
  const stateDir = await mkdtemp(join(tmpdir(), 'pac-test-'));
  const env: Record<string, string> = { ...TEST_ENV, PAC_STATE_DIR: stateDir };
  for (const key of Object.keys(TEST_ENV)) {
    const override = process.env[`PAC_TEST_${key.slice('PAC_'.length)}`];
    if (override) env[key] = override;
  }
  const config = loadConfig({ ...process.env, ...env });
  const started = Date.now();
  process.stderr.write(`[test] starting engines in ${stateDir}\n`);
  await up(config, undefined, (line) => process.stderr.write(`[test] ${line}\n`));
  process.stderr.write(`[test] engines up in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  project.provide('pacEnv', env);
  return async () => {
    await down(config, undefined, (line) => process.stderr.write(`[test] ${line}\n`));
    await rm(stateDir, { recursive: true, force: true });
  };
}
