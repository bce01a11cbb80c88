/**
 * The client side of the drafting loop, shared by the CLI, the API and tests: validate a request
 * and start its draftPolicy workflow, read a draft's status, list drafts waiting for a decision,
 * and approve or reject through the workflow's Updates (validated here first, so a bad payload is
 * refused with a clear message; the workflow's validator and its four-eyes / reviewer-list rules
 * answer with errors the caller sees: DraftStateError, DraftDecisionRefusedError).
 */
import { createHash, randomUUID } from 'node:crypto';
import { type Client, WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import {
  type ApproveSignal,
  approveSignalSchema,
  DRAFT_OUTCOMES,
  type DraftPhase,
  type DraftRequest,
  type DraftStatus,
  draftRequestSchema,
  draftStatusSchema,
  type RejectSignal,
  rejectSignalSchema,
} from '../activities/drafting/schemas';
import type { Config } from '../infra/config';
import { approveUpdate, type DraftPolicyResult, draftPolicy, draftStatusQuery, rejectUpdate } from '../workflows/draft';

/** A request that failed validation: every problem with its JSON path. */
export class DraftRequestError extends Error {
  constructor(
    readonly issues: { path: string; message: string }[],
    source = 'request',
  ) {
    super(`invalid draft ${source}:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
    this.name = 'DraftRequestError';
  }
}

export class DraftNotFoundError extends Error {
  constructor(readonly draftId: string) {
    super(`no draft "${draftId}" (workflow not found)`);
    this.name = 'DraftNotFoundError';
  }
}

/** A decision that cannot be taken: the draft is not waiting for one (or was decided meanwhile). */
export class DraftStateError extends Error {
  constructor(
    readonly draftId: string,
    readonly phase: string,
    detail?: string,
  ) {
    super(`draft "${draftId}" is ${phase}, not awaiting approval${detail ? ` (${detail})` : ''}`);
    this.name = 'DraftStateError';
  }
}

/** The workflow refused the decision: the reviewer may not decide this draft (four-eyes, reviewer list). Recorded in the audit log. */
export class DraftDecisionRefusedError extends Error {
  constructor(
    readonly draftId: string,
    readonly refusal: string,
    message: string,
  ) {
    super(`draft "${draftId}": ${message}`);
    this.name = 'DraftDecisionRefusedError';
  }
}

/** The draft's workflow closed without an outcome (it failed, was terminated or timed out). */
export class DraftFailedError extends Error {
  constructor(
    readonly draftId: string,
    readonly reason: string,
  ) {
    super(`draft "${draftId}" stopped without an outcome: ${reason}`);
    this.name = 'DraftFailedError';
  }
}

/** Where a decision comes from: the CLI (reviewer named by --reviewer, checked against PAC_REVIEWERS) or the API (the token's name). */
export type DecisionChannel = 'cli' | 'api';

/** The innermost message of a failure chain (workflow → activity → the activity's own error). */
function rootMessage(error: Error): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, ''),
    message: issue.message,
  }));
}

export function parseDraftRequest(value: unknown, source = 'request'): DraftRequest {
  const parsed = draftRequestSchema.safeParse(value);
  if (!parsed.success) throw new DraftRequestError(issuesOf(parsed.error), source);
  return parsed.data;
}

/** Deterministic: the same request (same content) gets the same draft id, so a CI retry joins it. */
export function draftIdOf(request: DraftRequest): string {
  // zod writes the parsed object's keys in schema order, so equal requests serialise equally
  return `draft-${createHash('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 12)}`;
}

export type DraftSummary = {
  draftId: string;
  phase: DraftPhase | 'unreachable';
  policyId?: string;
  requester: string;
  intent: string;
  startedAt?: string;
  expiresAt?: string;
};

export class DraftsClient {
  constructor(
    private readonly client: Client,
    private readonly config: Config,
  ) {}

  /** Validates the request and starts (or joins) its workflow; `joined` is true when it was already running. */
  async propose(input: unknown): Promise<{ draftId: string; runId: string; joined: boolean }> {
    const request = parseDraftRequest(input);
    const draftId = draftIdOf(request);
    // the start's own id in the memo: the execution carries it only when this call started it
    const startId = randomUUID();
    const handle = await this.client.workflow.start(draftPolicy, {
      taskQueue: this.config.temporal.taskQueues.drafting,
      workflowId: draftId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      memo: { startId },
      args: [
        {
          draftId,
          request,
          maxAttempts: this.config.drafting.maxAttempts,
          approvalTimeoutMs: this.config.drafting.approvalTimeoutMs,
          retrainTaskQueue: this.config.temporal.taskQueues.lifecycle,
          fourEyes: this.config.drafting.fourEyes,
          reviewers: [...this.config.drafting.reviewers],
        },
      ],
    });
    const description = await handle.describe();
    return { draftId, runId: description.runId, joined: (description.memo as { startId?: unknown } | undefined)?.startId !== startId };
  }

  async status(draftId: string): Promise<DraftStatus> {
    try {
      return draftStatusSchema.parse(await this.client.workflow.getHandle(draftId).query(draftStatusQuery));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new DraftNotFoundError(draftId);
      throw error;
    }
  }

  /**
   * Waits until the draft awaits approval or has ended (guardrails), or until it has ended
   * (decision). A workflow that closed without an outcome (failed, terminated, timed out) ends the
   * wait with DraftFailedError instead of waiting forever on its last phase.
   */
  async waitFor(
    draftId: string,
    what: 'guardrails' | 'decision',
    options: { pollMs?: number; onPhase?: (phase: string) => void } = {},
  ): Promise<DraftStatus> {
    const handle = this.client.workflow.getHandle(draftId);
    if (what === 'decision') {
      try {
        const result: DraftPolicyResult = await handle.result();
        return draftStatusSchema.parse(result.status);
      } catch (error) {
        if (error instanceof WorkflowFailedError) throw new DraftFailedError(draftId, rootMessage(error));
        throw error;
      }
    }
    let last = '';
    for (let poll = 0; ; poll++) {
      const status = await this.status(draftId);
      if (status.phase !== last) {
        last = status.phase;
        options.onPhase?.(status.phase);
      }
      if (status.phase === 'awaiting-approval' || (DRAFT_OUTCOMES as readonly string[]).includes(status.phase)) return status;
      if (poll % 4 === 3) {
        const description = await handle.describe();
        if (description.status.name !== 'RUNNING') {
          const failure = await handle.result().then(
            () => `closed as ${description.status.name}`,
            (error: Error) => rootMessage(error),
          );
          throw new DraftFailedError(draftId, `${failure} (phase ${status.phase})`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  }

  private async awaiting(draftId: string): Promise<void> {
    const status = await this.status(draftId);
    if (status.phase !== 'awaiting-approval') throw new DraftStateError(draftId, status.phase);
  }

  /** Approves through the workflow's approveDraft Update: resolves once the workflow accepted the decision. */
  async approve(draftId: string, payload: ApproveSignal, channel: DecisionChannel = 'cli'): Promise<void> {
    const parsed = approveSignalSchema.safeParse(payload);
    if (!parsed.success) throw new DraftRequestError(issuesOf(parsed.error), 'approval');
    await this.decide(draftId, () =>
      this.client.workflow.getHandle(draftId).executeUpdate(approveUpdate, { args: [{ ...parsed.data, channel }] }),
    );
  }

  /** Rejects through the workflow's rejectDraft Update. */
  async reject(draftId: string, payload: RejectSignal, channel: DecisionChannel = 'cli'): Promise<void> {
    const parsed = rejectSignalSchema.safeParse(payload);
    if (!parsed.success) throw new DraftRequestError(issuesOf(parsed.error), 'rejection');
    await this.decide(draftId, () =>
      this.client.workflow.getHandle(draftId).executeUpdate(rejectUpdate, { args: [{ ...parsed.data, channel }] }),
    );
  }

  /** Runs a decision Update, turning the workflow's refusals into this module's errors. */
  private async decide(draftId: string, update: () => Promise<unknown>): Promise<void> {
    await this.awaiting(draftId);
    try {
      await update();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new DraftNotFoundError(draftId);
      if (!(error instanceof WorkflowUpdateFailedError)) throw error;
      const cause = error.cause;
      const message = cause?.message ?? error.message;
      if (cause instanceof ApplicationFailure && cause.type === 'DecisionRefused') {
        const refusal = String((cause.details?.[0] as { refusal?: unknown } | undefined)?.refusal ?? 'refused');
        if (refusal === 'four-eyes' || refusal === 'not-a-reviewer') throw new DraftDecisionRefusedError(draftId, refusal, message);
      }
      // the validator refused it: decided meanwhile, or no longer awaiting approval
      const status = await this.status(draftId).catch(() => undefined);
      throw new DraftStateError(draftId, status?.phase ?? 'not awaiting approval', message);
    }
  }

  /** Drafts of this drafting queue whose workflow is running (awaiting a decision; with `all`, every phase). */
  async list(options: { all?: boolean } = {}): Promise<DraftSummary[]> {
    const out: DraftSummary[] = [];
    const queue = this.config.temporal.taskQueues.drafting;
    const query = `WorkflowType = 'draftPolicy' AND ExecutionStatus = 'Running' AND TaskQueue = '${queue.replaceAll("'", '')}'`;
    for await (const execution of this.client.workflow.list({ query })) {
      try {
        const status = await this.status(execution.workflowId);
        if (!options.all && status.phase !== 'awaiting-approval') continue;
        out.push({
          draftId: status.draftId,
          phase: status.phase,
          ...(status.draft ? { policyId: status.draft.policyId } : {}),
          requester: status.request.requester,
          intent: status.request.intent,
          startedAt: execution.startTime.toISOString(),
          ...(status.expiresAt ? { expiresAt: new Date(status.expiresAt).toISOString() } : {}),
        });
      } catch (error) {
        // closed meanwhile, or no worker answers the query (it is still listed by its id)
        if (error instanceof DraftNotFoundError) continue;
        out.push({
          draftId: execution.workflowId,
          phase: 'unreachable',
          requester: '?',
          intent: `(no worker answered: ${(error as Error).message.split('\n')[0]})`,
          startedAt: execution.startTime.toISOString(),
        });
      }
    }
    return out.sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  }
}
