/**
 * `pac pause` / `pac resume` on the real Temporal dev server: the retrain and monitor Schedules are
 * paused with a note (who and why) that `describe()` and `pac status` show; a draft awaiting
 * approval when the pause comes still takes its approval and publishes; `pac schedule` replacing a
 * paused Schedule (a changed cron) keeps it paused; resume unpauses with its own note.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../infra/config';
import { DraftsClient } from '../../workers/drafts';
import { createWorkers, type PacWorker } from '../../workers/main';
import { ensureSchedules, SCHEDULE_IDS } from '../../workers/schedules';
import { scheduleStatuses } from '../../workers/schedules-pause';
import { temporalClient } from '../../workers/temporal';
import { testEnv, uniqueName } from './harness';

const root = join(import.meta.dirname, '..', '..');
const publishDir = mkdtempSync(join(tmpdir(), 'pac-pause-publish-'));
const env = (): Record<string, string> => ({
  ...(testEnv() as Record<string, string>),
  PAC_PUBLISH_DIR: publishDir,
  PAC_TASK_QUEUE_DRAFTING: draftingQueue,
  // no worker polls this queue: the ranker retrain an approval requests is not run here
  PAC_TASK_QUEUE_LIFECYCLE: lifecycleQueue,
  PAC_REVIEWERS: 'alice',
  PAC_FOUR_EYES: 'true',
});
const draftingQueue = uniqueName('pause-drafting');
const lifecycleQueue = uniqueName('pause-lifecycle-idle');

let config: Config;
let client: Client;
let worker: PacWorker;
let running: Promise<void>;

/** `pac <args> --json` as a user runs it, against the test engines. */
function pac(args: string[]): { code: number | null; json: unknown; stderr: string } {
  const run = spawnSync(process.execPath, [join(root, 'bin', 'pac.js'), ...args, '--json'], {
    env: { ...env(), USER: 'ops-oncall' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  let json: unknown;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    json = undefined;
  }
  return { code: run.status, json, stderr: run.stderr };
}

beforeAll(async () => {
  config = loadConfig(env());
  client = await temporalClient(config);
  for (const id of SCHEDULE_IDS)
    await client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  worker = await createWorkers(config, ['drafting']);
  running = worker.run();
});

afterAll(async () => {
  await client?.workflow
    .getHandle('lifecycle-ranker')
    .terminate('pause-resume test cleanup')
    .catch(() => undefined);
  for (const id of SCHEDULE_IDS)
    await client?.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  await worker?.shutdown();
  await running;
  await client?.connection.close();
});

describe('pac pause / pac resume', () => {
  it('without Schedules, pause says to create them first', () => {
    const result = pac(['pause', '--note', 'nothing to pause yet']);
    expect(result.code).toBe(4);
    expect((result.json as { schedules: { exists: boolean }[] }).schedules.every((s) => !s.exists)).toBe(true);
  });

  it('refuses a pause without a note', () => {
    const result = pac(['pause']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--note/);
  });

  it('pauses the Schedules with who and why; a waiting draft still takes its approval; resume unpauses', async () => {
    await ensureSchedules(client, config);
    const drafts = new DraftsClient(client, config);
    const proposed = await drafts.propose({
      intent: `Containers must not set tty to true [${uniqueName('t')}]`,
      requester: 'ci:pause-test',
    });
    expect((await drafts.waitFor(proposed.draftId, 'guardrails')).phase).toBe('awaiting-approval');

    const paused = pac(['pause', '--note', 'cluster upgrade tonight']);
    expect(paused.code).toBe(0);
    for (const id of SCHEDULE_IDS) {
      const described = await client.schedule.getHandle(id).describe();
      expect(described.state.paused).toBe(true);
      expect(described.state.note).toBe('paused by ops-oncall: cluster upgrade tonight');
    }
    // pac status lists them as paused, with the note
    const status = pac(['status']).json as { schedules: { id: string; paused: boolean; note?: string }[] };
    expect(status.schedules.map((s) => [s.id, s.paused, s.note])).toEqual(
      SCHEDULE_IDS.map((id) => [id, true, 'paused by ops-oncall: cluster upgrade tonight']),
    );

    // the draft that was waiting is untouched by the pause: it takes its approval and publishes
    expect((await drafts.status(proposed.draftId)).phase).toBe('awaiting-approval');
    await drafts.approve(proposed.draftId, { reviewer: 'alice', comment: 'approved during the pause' });
    const done = await drafts.waitFor(proposed.draftId, 'decision');
    expect(done.phase).toBe('published');
    expect(existsSync(join(publishDir, 'policies', done.draft?.policyId as string, 'policy.rego'))).toBe(true);

    // `pac schedule` replacing a paused Schedule (another cron) keeps the pause and its note
    const changed = await ensureSchedules(client, loadConfig({ ...env(), PAC_RETRAIN_CRON: '30 4 * * *' }));
    expect(changed.find((s) => s.id === 'kpc-retrain-daily')?.action).toBe('updated');
    const retrain = await client.schedule.getHandle('kpc-retrain-daily').describe();
    expect(retrain.state).toMatchObject({ paused: true, note: 'paused by ops-oncall: cluster upgrade tonight' });

    const resumed = pac(['resume', '--by', 'alice', '--note', 'upgrade done']);
    expect(resumed.code).toBe(0);
    const states = await scheduleStatuses(client);
    expect(states.map((s) => [s.id, s.exists, s.paused, s.note])).toEqual(
      SCHEDULE_IDS.map((id) => [id, true, false, 'resumed by alice: upgrade done']),
    );
    expect(states.every((s) => s.nextRuns.length > 0)).toBe(true);
  });
});
