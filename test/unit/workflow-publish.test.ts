/**
 * The publication and audit steps are safe to retry and to run in parallel (activities/drafting/
 * publish.ts): index.jsonl keeps every line when many drafts are published at once, a git
 * publication retried with the same key finds its commit (or makes the identical one), and the
 * audit log records each event once — a re-run draft again. Real files and a real git binary.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateOffline } from '../../activities/drafting/offline';
import { appendAudit, type PublishInput, publishDraft, readAudit } from '../../activities/drafting/publish';
import { type AuditRecord, type Draft, draftRequestSchema } from '../../activities/drafting/schemas';
import { loadConfig } from '../../infra/config';
import { withFileLock } from '../../lib/atomic';
import { policyRepo } from './helpers/git-repo';

function configFor(extra: Record<string, string>) {
  return loadConfig({ ...process.env, PAC_STATE_DIR: mkdtempSync(join(tmpdir(), 'pac-pub-state-')), ...extra });
}

function draftFor(intent: string): Draft {
  const request = draftRequestSchema.parse({ intent, requester: 'unit' });
  return generateOffline({ request, retrieved: [], corpusIds: [], rejected: [], attempt: 1 });
}

const input = (draft: Draft, key: string): PublishInput => ({
  draft,
  reviewer: 'bob',
  comment: 'ok',
  key,
  approvedAt: Date.UTC(2026, 0, 2),
});

describe('publication', () => {
  it('keeps every index.jsonl line when many drafts are published at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pac-pub-'));
    const config = configFor({ PAC_PUBLISH_DIR: dir });
    const intents = [
      'Containers must not set stdin to true',
      'Deny containers that set tty',
      'Pods must not define hostAliases',
      'Services must not be of type "ExternalName"',
    ];
    const drafts = intents.map(draftFor);
    expect(new Set(drafts.map((d) => d.policyId)).size).toBe(intents.length);
    // twice each, all at once: the retries and the other drafts interleave
    await Promise.all([...drafts, ...drafts].map((d, i) => publishDraft(config, input(d, `wf-${i % drafts.length}/run`))));
    const ids = readFileSync(join(dir, 'policies', 'index.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    expect(ids.sort()).toEqual(drafts.map((d) => d.policyId).sort());
  });

  it('a git publication retried with the same key finds its commit; another key adds one', async () => {
    const { repo, git } = policyRepo('pac-pub-git-');
    const config = configFor({ PAC_PUBLISH_MODE: 'git', PAC_PUBLISH_GIT_REPO: repo, PAC_PUBLISH_GIT_BRANCH: 'kpc/drafts' });
    const draft = draftFor('Deny containers that set tty');
    const first = await publishDraft(config, input(draft, 'draft-1/run-a'));
    const retried = await publishDraft(config, input(draft, 'draft-1/run-a'));
    expect(first.detected).toBeUndefined();
    expect(retried).toMatchObject({ commit: first.commit, detected: true });
    expect(git('rev-list', '--count', 'kpc/drafts')).toBe('2');
    expect(git('log', '-1', '--format=%B', 'kpc/drafts')).toContain('Kpc-Publication: draft-1/run-a');
    // a later execution (re-run draft) is a publication of its own
    const again = await publishDraft(config, input(draft, 'draft-1/run-b'));
    expect(again.commit).not.toBe(first.commit);
    expect(git('rev-list', '--count', 'kpc/drafts')).toBe('3');
    // the same publication made from scratch elsewhere is the identical commit (fixed dates, same tree)
    git('update-ref', 'refs/heads/kpc/drafts', first.commit as string);
    git('update-ref', '-d', 'refs/heads/kpc/drafts');
    const remade = await publishDraft(config, input(draft, 'draft-1/run-a'));
    expect(remade.commit).toBe(first.commit);
  });
});

describe('audit log', () => {
  const record = (over: Partial<AuditRecord>): AuditRecord => ({
    at: new Date().toISOString(),
    draftId: 'draft-abc',
    workflowId: 'draft-abc',
    policyId: '',
    decision: 'rejected',
    actor: 'bob',
    reason: 'no',
    requester: 'alice',
    intent: 'Containers must not set stdin to true',
    policyDigest: '',
    ...over,
  });

  it('records an event once per key, a re-run draft again, and concurrent writers keep every line', async () => {
    const config = configFor({ PAC_PUBLISH_DIR: mkdtempSync(join(tmpdir(), 'pac-audit-')) });
    await appendAudit(config, record({ runId: 'r1', key: 'draft-abc/r1/rejected' }));
    await appendAudit(config, record({ runId: 'r1', key: 'draft-abc/r1/rejected' }));
    await appendAudit(config, record({ runId: 'r2', key: 'draft-abc/r2/rejected', actor: 'carol' }));
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        appendAudit(config, record({ runId: 'r3', key: `draft-abc/r3/refused/${i % 6}`, decision: 'refused' })),
      ),
    );
    const lines = await readAudit(config);
    expect(lines.filter((r) => r.decision === 'rejected').map((r) => [r.runId, r.actor])).toEqual([
      ['r1', 'bob'],
      ['r2', 'carol'],
    ]);
    expect(
      lines
        .filter((r) => r.decision === 'refused')
        .map((r) => r.key)
        .sort(),
    ).toEqual(Array.from({ length: 6 }, (_, i) => `draft-abc/r3/refused/${i}`));
  });

  it('a lock left by a dead process is taken over; a live holder makes the waiter time out with its name', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pac-lock-')), 'index.jsonl');
    writeFileSync(`${file}.lock`, `999999999 ${(await import('node:os')).hostname()} ${Date.now()}`);
    expect(await withFileLock(file, async () => 'taken over')).toBe('taken over');
    writeFileSync(`${file}.lock`, `${process.pid} ${(await import('node:os')).hostname()} ${Date.now()}`);
    await expect(withFileLock(file, async () => 'never', { waitMs: 200 })).rejects.toThrow(/could not lock .*index\.jsonl\.lock .*held by/);
  });
});
