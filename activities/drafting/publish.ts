/**
 * The "publish" step and the audit log. An approved draft is written as a policy folder plus its
 * index entry — into a publication directory, or as a commit on a git branch built with plumbing
 * commands (the working tree and the current branch are never touched). The main corpus is never
 * changed directly: merging the publication is a reviewed change like any other.
 *
 * Every decision (approved, rejected, expired, failed) is appended to <publish dir>/audit.jsonl.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { policyMetaSchema } from '../../datasets/schemas';
import type { Config } from '../../infra/config';
import { writeAtomicAsync } from '../../lib/atomic';
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

export type Publication = { mode: 'dir' | 'git'; location: string; files: string[]; commit?: string };

async function publishToDir(dir: string, draft: Draft, entry: object): Promise<Publication> {
  const folder = join(dir, 'policies', draft.policyId);
  const indexFile = join(dir, 'policies', 'index.jsonl');
  await writeAtomicAsync(join(folder, 'policy.rego'), draft.policy);
  await writeAtomicAsync(join(folder, 'policy_test.rego'), draft.tests);
  const existing = await readFile(indexFile, 'utf8').catch(() => '');
  await writeAtomicAsync(indexFile, mergeIndex(existing, entry as { id: string }));
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

/**
 * A commit on `branch` adding datasets/policies/<id>/ and the index line, made with plumbing
 * (hash-object, a private index file, write-tree, commit-tree, update-ref): the working tree, the
 * real index and HEAD stay as they are. The branch starts from HEAD when it does not exist.
 */
async function publishToGit(
  repo: string,
  branch: string,
  draft: Draft,
  entry: object,
  reviewer: string,
  reason: string,
): Promise<Publication> {
  const top = await git(repo, ['rev-parse', '--show-toplevel']);
  const ref = `refs/heads/${branch}`;
  const parent = await git(top, ['rev-parse', '--verify', '--quiet', ref]).catch(() => '');
  const base = parent || (await git(top, ['rev-parse', 'HEAD']));
  const indexPath = join(top, '.git', `kpc-publish-${process.pid}-${Date.now()}.index`);
  const env = { GIT_INDEX_FILE: indexPath };
  const prefix = `datasets/policies/${draft.policyId}`;
  await git(top, ['read-tree', base], { env });
  const blob = async (content: string) => git(top, ['hash-object', '-w', '--stdin'], { input: content });
  const existingIndex = await git(top, ['show', `${base}:datasets/policies/index.jsonl`]).catch(() => '');
  const files: [string, string][] = [
    [`${prefix}/policy.rego`, draft.policy],
    [`${prefix}/policy_test.rego`, draft.tests],
    ['datasets/policies/index.jsonl', mergeIndex(existingIndex, entry as { id: string })],
  ];
  for (const [path, content] of files) {
    const sha = await blob(content);
    await git(top, ['update-index', '--add', '--cacheinfo', `100644,${sha},${path}`], { env });
  }
  const tree = await git(top, ['write-tree'], { env });
  const message = `policy: add ${draft.policyId} (drafted, approved by ${reviewer})\n\n${draft.description}\n\nApproval: ${reason || '(no comment)'}\n`;
  const commitEnv = {
    GIT_AUTHOR_NAME: reviewer,
    GIT_AUTHOR_EMAIL: 'kube-pac-copilot@localhost',
    GIT_COMMITTER_NAME: 'kube-pac-copilot',
    GIT_COMMITTER_EMAIL: 'kube-pac-copilot@localhost',
  };
  const commit = await git(top, ['commit-tree', tree, '-p', base, '-F', '-'], { env: commitEnv, input: message });
  await git(top, ['update-ref', ref, commit, ...(parent ? [parent] : [])]);
  await run('rm', ['-f', indexPath]);
  return { mode: 'git', location: `${top}#${branch}`, files: files.map(([p]) => p), commit };
}

export async function publishDraft(config: Config, draft: Draft, reviewer: string, comment: string): Promise<Publication> {
  const entry = indexEntry(draft);
  const { publish } = config.drafting;
  if (publish.mode === 'git') return publishToGit(publish.gitRepo, publish.gitBranch, draft, entry, reviewer, comment);
  return publishToDir(publish.dir, draft, entry);
}

export async function appendAudit(config: Config, record: AuditRecord): Promise<string> {
  const valid = auditRecordSchema.parse(record);
  const file = join(config.drafting.publish.dir, 'audit.jsonl');
  await mkdir(dirname(file), { recursive: true });
  // an activity retry must not record the same decision twice
  const already = (await readAudit(config)).some((r) => r.draftId === valid.draftId && r.decision === valid.decision);
  if (already) return file;
  await appendFile(file, `${JSON.stringify(valid)}\n`, 'utf8');
  return file;
}

export async function readAudit(config: Config): Promise<AuditRecord[]> {
  const text = await readFile(join(config.drafting.publish.dir, 'audit.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => auditRecordSchema.parse(JSON.parse(l)));
}
