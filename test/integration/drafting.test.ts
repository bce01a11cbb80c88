/**
 * The drafting loop against the real Temporal server, OPA, Weaviate and MLflow: a draft passes the
 * guardrails, waits, is approved and published (files, index line, audit record, MLflow tags) with
 * a ranker retrain requested; a rejection; an expiry; a request whose drafts keep failing the
 * guardrails loops with feedback and ends `failed` with the reasons; a bad request is refused
 * before any workflow starts; a git publication commits to a branch without touching the tree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../activities/drafting/publish';
import type { DraftRequestInput } from '../../activities/drafting/schemas';
import { type Config, loadConfig } from '../../infra/config';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { DraftDecisionRefusedError, DraftRequestError, DraftStateError, DraftsClient } from '../../workers/drafts';
import { createWorkers, type PacWorker } from '../../workers/main';
import { temporalClient } from '../../workers/temporal';
import { approveSignal } from '../../workflows/draft';
import { testEnv, uniqueName } from './harness';

let client: Client;
let worker: PacWorker;
let running: Promise<void>;
let config: Config;
let drafts: DraftsClient;
const publishDir = mkdtempSync(join(tmpdir(), 'pac-publish-'));

function configWith(extra: Record<string, string>): Config {
  return loadConfig({
    ...testEnv(),
    PAC_PUBLISH_DIR: publishDir,
    PAC_TASK_QUEUE_DRAFTING: queue,
    PAC_TASK_QUEUE_LIFECYCLE: lifecycleQueue,
    PAC_REVIEWERS: 'alice,bob,carol',
    PAC_FOUR_EYES: 'true',
    ...extra,
  });
}
const queue = uniqueName('drafting');
// no worker polls this queue: the retrain request is observed, not run
const lifecycleQueue = uniqueName('lifecycle-idle');

beforeAll(async () => {
  config = configWith({ PAC_DRAFT_MAX_ATTEMPTS: '2' });
  client = await temporalClient(config);
  worker = await createWorkers(config, ['drafting']);
  running = worker.run();
  drafts = new DraftsClient(client, config);
});

afterAll(async () => {
  try {
    await client.workflow.getHandle('lifecycle-ranker').terminate('drafting test cleanup');
  } catch {
    // not started or already closed
  }
  await worker?.shutdown();
  await running;
  await client?.connection.close();
});

const request = (intent: string, extra: Partial<DraftRequestInput> = {}): DraftRequestInput => ({
  intent: `${intent} [${uniqueName('t')}]`,
  requester: 'ci:integration-test',
  ...extra,
});

describe('draftPolicy workflow', () => {
  it('drafts, passes the guardrails, waits, is approved, publishes and requests a ranker retrain', async () => {
    // a retrain left running by an earlier test would be joined instead of started
    await client.workflow
      .getHandle('lifecycle-ranker')
      .terminate('drafting test: start from no running retrain')
      .catch(() => undefined);
    const wanted = request('Containers must not set stdin to true', { severity: 'high' });
    const started = await drafts.propose(wanted);
    const waiting = await drafts.waitFor(started.draftId, 'guardrails');
    expect(waiting.phase).toBe('awaiting-approval');
    expect(waiting.provenance.length).toBeGreaterThan(0);
    expect(waiting.provenance.every((p) => p.score > 0)).toBe(true);
    expect(waiting.draft?.policyId).toBe('container-stdin-not-true');
    expect(waiting.guardrails?.passed).toBe(true);
    expect(waiting.report?.falsePositives).toEqual([]);
    expect(waiting.report?.tests.failed).toEqual([]);
    expect(waiting.report?.coverage).toBeGreaterThanOrEqual(80);
    // it is listed, and nothing is published before the decision
    expect((await drafts.list()).map((d) => d.draftId)).toContain(started.draftId);
    expect(existsSync(join(publishDir, 'policies', 'container-stdin-not-true'))).toBe(false);
    // the same request (a CI retry) joins the same workflow
    const again = await drafts.propose(wanted);
    expect(again).toMatchObject({ draftId: started.draftId, runId: started.runId });

    await drafts.approve(started.draftId, { reviewer: 'alice', comment: 'looks right' });
    const done = await drafts.waitFor(started.draftId, 'decision');
    expect(done.phase).toBe('published');
    const folder = join(publishDir, 'policies', 'container-stdin-not-true');
    expect(readFileSync(join(folder, 'policy.rego'), 'utf8')).toContain('package kpc.policies.container_stdin_not_true');
    expect(readFileSync(join(folder, 'policy_test.rego'), 'utf8')).toContain('test_deny_');
    const index = readFileSync(join(publishDir, 'policies', 'index.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(index.find((e) => e.id === 'container-stdin-not-true')?.severity).toBe('high');
    const audit = (await readAudit(config)).filter((r) => r.draftId === started.draftId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ decision: 'approved', actor: 'alice', reason: 'looks right', policyId: 'container-stdin-not-true' });
    // MLflow: a run tagged with the decision, the policy as an artifact
    const run = await mlflowClientFromConfig(config).getRun(done.mlflowRunId as string);
    const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ decision: 'approved', actor: 'alice', draft_id: started.draftId, policy_id: 'container-stdin-not-true' });
    // the ranker retrain was requested on the lifecycle queue
    expect(done.retrain).toEqual({ workflowId: 'lifecycle-ranker', joined: false });
    const retrain = await client.workflow.getHandle('lifecycle-ranker').describe();
    expect(retrain.taskQueue).toBe(lifecycleQueue);
    expect(retrain.status.name).toBe('RUNNING');
    // a second decision is refused: the draft is no longer waiting
    await expect(drafts.reject(started.draftId, { reviewer: 'bob', reason: 'late' })).rejects.toBeInstanceOf(DraftStateError);
  });

  it('a rejection ends the draft as rejected, with the reason audited and nothing published', async () => {
    const wanted = request('Services must not be of type "ExternalName"');
    const started = await drafts.propose(wanted);
    const waiting = await drafts.waitFor(started.draftId, 'guardrails');
    expect(waiting.phase).toBe('awaiting-approval');
    await expect(drafts.reject(started.draftId, { reviewer: 'bob', reason: '' })).rejects.toBeInstanceOf(DraftRequestError);
    await drafts.reject(started.draftId, { reviewer: 'bob', reason: 'we use ExternalName for the legacy DNS cutover' });
    const done = await drafts.waitFor(started.draftId, 'decision');
    expect(done.phase).toBe('rejected');
    expect(done.publication).toBeUndefined();
    expect(existsSync(join(publishDir, 'policies', waiting.draft?.policyId as string))).toBe(false);
    const audit = (await readAudit(config)).find((r) => r.draftId === started.draftId);
    expect(audit).toMatchObject({ decision: 'rejected', actor: 'bob', reason: 'we use ExternalName for the legacy DNS cutover' });

    // the same request again: a new execution of the same draft id, whose decision is audited again
    const rerun = await drafts.propose(wanted);
    expect(rerun).toMatchObject({ draftId: started.draftId, joined: false });
    expect(rerun.runId).not.toBe(started.runId);
    expect((await drafts.waitFor(rerun.draftId, 'guardrails')).phase).toBe('awaiting-approval');
    await drafts.reject(rerun.draftId, { reviewer: 'carol', reason: 'still no' });
    expect((await drafts.waitFor(rerun.draftId, 'decision')).phase).toBe('rejected');
    const rejections = (await readAudit(config)).filter((r) => r.draftId === started.draftId);
    expect(rejections.map((r) => [r.decision, r.actor, r.runId])).toEqual([
      ['rejected', 'bob', started.runId],
      ['rejected', 'carol', rerun.runId],
    ]);
  });

  it('four-eyes and the reviewer list: refused decisions are recorded in the status and the audit; the API names its reviewer', async () => {
    const wanted = request('Containers must not set stdin to true', { requester: 'alice', severity: 'low' });
    const started = await drafts.propose(wanted);
    expect(started.joined).toBe(false);
    expect(await drafts.propose(wanted)).toMatchObject({ draftId: started.draftId, runId: started.runId, joined: true });
    expect((await drafts.waitFor(started.draftId, 'guardrails')).phase).toBe('awaiting-approval');

    // the requester approving their own draft (CLI → Update): refused with a clear error, recorded
    const own = await drafts.approve(started.draftId, { reviewer: 'alice', comment: 'mine' }).catch((e) => e);
    expect(own).toBeInstanceOf(DraftDecisionRefusedError);
    expect((own as Error).message).toMatch(/alice requested this draft, and four-eyes review \(PAC_FOUR_EYES\) needs another reviewer/);
    // a reviewer not on the list, as the Temporal UI would send it (signal): refused, recorded
    await client.workflow.getHandle(started.draftId).signal(approveSignal, { reviewer: 'mallory', comment: 'lgtm' });
    let status = await drafts.status(started.draftId);
    for (let i = 0; i < 100 && status.refusedSignals.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await drafts.status(started.draftId);
    }
    expect(status.phase).toBe('awaiting-approval');
    expect(status.refusedSignals).toEqual([
      expect.stringMatching(/^approve by alice refused: alice requested this draft/),
      expect.stringMatching(/^approve by mallory refused: not on the reviewer list \(PAC_REVIEWERS: alice, bob, carol\)/),
    ]);
    // the API authenticates its caller and names the reviewer itself: the list does not apply
    await drafts.approve(started.draftId, { reviewer: 'dave', comment: 'token dave' }, 'api');
    const done = await drafts.waitFor(started.draftId, 'decision');
    expect(done.phase).toBe('published');
    expect(done.decision).toEqual({ kind: 'approve', reviewer: 'dave', text: 'token dave' });
    const audit = (await readAudit(config)).filter((r) => r.draftId === started.draftId);
    expect(audit.map((r) => [r.decision, r.actor])).toEqual([
      ['refused', 'alice'],
      ['refused', 'mallory'],
      ['approved', 'dave'],
    ]);
    expect(new Set(audit.map((r) => r.runId))).toEqual(new Set([started.runId]));
  });

  it('a draft nobody decides on expires after the approval timeout', async () => {
    const short = new DraftsClient(client, configWith({ PAC_DRAFT_APPROVAL_TIMEOUT: '2s' }));
    const started = await short.propose(request('Pods must not define hostAliases'));
    const done = await short.waitFor(started.draftId, 'decision');
    expect(done.phase).toBe('expired');
    expect(done.reasons[0]).toMatch(/no approve or reject signal within 2 s/);
    expect((await readAudit(config)).find((r) => r.draftId === started.draftId)?.decision).toBe('expired');
  });

  it('loops back with the guardrail failures as feedback and ends failed with the reasons', async () => {
    // every known-good fixture sets readOnlyRootFilesystem: true, so this draft denies all of them
    const started = await drafts.propose(
      request('Containers must set readOnlyRootFilesystem to false', {
        examples: { deny: [], allow: [] },
      }),
    );
    const done = await drafts.waitFor(started.draftId, 'decision');
    expect(done.phase).toBe('failed');
    expect(done.attempts.length).toBeGreaterThanOrEqual(1);
    // the blast radius (share of known-good fixtures newly denied) is far above the default 5 % gate
    expect(done.attempts[0]?.guardrails.failures.some((f) => f.startsWith('blast-radius'))).toBe(true);
    expect(done.attempts[0]?.report.blastRadius?.fixtures.share).toBeGreaterThan(0.5);
    expect(done.reasons.join(' ')).toMatch(/blast-radius/);
    if (done.attempts.length > 1) expect(done.attempts[1]?.draft.constraint).not.toEqual(done.attempts[0]?.draft.constraint);
    expect((await readAudit(config)).find((r) => r.draftId === started.draftId)?.decision).toBe('failed');
  });

  it('refuses a bad request before any workflow starts, naming each field', async () => {
    const bad = { intent: 'short', requester: '', severity: 'urgent', examples: { deny: [{ kind: 'Pod' }] } };
    const error = await drafts.propose(bad).catch((e) => e);
    expect(error).toBeInstanceOf(DraftRequestError);
    const paths = (error as DraftRequestError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['intent', 'requester', 'severity', 'examples.deny[0].apiVersion']));
  });

  it('publishes to a git branch with plumbing: the working tree and HEAD are untouched', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'pac-git-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 't');
    execFileSync('mkdir', ['-p', join(repo, 'datasets', 'policies')]);
    writeFileSync(join(repo, 'datasets', 'policies', 'index.jsonl'), '{"id":"existing"}\n');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    const head = git('rev-parse', 'HEAD');
    const gitConfig = configWith({ PAC_PUBLISH_MODE: 'git', PAC_PUBLISH_GIT_REPO: repo, PAC_PUBLISH_GIT_BRANCH: 'kpc/drafts' });
    const gitWorker = await createWorkers(gitConfig, ['drafting'], { taskQueue: `${queue}-git` });
    const gitRun = gitWorker.run();
    try {
      const gitDrafts = new DraftsClient(client, {
        ...gitConfig,
        temporal: { ...gitConfig.temporal, taskQueues: { ...gitConfig.temporal.taskQueues, drafting: `${queue}-git` } },
      });
      const started = await gitDrafts.propose(request('Deny containers that set tty'));
      expect((await gitDrafts.waitFor(started.draftId, 'guardrails')).phase).toBe('awaiting-approval');
      await gitDrafts.approve(started.draftId, { reviewer: 'carol', comment: '' });
      const done = await gitDrafts.waitFor(started.draftId, 'decision');
      expect(done.phase).toBe('published');
      expect(git('rev-parse', 'HEAD')).toBe(head);
      expect(git('status', '--porcelain')).toBe('');
      expect(git('log', '-1', '--format=%an %s', 'kpc/drafts')).toBe(
        'carol policy: add container-tty-not-true (drafted, approved by carol)',
      );
      expect(git('show', 'kpc/drafts:datasets/policies/container-tty-not-true/policy.rego')).toContain(
        'package kpc.policies.container_tty_not_true',
      );
      const index = git('show', 'kpc/drafts:datasets/policies/index.jsonl').split('\n');
      expect(index[0]).toBe('{"id":"existing"}');
      expect(JSON.parse(index[1] as string).id).toBe('container-tty-not-true');
    } finally {
      await gitWorker.shutdown();
      await gitRun;
    }
  });
});
