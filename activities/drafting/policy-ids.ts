/**
 * The id rule of drafts: a draft never takes the id of a corpus or published policy unless the
 * request says it replaces that policy (`replaces: <id>`); the reviewer then sees "replaces <id>".
 *
 * - `policyId` given and taken, no `replaces`: refused at submission (conflict: HTTP 409, CLI exit 2),
 *   with the fix in the message (add `replaces`, pick another id, or leave `policyId` out).
 * - `replaces` naming no existing policy, or a `policyId` other than `replaces`: refused (HTTP 422).
 * - neither given: the generator derives an id and steps past taken ones (-v2, -v3 …, naming.ts).
 *
 * The drafting workflow checks the rule again on the draft itself (validation `idClash`, a guardrail
 * gate), for requests that did not come through the CLI or the API, or an id published meanwhile.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadPolicyIndex } from '../../datasets/load';

const run = promisify(execFile);

/** Every taken id and where it is: the corpus (datasets/policies) or the publication. */
export type TakenIds = Map<string, 'corpus' | 'published'>;

export interface PublishLocation {
  drafting: { publish: { mode: 'dir' | 'git'; dir: string; gitRepo?: string; gitBranch?: string } };
}

function idsOfIndex(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id === 'string') ids.push(id);
    } catch {
      // a torn line is not an id
    }
  }
  return ids;
}

/** Ids of the publication: dir mode its index lines and policy folders; git mode the branch's index (when the branch exists). */
async function publishedIds(config: PublishLocation): Promise<string[]> {
  const { publish } = config.drafting;
  if (publish.mode === 'git') {
    if (!publish.gitRepo || !publish.gitBranch) return [];
    const shown = await run('git', ['-C', publish.gitRepo, 'show', `${publish.gitBranch}:datasets/policies/index.jsonl`], {
      maxBuffer: 64 * 1024 * 1024,
    }).catch(() => undefined);
    return shown ? idsOfIndex(shown.stdout) : [];
  }
  const root = join(publish.dir, 'policies');
  let index = '';
  try {
    index = readFileSync(join(root, 'index.jsonl'), 'utf8');
  } catch {
    // nothing published yet
  }
  let folders: string[] = [];
  try {
    folders = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch {
    // nothing published yet
  }
  return [...idsOfIndex(index), ...folders];
}

export async function takenPolicyIds(config: PublishLocation): Promise<TakenIds> {
  const taken: TakenIds = new Map(loadPolicyIndex().map((meta) => [meta.id, 'corpus' as const]));
  for (const id of await publishedIds(config)) if (!taken.has(id)) taken.set(id, 'published');
  return taken;
}

export interface IdRuleProblem {
  /** conflict: the id is taken (409); unprocessable: `replaces` does not fit (422) */
  code: 'conflict' | 'unprocessable';
  /** the request field at fault */
  path: 'policyId' | 'replaces';
  message: string;
}

/** The id rule on a request (pure): null when the request may go ahead. */
export function checkPolicyIdRule(request: { policyId?: string; replaces?: string }, taken: TakenIds): IdRuleProblem | null {
  const { policyId, replaces } = request;
  if (replaces !== undefined) {
    if (!taken.has(replaces))
      return {
        code: 'unprocessable',
        path: 'replaces',
        message: `replaces: no corpus or published policy has the id "${replaces}"; leave "replaces" out to draft a new policy`,
      };
    if (policyId !== undefined && policyId !== replaces)
      return {
        code: 'unprocessable',
        path: 'policyId',
        message: `policyId: a replacement keeps the id of the policy it replaces: give "${replaces}" or leave policyId out (got "${policyId}")`,
      };
    return null;
  }
  const where = policyId === undefined ? undefined : taken.get(policyId);
  if (where)
    return {
      code: 'conflict',
      path: 'policyId',
      message: `policyId: "${policyId}" is already a ${where} policy; to replace it say so with "replaces": "${policyId}" (the reviewer sees the replacement), otherwise choose another id or leave policyId out for a fresh one`,
    };
  return null;
}

/** The id rule on a finished draft: the message when its id is taken and it does not replace that policy. */
export function draftIdClash(draft: { policyId: string; replaces?: string }, taken: TakenIds): string | undefined {
  const where = taken.get(draft.policyId);
  if (!where || draft.replaces === draft.policyId) return undefined;
  return `the id "${draft.policyId}" is already a ${where} policy and the request does not say it replaces it ("replaces": "${draft.policyId}")`;
}

/** A request that breaks the id rule, for the CLI (exit 2) and the API (409 / 422). */
export class PolicyIdRuleError extends Error {
  constructor(readonly problem: IdRuleProblem) {
    super(problem.message);
    this.name = 'PolicyIdRuleError';
  }
}

/** Checks the rule against the corpus and the configured publication; throws PolicyIdRuleError. */
export async function assertPolicyIdRule(config: PublishLocation, request: { policyId?: string; replaces?: string }): Promise<void> {
  if (request.policyId === undefined && request.replaces === undefined) return;
  const problem = checkPolicyIdRule(request, await takenPolicyIds(config));
  if (problem) throw new PolicyIdRuleError(problem);
}
