/**
 * The "publish" step and the audit log. An approved draft is written as a policy folder plus its
 * index entry — into a publication directory, or as a commit on a git branch built with plumbing
 * commands (the working tree and the current branch are never touched). The main corpus is never
 * changed directly: merging the publication is a reviewed change like any other.
 *
 * A replacement (draft.replaces: the request said it replaces that corpus or published policy)
 * overwrites the policy's files and its index line: in a directory under the index lock with
 * atomic renames, on git in one commit ("policy: replace <id>").
 *
 * Every decision (approved, rejected, expired, failed), every refused decision and every failed
 * try to publish is appended to <publish dir>/audit.jsonl, once: each line has a key (workflow id /
 * run id / event) and a retried activity finds its line instead of writing it again.
 *
 * Retries are safe: the directory's index.jsonl and the audit log are rewritten under a file lock
 * (read-modify-write cycles never interleave across workers), and a git publication carries its key
 * as a trailer (`Kpc-Publication: <workflow id>/<run id>`) and fixed dates, so a retry finds the
 * commit an earlier try made, or makes the identical commit.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { policyMetaSchema } from '../../datasets/schemas';
import type { Config } from '../../infra/config';
import { withFileLock, writeAtomicAsync } from '../../lib/atomic';
import { constraintParameters } from './rego-writer';
import { type AuditRecord, auditRecordSchema, type Draft } from './schemas';

const run = promisify(execFile);

export function policyDigest(draft: Pick<Draft, 'policy' | 'tests'>): string {
  return createHash('sha256').update(draft.policy).update('\0').update(draft.tests).digest('hex');
}

/** The index.jsonl entry of a draft, validated by the corpus's own schema. */
export function indexEntry(draft: Draft, features: string[] = []) {
  return policyMetaSchema.parse({
    id: draft.policyId,
    package: draft.packageName,
    title: draft.title.length >= 5 ? draft.title : `${draft.title} policy`,
    description: draft.description.length >= 20 ? draft.description : `${draft.description} (drafted by kube-pac-copilot)`,
    kinds: draft.kinds,
    severity: draft.severity,
    category: draft.category,
    // a drafted policy is not a Pod Security Standards control: it joins the RBAC bundle or the best practices
    bundles: [draft.category === 'rbac' ? 'rbac' : 'best-practices'],
    features: features.length
      ? features
      : [
          draft.constraint
            ? draft.constraint.path
                .filter((p) => p !== '*')
                .join('_')
                .replace(/[^A-Za-z0-9_]+/g, '_')
                .toLowerCase()
            : 'drafted',
        ],
    reliability: 0.8,
    parameters: draft.constraint ? constraintParameters(draft.constraint) : [],
    message: draft.message.length >= 10 ? draft.message : `${draft.message} (see policy)`,
    usesInventory: /data\.inventory|k8s\.inventory_/.test(draft.policy),
  });
}

/** index.jsonl with the draft's line replaced or appended (one line per id). */
export function mergeIndex(existing: string, entry: { id: string }): string {
  const lines = existing.split('\n').filter((line) => line.trim() !== '');
  const kept = lines.filter((line) => {
    try {
      return (JSON.parse(line) as { id?: string }).id !== entry.id;
    } catch {
      return true;
    }
  });
  return `${[...kept, JSON.stringify(entry)].join('\n')}\n`;
}

export type Publication = {
  mode: 'dir' | 'git';
  location: string;
  files: string[];
  commit?: string;
  /** an earlier try of the same publication had already made it (git: the commit was found by its key) */
  detected?: boolean;
};

/** What to publish, and the key of this publication (the approving workflow execution). */
export type PublishInput = {
  draft: Draft;
  reviewer: string;
  comment: string;
  /** "<workflow id>/<run id>": one publication per workflow execution */
  key: string;
  /** when the approval was given (workflow time, ms): the commit's date, so a retry makes the same commit */
  approvedAt: number;
};

async function publishToDir(dir: string, draft: Draft, entry: object): Promise<Publication> {
  const folder = join(dir, 'policies', draft.policyId);
  const indexFile = join(dir, 'policies', 'index.jsonl');
  // the files and the index line under one lock, each file replaced by an atomic rename: a
  // replacement (draft.replaces) overwrites the policy as a whole, and two workers publishing two
  // drafts at once both keep their line
  await withFileLock(indexFile, async () => {
    await writeAtomicAsync(join(folder, 'policy.rego'), draft.policy);
    await writeAtomicAsync(join(folder, 'policy_test.rego'), draft.tests);
    const existing = await readFile(indexFile, 'utf8').catch(() => '');
    await writeAtomicAsync(indexFile, mergeIndex(existing, entry as { id: string }));
  });
  return { mode: 'dir', location: folder, files: [join(folder, 'policy.rego'), join(folder, 'policy_test.rego'), indexFile] };
}

async function git(repo: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<string> {
  try {
    const child = run('git', ['-C', repo, ...args], { env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024 });
    if (options.input !== undefined) {
      child.child.stdin?.end(options.input);
    }
    const { stdout } = await child;
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`git ${args.join(' ')} in ${repo} failed: ${(e.stderr || e.message).trim()}`);
  }
}

/** The trailer that names a publication in its commit message. */
export const PUBLICATION_TRAILER = 'Kpc-Publication';

/**
 * A commit on `branch` adding datasets/policies/<id>/ and the index line, made with plumbing
 * (hash-object, a private index file, write-tree, commit-tree, update-ref): the working tree, the
 * real index and HEAD stay as they are. The branch starts from HEAD when it does not exist. A
 * commit of the branch that carries this publication's key is returned as it is (detected).
 */
async function publishToGit(repo: string, branch: string, input: PublishInput, entry: object): Promise<Publication> {
  const { draft, reviewer } = input;
  const top = await git(repo, ['rev-parse', '--show-toplevel']);
  const gitDir = await git(top, ['rev-parse', '--absolute-git-dir']);
  const ref = `refs/heads/${branch}`;
  const prefix = `datasets/policies/${draft.policyId}`;
  const paths = [`${prefix}/policy.rego`, `${prefix}/policy_test.rego`, 'datasets/policies/index.jsonl'];
  // one publisher of this repository at a time: the branch moves by compare-and-swap anyway
  return withFileLock(join(gitDir, 'kpc-publish'), async () => {
    const parent = await git(top, ['rev-parse', '--verify', '--quiet', ref]).catch(() => '');
    if (parent) {
      const found = await git(top, ['log', '-1', '--format=%H', '--fixed-strings', `--grep=${PUBLICATION_TRAILER}: ${input.key}`, ref]);
      if (found) return { mode: 'git', location: `${top}#${branch}`, files: paths, commit: found, detected: true };
    }
    const base = parent || (await git(top, ['rev-parse', 'HEAD']));
    const indexPath = join(gitDir, `kpc-publish-${process.pid}-${Date.now()}.index`);
    try {
      const env = { GIT_INDEX_FILE: indexPath };
      await git(top, ['read-tree', base], { env });
      const existingIndex = await git(top, ['show', `${base}:datasets/policies/index.jsonl`]).catch(() => '');
      const contents = [draft.policy, draft.tests, mergeIndex(existingIndex, entry as { id: string })];
      for (const [i, path] of paths.entries()) {
        const sha = await git(top, ['hash-object', '-w', '--stdin'], { input: contents[i] });
        await git(top, ['update-index', '--add', '--cacheinfo', `100644,${sha},${path}`], { env });
      }
      const tree = await git(top, ['write-tree'], { env });
      const verb = draft.replaces ? 'replace' : 'add';
      const message = `policy: ${verb} ${draft.policyId} (drafted, approved by ${reviewer})\n\n${draft.description}\n\nApproval: ${input.comment || '(no comment)'}\n\n${PUBLICATION_TRAILER}: ${input.key}\n`;
      const date = `@${Math.floor(input.approvedAt / 1000)} +0000`;
      const commitEnv = {
        GIT_AUTHOR_NAME: reviewer,
        GIT_AUTHOR_EMAIL: 'kube-pac-copilot@localhost',
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: 'kube-pac-copilot',
        GIT_COMMITTER_EMAIL: 'kube-pac-copilot@localhost',
        GIT_COMMITTER_DATE: date,
      };
      const commit = await git(top, ['commit-tree', tree, '-p', base, '-F', '-'], { env: commitEnv, input: message });
      await git(top, ['update-ref', ref, commit, ...(parent ? [parent] : [])]);
      return { mode: 'git', location: `${top}#${branch}`, files: paths, commit };
    } finally {
      await rm(indexPath, { force: true });
    }
  });
}

export async function publishDraft(config: Config, input: PublishInput): Promise<Publication> {
  const entry = indexEntry(input.draft);
  const { publish } = config.drafting;
  if (publish.mode === 'git') return publishToGit(publish.gitRepo, publish.gitBranch, input, entry);
  return publishToDir(publish.dir, input.draft, entry);
}

/** The idempotency key of an audit line: its own, or workflow id / run id / decision for older lines. */
export function auditKey(record: Pick<AuditRecord, 'key' | 'workflowId' | 'runId' | 'decision'>): string {
  return record.key ?? `${record.workflowId}/${record.runId ?? ''}/${record.decision}`;
}

export async function appendAudit(config: Config, record: AuditRecord): Promise<string> {
  const valid = auditRecordSchema.parse(record);
  const file = join(config.drafting.publish.dir, 'audit.jsonl');
  await mkdir(dirname(file), { recursive: true });
  const key = auditKey(valid);
  await withFileLock(file, async () => {
    // an activity retry must not record the same event twice; a re-run draft (new run id) is recorded again
    if ((await readAudit(config)).some((r) => auditKey(r) === key)) return;
    await appendFile(file, `${JSON.stringify(valid)}\n`, 'utf8');
  });
  return file;
}

export async function readAudit(config: Config): Promise<AuditRecord[]> {
  const text = await readFile(join(config.drafting.publish.dir, 'audit.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => auditRecordSchema.parse(JSON.parse(l)));
}
