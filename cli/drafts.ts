/**
 * pac draft | drafts | approve | reject — the drafting loop from the command line and from CI (the
 * command modules in cli/commands/ load this one when they run).
 *
 * Exit codes of `pac draft`: 0 the draft passed the guardrails (with --wait-for decision: and was
 * approved and published); 2 the request (or the command line) is invalid; 3 the guardrails failed;
 * 4 rejected; 5 expired; 1 anything else.
 */
import type { Client } from '@temporalio/client';
import { parseDocument } from 'yaml';
import { blastResourceLines, percent } from '../activities/drafting/blast-radius';
import { assertPolicyIdRule, PolicyIdRuleError } from '../activities/drafting/policy-ids';
import type { DraftStatus } from '../activities/drafting/schemas';
import type { Config } from '../infra/config';
import { checkValue, describeYamlProblem, INPUT_LIMITS } from '../lib/input-limits';
import { DraftRequestError, DraftsClient, parseDraftRequest } from '../workers/drafts';
import { temporalClient, workflowUiUrl } from '../workers/temporal';
import { CliUsageError } from './common';
import { withWorker } from './models';
import { readUserText } from './read-user-text';

export const DRAFT_EXIT = { ok: 0, invalid: 2, guardrails: 3, rejected: 4, expired: 5 } as const;

/** A request file holds the request, or `{request: …}` (the form of datasets/draft-requests, which add held-out checks). */
function unwrap(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'request' in value && !('intent' in value))
    return (value as { request: unknown }).request;
  return value;
}

function readRequestFile(file: string | undefined): unknown {
  if (!file) throw new CliUsageError('draft: --request-file <file.json|file.yaml|-> is required');
  const text = readUserText(file);
  let value: unknown;
  if (/\.ya?ml$/i.test(file)) {
    const doc = parseDocument(text);
    if (doc.errors.length) {
      const e = doc.errors[0];
      throw new DraftRequestError(
        [{ path: `${file}:${e?.linePos?.[0]?.line ?? '?'}`, message: e?.message ?? 'invalid YAML' }],
        'request file',
      );
    }
    try {
      value = doc.toJS({ maxAliasCount: INPUT_LIMITS.aliases });
    } catch (error) {
      throw new DraftRequestError([{ path: file, message: describeYamlProblem((error as Error).message) }], 'request file');
    }
  } else {
    try {
      value = JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const position = Number(message.match(/position (\d+)/)?.[1]);
      const line = Number.isFinite(position) ? text.slice(0, position).split('\n').length : undefined;
      throw new DraftRequestError([{ path: `${file}${line ? `:${line}` : ''}`, message: `not valid JSON: ${message}` }], 'request file');
    }
  }
  // a request too big or too deep for a workflow payload is refused here, with its path
  const limit = checkValue(value);
  if (limit) throw new DraftRequestError([{ path: `${file}${limit.path}`, message: limit.message }], 'request file');
  return unwrap(value);
}

/** The blast radius and the replacement of a draft, as the reviewer reads them (list, show, approve). */
function reviewLines(status: DraftStatus, resources: number): string[] {
  const lines: string[] = [];
  if (status.request.replaces)
    lines.push(`  REPLACES ${status.request.replaces}: publication overwrites that policy's files and index line`);
  const last = status.attempts[status.attempts.length - 1];
  const blast = (status.report ?? last?.report)?.blastRadius;
  if (blast) {
    lines.push(
      `  blast    ${percent(blast.share)} (max ${percent(blast.max)}${blast.maxFrom === 'default' ? ', default' : ', maxBlastRadius'}): newly denies ${blast.fixtures.newlyDenied}/${blast.fixtures.checked} known-good fixtures, ${blast.observed.newlyDenied}/${blast.observed.checked} workloads observed since ${blast.observed.since.slice(0, 10)}`,
      ...blastResourceLines(blast, resources).map((line) => `           ${line}`),
    );
  }
  return lines;
}

function describeStatus(status: DraftStatus, config: Config): string {
  const lines: string[] = [`draft ${status.draftId}: ${status.phase}`];
  const last = status.attempts[status.attempts.length - 1];
  const draft = status.draft ?? last?.draft;
  if (draft) lines.push(`  policy   ${draft.policyId} (${draft.generator}, attempt ${draft.attempt}) kinds ${draft.kinds.join(', ')}`);
  lines.push(...reviewLines(status, 20));
  if (status.provenance.length) lines.push(`  similar  ${status.provenance.map((p) => `${p.policyId} (${p.score})`).join(', ')}`);
  const report = status.report ?? last?.report;
  if (report) {
    lines.push(
      `  opa      ${report.tests.passed}/${report.tests.total} tests, coverage ${report.coverage?.toFixed(1) ?? '-'} %, relevant negatives denied ${report.relevantNegatives.denied}/${report.relevantNegatives.checked}`,
    );
  }
  const guardrails = status.guardrails ?? last?.guardrails;
  if (guardrails)
    lines.push(`  guardrails ${guardrails.passed ? 'passed' : 'FAILED'}${guardrails.failures.map((f) => `\n    - ${f}`).join('')}`);
  const latency = guardrails?.latency;
  if (latency)
    lines.push(
      `  latency  ${latency.predictedMs ? `p50 ${latency.predictedMs.p50.toPrecision(3)} ms, p95 ${latency.predictedMs.p95.toPrecision(3)} ms (budget ${latency.budgetMs} ms${latency.overBudget ? ', OVER BUDGET' : ''}); ${latency.note}` : latency.note}`,
    );
  if (status.reasons.length && status.phase !== 'awaiting-approval') lines.push(`  reasons  ${status.reasons.join('\n           ')}`);
  if (status.publication)
    lines.push(
      `  published ${status.publication.location}${status.publication.commit ? ` (commit ${status.publication.commit.slice(0, 12)})` : ''}`,
    );
  if (status.retrain) lines.push(`  retrain  ${status.retrain.workflowId}${status.retrain.joined ? ' (joined the running one)' : ''}`);
  if (status.refusedSignals.length) lines.push(`  refused signals: ${status.refusedSignals.join('; ')}`);
  lines.push(`  Temporal UI: ${workflowUiUrl(config, status.draftId)}`);
  if (status.phase === 'awaiting-approval') {
    lines.push(
      `  approve: npx pac approve ${status.draftId} --reviewer <name> [--comment …]`,
      `  reject:  npx pac reject ${status.draftId} --reviewer <name> --reason …`,
    );
  }
  return lines.join('\n');
}

function exitCodeOf(status: DraftStatus): number {
  switch (status.phase) {
    case 'failed':
      return DRAFT_EXIT.guardrails;
    case 'rejected':
      return DRAFT_EXIT.rejected;
    case 'expired':
      return DRAFT_EXIT.expired;
    default:
      return DRAFT_EXIT.ok;
  }
}

async function withClient<T>(config: Config, inProcessWorker: boolean, work: (client: Client) => Promise<T>): Promise<T> {
  if (inProcessWorker) return withWorker(config, work);
  const client = await temporalClient(config);
  try {
    return await work(client);
  } finally {
    await client.connection.close();
  }
}

/** A request that failed validation or the id rule: its issues on stderr (and as JSON with --json), exit code 2; anything else is rethrown. */
function invalidRequest(error: unknown, json: boolean): number {
  if (error instanceof PolicyIdRuleError) {
    process.stderr.write(`pac: draft request refused: ${error.message}\n`);
    if (json)
      process.stdout.write(
        `${JSON.stringify({ error: error.problem.code, issues: [{ path: error.problem.path, message: error.message }] }, null, 2)}\n`,
      );
    return DRAFT_EXIT.invalid;
  }
  if (!(error instanceof DraftRequestError)) throw error;
  process.stderr.write(`pac: ${error.message}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ error: 'invalid_request', issues: error.issues }, null, 2)}\n`);
  return DRAFT_EXIT.invalid;
}

export async function draftCommand(
  config: Config,
  options: { requestFile?: string; waitFor?: string; json: boolean; worker: boolean },
): Promise<number> {
  if (options.waitFor !== undefined && options.waitFor !== 'guardrails' && options.waitFor !== 'decision')
    throw new CliUsageError(`--wait-for: expected guardrails or decision, got "${options.waitFor}"`);
  let request: unknown;
  try {
    // validated here, before any connection: a bad request never reaches Temporal
    const parsed = parseDraftRequest(readRequestFile(options.requestFile), `request (${options.requestFile})`);
    // the id rule (a taken id needs "replaces"), against the corpus and the configured publication
    await assertPolicyIdRule(config, parsed);
    request = parsed;
  } catch (error) {
    return invalidRequest(error, options.json);
  }
  return withClient(config, options.worker, async (client) => {
    const drafts = new DraftsClient(client, config);
    let started: Awaited<ReturnType<DraftsClient['propose']>>;
    try {
      started = await drafts.propose(request);
    } catch (error) {
      return invalidRequest(error, options.json);
    }
    const url = workflowUiUrl(config, started.draftId);
    if (!options.json)
      process.stderr.write(
        `${started.joined ? 'joined' : 'started'} ${started.draftId} on ${config.temporal.taskQueues.drafting}: ${url}\n`,
      );
    if (!options.waitFor) {
      if (options.json) process.stdout.write(`${JSON.stringify({ ...started, temporalUi: url }, null, 2)}\n`);
      else process.stdout.write(`${started.draftId}\n(a worker must be running on the drafting queue: npx pac worker)\n`);
      return DRAFT_EXIT.ok;
    }
    const status = await drafts.waitFor(started.draftId, options.waitFor as 'guardrails' | 'decision', {
      onPhase: (phase) => {
        if (!options.json) process.stderr.write(`[draft] ${phase}\n`);
      },
    });
    if (options.json)
      process.stdout.write(`${JSON.stringify({ ...started, temporalUi: url, exitCode: exitCodeOf(status), status }, null, 2)}\n`);
    else process.stdout.write(`${describeStatus(status, config)}\n`);
    return exitCodeOf(status);
  });
}

export async function draftsCommand(config: Config, options: { json: boolean; all: boolean; id?: string }): Promise<number> {
  return withClient(config, false, async (client) => {
    const drafts = new DraftsClient(client, config);
    if (options.id) {
      const status = await drafts.status(options.id);
      process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : `${describeStatus(status, config)}\n`);
      return 0;
    }
    // each listed draft with what a reviewer weighs: the policy it replaces, its blast radius
    const list = await Promise.all(
      (await drafts.list({ all: options.all })).map(async (d) => {
        const status = d.phase === 'unreachable' ? undefined : await drafts.status(d.draftId).catch(() => undefined);
        const blast = status && (status.report ?? status.attempts[status.attempts.length - 1]?.report)?.blastRadius;
        return {
          ...d,
          ...(status?.request.replaces ? { replaces: status.request.replaces } : {}),
          ...(blast ? { blastRadius: blast.share, blastRadiusSummary: blast.summary } : {}),
        };
      }),
    );
    if (options.json) process.stdout.write(`${JSON.stringify({ drafts: list }, null, 2)}\n`);
    else if (!list.length) process.stdout.write(options.all ? 'no running drafts\n' : 'no drafts waiting for a decision\n');
    else
      for (const d of list)
        process.stdout.write(
          `${d.draftId}  ${d.phase.padEnd(17)} ${(d.policyId ?? '-').padEnd(40)} ${d.requester}  expires ${d.expiresAt ?? '-'}\n    ${d.intent}\n${
            d.replaces ? `    REPLACES ${d.replaces}\n` : ''
          }${d.blastRadiusSummary ? `    ${d.blastRadiusSummary}\n` : ''}`,
        );
    return 0;
  });
}

export async function decideCommand(
  config: Config,
  kind: 'approve' | 'reject',
  options: { id?: string; reviewer?: string; comment?: string; reason?: string; json: boolean; wait: boolean },
): Promise<number> {
  if (!options.id) throw new CliUsageError(`${kind}: name the draft id (see npx pac drafts)`);
  if (!options.reviewer) throw new CliUsageError(`${kind}: --reviewer <name> is required`);
  if (kind === 'reject' && !options.reason) throw new CliUsageError('reject: --reason "<why>" is required');
  const id = options.id;
  return withClient(config, false, async (client) => {
    const drafts = new DraftsClient(client, config);
    if (kind === 'approve' && !options.json) {
      // the approver sees what is approved: the replacement and the blast radius with its resources
      const status = await drafts.status(id);
      const review = reviewLines(status, 10);
      if (review.length) process.stderr.write(`approving ${status.draft?.policyId ?? id}:\n${review.join('\n')}\n`);
    }
    if (kind === 'approve') await drafts.approve(id, { reviewer: options.reviewer as string, comment: options.comment ?? '' });
    else await drafts.reject(id, { reviewer: options.reviewer as string, reason: options.reason as string });
    if (!options.wait) {
      process.stdout.write(
        options.json ? `${JSON.stringify({ draftId: id, signal: kind, reviewer: options.reviewer })}\n` : `${kind} sent to ${id}\n`,
      );
      return 0;
    }
    const status = await drafts.waitFor(id, 'decision');
    process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : `${describeStatus(status, config)}\n`);
    return exitCodeOf(status) === DRAFT_EXIT.rejected && kind === 'reject' ? 0 : exitCodeOf(status);
  });
}
