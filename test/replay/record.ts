/**
 * Records real histories of every workflow type into test/replay/histories/ (`npm run
 * record:histories`). The replay test (test/unit/workflow-replay.test.ts) replays them against the
 * current workflow code, so a change that is not guarded by patched() fails CI.
 *
 * It starts its own engines in a throw-away state directory on the test ports (as the integration
 * tests do; PAC_TEST_* variables move them), or uses running ones with PAC_RECORD_EXTERNAL=1 and
 * the PAC_* variables. Existing files are kept (they stand for executions started by older code);
 * `--overwrite` replaces files of the same name.
 *
 *   npm run record:histories [-- --only draftPolicy] [-- --overwrite]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client, WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;

import { loadNegativeFixtures, loadPositiveFixtures } from '../../datasets/load';
import { type Config, loadConfig } from '../../infra/config';
import { down, up } from '../../infra/engines';
import { DraftsClient } from '../../workers/drafts';
import { createWorkers } from '../../workers/main';
import { temporalClient } from '../../workers/temporal';
import { healthcheck, lifecycle, monitor, retrainAll, troubleshoot } from '../../workflows';
import { approveSignal, rejectSignal } from '../../workflows/draft';

export const HISTORIES_DIR = fileURLToPath(new URL('./histories/', import.meta.url));
const BIOME = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');

/** One recorded execution: what the replay test needs, and where it came from. */
export interface RecordedHistory {
  workflowType: string;
  scenario: string;
  workflowId: string;
  recordedAt: string;
  /** the history as protobufjs's plain object (longs and bytes as strings, enums by name): historyOf() reads it */
  history: unknown;
}

const TEST_PORTS: Record<string, string> = {
  PAC_TEMPORAL_ADDRESS: '127.0.0.1:17233',
  PAC_TEMPORAL_UI_PORT: '18233',
  PAC_MLFLOW_URI: 'http://127.0.0.1:15000',
  PAC_WEAVIATE_URL: 'http://127.0.0.1:18080',
  PAC_WEAVIATE_GRPC_PORT: '15051',
  PAC_WEAVIATE_CLUSTER_PORT: '17946',
};

async function save(handle: WorkflowHandle, workflowType: string, scenario: string, overwrite: boolean): Promise<void> {
  const file = join(HISTORIES_DIR, `${workflowType}-${scenario}.json`);
  if (existsSync(file) && !overwrite) {
    process.stderr.write(`[record] kept ${file} (exists; --overwrite replaces it)\n`);
    return;
  }
  const { History } = temporal.api.history.v1;
  const history = History.toObject(History.fromObject(await handle.fetchHistory()), { longs: String, enums: String, bytes: String });
  const recorded: RecordedHistory = {
    workflowType,
    scenario,
    workflowId: handle.workflowId,
    recordedAt: new Date().toISOString(),
    history,
  };
  writeFileSync(file, `${JSON.stringify(recorded, null, 2)}\n`);
  // the repository's formatter has the last word on layout (npm run lint checks it)
  execFileSync(process.execPath, [BIOME, 'format', '--write', file], { stdio: 'ignore' });
  process.stderr.write(`[record] ${workflowType}-${scenario}: ${(history as { events: unknown[] }).events.length} events\n`);
}

/** A recorded history as the History message Worker.runReplayHistories takes. */
export function historyOf(recorded: RecordedHistory): ReturnType<typeof temporal.api.history.v1.History.fromObject> {
  return temporal.api.history.v1.History.fromObject(recorded.history as Record<string, unknown>);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type Scenario = (ctx: { client: Client; config: Config; tag: string; overwrite: boolean }) => Promise<void>;

const SCENARIOS: Record<string, Scenario> = {
  async healthcheck({ client, config, tag, overwrite }) {
    const handle = await client.workflow.start(healthcheck, {
      taskQueue: config.temporal.taskQueues.main,
      workflowId: `record-healthcheck-${tag}`,
      args: [{ pauseMs: 500 }],
    });
    await handle.result();
    await save(handle, 'healthcheck', 'two-rounds', overwrite);
  },

  async troubleshoot({ client, config, tag, overwrite }) {
    const denied = loadNegativeFixtures().find((f) => f.expected.deny.includes('pss-privileged')) ?? loadNegativeFixtures()[0];
    const handle = await client.workflow.start(troubleshoot, {
      taskQueue: config.temporal.taskQueues.main,
      workflowId: `record-troubleshoot-${tag}`,
      args: [{ manifest: denied?.manifest }],
    });
    await handle.result();
    await save(handle, 'troubleshoot', 'fixed', overwrite);
    const allowed = await client.workflow.start(troubleshoot, {
      taskQueue: config.temporal.taskQueues.main,
      workflowId: `record-troubleshoot-ok-${tag}`,
      args: [{ manifest: loadPositiveFixtures()[0]?.manifest }],
    });
    await allowed.result();
    await save(allowed, 'troubleshoot', 'not-denied', overwrite);
  },

  async lifecycle({ client, config, tag, overwrite }) {
    const fix = await client.workflow.start(lifecycle, {
      taskQueue: config.temporal.taskQueues.lifecycle,
      workflowId: `record-lifecycle-fix-${tag}`,
      args: [{ family: 'fix', reason: 'record histories' }],
    });
    await fix.result();
    await save(fix, 'lifecycle', 'fix', overwrite);
    const failed = await client.workflow.start(lifecycle, {
      taskQueue: config.temporal.taskQueues.lifecycle,
      workflowId: `record-lifecycle-bad-${tag}`,
      // no manifests to label: the ingest step fails and the run is closed as FAILED
      args: [{ family: 'ranker', count: 0, reason: 'record histories (failure)' }],
    });
    await failed.result().catch(() => undefined);
    await save(failed, 'lifecycle', 'failed', overwrite);
  },

  /** the ranker's lifecycle with its ingest labelling and features fanned out as shards (PAC_SHARD_SIZE 100: 3 shards) */
  async lifecycleShards({ client, config, tag, overwrite }) {
    const ranker = await client.workflow.start(lifecycle, {
      taskQueue: config.temporal.taskQueues.lifecycle,
      workflowId: `record-lifecycle-ranker-${tag}`,
      args: [
        {
          family: 'ranker',
          seed: 7,
          count: 300,
          reason: 'record histories (shards)',
          window: { since: '2000-01-01T00:00:00.000Z', until: '2000-01-02T00:00:00.000Z' },
        },
      ],
    });
    await ranker.result();
    await save(ranker, 'lifecycle', 'ranker-sharded', overwrite);
  },

  async monitor({ client, config, tag, overwrite }) {
    // a ranker champion to monitor, then a shifted population that starts a retrain child
    await client.workflow
      .getHandle('lifecycle-ranker')
      .terminate('record histories: start from no running retrain')
      .catch(() => undefined);
    await client.workflow.execute(lifecycle, {
      taskQueue: config.temporal.taskQueues.lifecycle,
      workflowId: 'lifecycle-ranker',
      args: [{ family: 'ranker', seed: 42, count: 400, reason: 'record histories' }],
    });
    const calm = await client.workflow.start(monitor, {
      taskQueue: config.temporal.taskQueues.lifecycle,
      workflowId: `record-monitor-calm-${tag}`,
      args: [{ family: 'ranker', seed: 7, count: 300, shift: 0, retrain: false }],
    });
    await calm.result();
    await save(calm, 'monitor', 'no-drift', overwrite);
    const handle = await client.workflow.start(monitor, {
      taskQueue: config.temporal.taskQueues.lifecycle,
      workflowId: `record-monitor-${tag}`,
      args: [{ family: 'ranker', seed: 8, count: 800, shift: 0.9, threshold: 0.05 }],
    });
    const result = await handle.result();
    if (!result.retrain) throw new Error(`no drift found on the shifted data: ${JSON.stringify(result.drift)}`);
    await client.workflow.getHandle(result.retrain.workflowId).result();
    await save(handle, 'monitor', 'drift-retrain', overwrite);
  },

  async retrainAll({ client, config, tag, overwrite }) {
    const handle = await client.workflow.start(retrainAll, {
      taskQueue: config.temporal.taskQueues.lifecycle,
      workflowId: `record-retrain-${tag}`,
      args: [{ families: ['fix'], reason: 'record histories' }],
    });
    await handle.result();
    await save(handle, 'retrainAll', 'fix', overwrite);
  },

  async draftPolicy({ client, config, tag, overwrite }) {
    const drafts = new DraftsClient(client, config);
    const request = (intent: string, requester = 'ci:record') => ({ intent: `${intent} [record ${tag}]`, requester });
    const waiting = async (intent: string, requester?: string) => {
      const { draftId } = await drafts.propose(request(intent, requester));
      const status = await drafts.waitFor(draftId, 'guardrails');
      if (status.phase !== 'awaiting-approval') throw new Error(`${draftId} ended ${status.phase}: ${status.reasons.join('; ')}`);
      return client.workflow.getHandle(draftId);
    };
    const finished = async (handle: WorkflowHandle, scenario: string) => {
      await handle.result();
      await save(handle, 'draftPolicy', scenario, overwrite);
    };

    // published: approved through the Update (the CLI's way)
    const published = await waiting('Containers must not set stdin to true');
    await drafts.approve(published.workflowId, { reviewer: 'bob', comment: 'recorded' });
    await finished(published, 'published');

    // rejected: through the signal (the Temporal UI's way)
    const rejected = await waiting('Services must not be of type "ExternalName"');
    await rejected.signal(rejectSignal, { reviewer: 'bob', reason: 'recorded rejection' });
    await finished(rejected, 'rejected');

    // refused decisions (four-eyes through the Update, a reviewer off the list through the signal), then approved by the API
    const refused = await waiting('Deny containers that set tty', 'alice');
    await drafts.approve(refused.workflowId, { reviewer: 'alice', comment: 'mine' }).catch(() => undefined);
    await refused.signal(approveSignal, { reviewer: 'mallory', comment: 'not listed' });
    await until('two refusals', async () => ((await drafts.status(refused.workflowId)).refusedSignals.length >= 2 ? true : undefined));
    await drafts.approve(refused.workflowId, { reviewer: 'dave', comment: 'token dave' }, 'api');
    await finished(refused, 'refused-then-approved');

    // failed: no draft passes the guardrails
    const { draftId: failedId } = await drafts.propose({
      ...request('Containers must set readOnlyRootFilesystem to false'),
      examples: { deny: [], allow: [] },
    });
    await finished(client.workflow.getHandle(failedId), 'failed');

    // expired: nobody decides
    const short = new DraftsClient(client, { ...config, drafting: { ...config.drafting, approvalTimeoutMs: 1_000 } });
    const { draftId: expiredId } = await short.propose(request('Pods must not define hostAliases'));
    await finished(client.workflow.getHandle(expiredId), 'expired');
  },
};

async function main() {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1]?.split(',') : undefined;
  const overwrite = args.includes('--overwrite');
  const external = process.env.PAC_RECORD_EXTERNAL === '1';
  const stateDir = external ? undefined : mkdtempSync(join(tmpdir(), 'pac-record-'));
  const tag = Date.now().toString(36);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(external
      ? {}
      : Object.fromEntries(Object.entries(TEST_PORTS).map(([key, value]) => [key, process.env[`PAC_TEST_${key.slice(4)}`] ?? value]))),
    ...(stateDir ? { PAC_STATE_DIR: stateDir } : {}),
    PAC_TASK_QUEUE: `record-main-${tag}`,
    PAC_TASK_QUEUE_LIFECYCLE: `record-lifecycle-${tag}`,
    PAC_TASK_QUEUE_DRAFTING: `record-drafting-${tag}`,
    PAC_REVIEWERS: 'alice,bob,carol',
    PAC_FOUR_EYES: 'true',
    PAC_PUBLISH_MODE: 'dir',
    PAC_PUBLISH_DIR: mkdtempSync(join(tmpdir(), 'pac-record-publish-')),
    PAC_DRAFT_MAX_ATTEMPTS: '2',
    PAC_SHARD_SIZE: '100',
  };
  const config = loadConfig(env);
  mkdirSync(HISTORIES_DIR, { recursive: true });
  if (!external) await up(config);
  const client = await temporalClient(config);
  const worker = await createWorkers(config);
  const running = worker.run();
  try {
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      if (only && !only.includes(name)) continue;
      process.stderr.write(`[record] ${name} …\n`);
      await scenario({ client, config, tag, overwrite });
    }
  } finally {
    await worker.shutdown();
    await running;
    await client.connection.close();
    if (!external) {
      await down(config);
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
