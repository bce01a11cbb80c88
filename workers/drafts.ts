/**
 * The client side of the drafting loop, shared by the CLI, the API and tests: validate a request
 * and start its draftPolicy workflow, read a draft's status, list drafts waiting for a decision,
 * and send the approve/reject signals (validated first, so a bad payload is refused here with a
 * clear message instead of being ignored by the workflow).
 */
import { createHash } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { z } from 'zod';
import {
  type ApproveSignal,
  approveSignalSchema,
  type DraftPhase,
  type DraftRequest,
  type DraftStatus,
  draftRequestSchema,
  draftStatusSchema,
  type RejectSignal,
  rejectSignalSchema,
} from '../activities/drafting/schemas';
import type { Config } from '../infra/config';
import { approveSignal, type DraftPolicyResult, draftPolicy, draftStatusQuery, rejectSignal } from '../workflows/draft';

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

/** A signal that cannot be sent: the draft is not waiting for a decision. */
export class DraftStateError extends Error {
  constructor(
    readonly draftId: string,
    readonly phase: string,
  ) {
    super(`draft "${draftId}" is ${phase}, not awaiting approval`);
    this.name = 'DraftStateError';
  }
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

  /** Validates the request and starts (or joins) its workflow. */
  async propose(input: unknown): Promise<{ draftId: string; runId: string; joined: boolean }> {
    const request = parseDraftRequest(input);
    const draftId = draftIdOf(request);
    const handle = await this.client.workflow.start(draftPolicy, {
      taskQueue: this.config.temporal.taskQueues.drafting,
      workflowId: draftId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [
        {
          draftId,
          request,
          maxAttempts: this.config.drafting.maxAttempts,
          approvalTimeoutMs: this.config.drafting.approvalTimeoutMs,
          retrainTaskQueue: this.config.temporal.taskQueues.lifecycle,
        },
      ],
    });
    const description = await handle.describe();
    return { draftId, runId: description.runId, joined: description.runId !== handle.firstExecutionRunId };
  }

  async status(draftId: string): Promise<DraftStatus> {
    try {
      return draftStatusSchema.parse(await this.client.workflow.getHandle(draftId).query(draftStatusQuery));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new DraftNotFoundError(draftId);
      throw error;
    }
  }

  /** Waits until the draft awaits approval or has ended (guardrails), or until it has ended (decision). */
  async waitFor(
    draftId: string,
    what: 'guardrails' | 'decision',
    options: { pollMs?: number; onPhase?: (phase: string) => void } = {},
  ): Promise<DraftStatus> {
    if (what === 'decision') {
      const result: DraftPolicyResult = await this.client.workflow.getHandle(draftId).result();
      return draftStatusSchema.parse(result.status);
    }
    let last = '';
    for (;;) {
      const status = await this.status(draftId);
      if (status.phase !== last) {
        last = status.phase;
        options.onPhase?.(status.phase);
      }
      if (status.phase === 'awaiting-approval' || ['published', 'rejected', 'expired', 'failed'].includes(status.phase)) return status;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  }

  private async awaiting(draftId: string): Promise<void> {
    const status = await this.status(draftId);
    if (status.phase !== 'awaiting-approval') throw new DraftStateError(draftId, status.phase);
  }

  async approve(draftId: string, payload: ApproveSignal): Promise<void> {
    const parsed = approveSignalSchema.safeParse(payload);
    if (!parsed.success) throw new DraftRequestError(issuesOf(parsed.error), 'approval');
    await this.awaiting(draftId);
    await this.client.workflow.getHandle(draftId).signal(approveSignal, parsed.data);
  }

  async reject(draftId: string, payload: RejectSignal): Promise<void> {
    const parsed = rejectSignalSchema.safeParse(payload);
    if (!parsed.success) throw new DraftRequestError(issuesOf(parsed.error), 'rejection');
    await this.awaiting(draftId);
    await this.client.workflow.getHandle(draftId).signal(rejectSignal, parsed.data);
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
