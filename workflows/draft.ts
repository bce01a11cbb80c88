/**
 * draftPolicy: one workflow per policy request.
 *
 *   retrieve → (generate → opa test → guardrail)×≤N → await approve/reject → publish → retrain
 *
 * Nothing is published without an explicit `approve` signal. A draft that never passes the
 * guardrails ends `failed` with the reasons; one nobody decides on ends `expired` after the
 * approval timeout. The `status` query shows the draft, the test results, the guardrail report and
 * the provenance at every step. The signals carry descriptions, so the Temporal UI lists them and
 * can send them.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  condition,
  defineQuery,
  defineSignal,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ApproveSignal, Draft, DraftOutcome, DraftRequest, DraftStatus, RejectSignal } from '../activities/drafting/schemas';
import { lifecycle } from './lifecycle';

export interface DraftPolicyInput {
  draftId: string;
  request: DraftRequest;
  /** generate → test → guardrail rounds (PAC_DRAFT_MAX_ATTEMPTS) */
  maxAttempts: number;
  /** how long to wait for a decision, in ms (PAC_DRAFT_APPROVAL_TIMEOUT) */
  approvalTimeoutMs: number;
  /** where the ranker's lifecycle runs (the lifecycle task queue); no retrain when absent */
  retrainTaskQueue?: string;
}

export interface DraftPolicyResult {
  draftId: string;
  outcome: DraftOutcome;
  policyId?: string;
  reasons: string[];
  status: DraftStatus;
}

export const approveSignal = defineSignal<[ApproveSignal]>('approve');
export const rejectSignal = defineSignal<[RejectSignal]>('reject');
/** answers a DraftStatus; clients check it with draftStatusSchema (activities/drafting/schemas) */
export const draftStatusQuery = defineQuery<DraftStatus>('status');

const quick = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['NoCandidateError', 'ZodError'],
  },
});
const generation = proxyActivities<Activities>({
  // an LLM can take a while; the offline generator answers in milliseconds
  startToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 3,
    nonRetryableErrorTypes: ['NoCandidateError'],
  },
});

function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

export async function draftPolicy(input: DraftPolicyInput): Promise<DraftPolicyResult> {
  const { workflowId } = workflowInfo();
  const status: DraftStatus = {
    draftId: input.draftId,
    phase: 'retrieving',
    request: input.request,
    provenance: [],
    attempts: [],
    refusedSignals: [],
    reasons: [],
  };
  setHandler(draftStatusQuery, () => status, { description: 'the draft, its tests, guardrail report, provenance and phase' });
  let decision: DraftStatus['decision'];
  setHandler(
    approveSignal,
    (payload) => {
      const reviewer = typeof payload?.reviewer === 'string' ? payload.reviewer.trim() : '';
      if (!reviewer)
        return void status.refusedSignals.push('approve without a reviewer: send {"reviewer": "<name>", "comment": "<optional>"}');
      if (status.phase !== 'awaiting-approval')
        return void status.refusedSignals.push(
          `approve by ${reviewer} in phase ${status.phase}: only a draft awaiting approval can be approved`,
        );
      decision ??= { kind: 'approve', reviewer, text: typeof payload.comment === 'string' ? payload.comment : '' };
    },
    { description: 'Approve the draft for publication. Payload: {"reviewer": "<name>", "comment": "<optional>"}' },
  );
  setHandler(
    rejectSignal,
    (payload) => {
      const reviewer = typeof payload?.reviewer === 'string' ? payload.reviewer.trim() : '';
      const reason = typeof payload?.reason === 'string' ? payload.reason.trim() : '';
      if (!reviewer || !reason)
        return void status.refusedSignals.push('reject needs a reviewer and a reason: send {"reviewer": "<name>", "reason": "<why>"}');
      if (status.phase !== 'awaiting-approval')
        return void status.refusedSignals.push(
          `reject by ${reviewer} in phase ${status.phase}: only a draft awaiting approval can be rejected`,
        );
      decision ??= { kind: 'reject', reviewer, text: reason };
    },
    { description: 'Reject the draft. Payload: {"reviewer": "<name>", "reason": "<why>"}' },
  );

  const finish = async (outcome: DraftOutcome, actor: string, reason: string): Promise<DraftPolicyResult> => {
    status.phase = outcome;
    const recorded = await quick.recordDecision({
      draftId: input.draftId,
      workflowId,
      request: input.request,
      draft: status.draft ?? status.attempts[status.attempts.length - 1]?.draft,
      report: status.report ?? status.attempts[status.attempts.length - 1]?.report,
      decision: outcome === 'published' ? 'approved' : outcome,
      actor,
      reason,
      attempts: status.attempts.length,
      ...(status.publication ? { publishedTo: status.publication.location } : {}),
    });
    status.auditFile = recorded.auditFile;
    status.mlflowRunId = recorded.mlflowRunId;
    return { draftId: input.draftId, outcome, policyId: status.draft?.policyId, reasons: status.reasons, status };
  };

  // 1. retrieve
  status.provenance = await quick.retrievePolicies({ request: input.request });

  // 2-4. generate → opa test → guardrail, with the failures as feedback
  let feedback: string[] = [];
  const rejected: string[] = [];
  for (let attempt = 1; attempt <= input.maxAttempts; attempt++) {
    status.phase = 'generating';
    let draft: Draft;
    try {
      draft = await generation.generateDraft({ request: input.request, provenance: status.provenance, attempt, feedback, rejected });
    } catch (error) {
      status.reasons = [...feedback, `generate (attempt ${attempt}): ${failureMessage(error)}`];
      return finish('failed', 'guardrails', status.reasons.join('; '));
    }
    status.phase = 'testing';
    const report = await quick.testDraft({ draft, request: input.request, provenance: status.provenance });
    status.phase = 'guardrails';
    const guardrails = await quick.guardrailDraft({ draft, report });
    status.attempts.push({ attempt, draft, report, guardrails });
    if (guardrails.passed) {
      status.draft = draft;
      status.report = report;
      status.guardrails = guardrails;
      break;
    }
    feedback = guardrails.failures;
    if (guardrails.rejectedConstraint) rejected.push(guardrails.rejectedConstraint);
  }
  if (!status.draft) {
    const last = status.attempts[status.attempts.length - 1];
    status.reasons = [`no draft passed the guardrails in ${status.attempts.length} attempt(s)`, ...(last?.guardrails.failures ?? [])];
    return finish('failed', 'guardrails', status.reasons.join('; '));
  }

  // 5. await a human decision
  status.phase = 'awaiting-approval';
  status.awaitingSince = Date.now();
  status.expiresAt = status.awaitingSince + input.approvalTimeoutMs;
  const decided = await condition(() => decision !== undefined, input.approvalTimeoutMs);
  if (!decided || !decision) {
    status.decision = { kind: 'expire', reviewer: 'timer', text: `no decision within ${input.approvalTimeoutMs} ms` };
    status.reasons = [`no approve or reject signal within ${Math.round(input.approvalTimeoutMs / 1000)} s`];
    return finish('expired', 'timer', status.reasons[0] as string);
  }
  status.decision = decision;
  if (decision.kind === 'reject') {
    status.reasons = [`rejected by ${decision.reviewer}: ${decision.text}`];
    return finish('rejected', decision.reviewer, decision.text);
  }

  // 6. publish, then ask for a retrain of the ranker
  status.phase = 'publishing';
  const publication = await quick.publishApprovedDraft({ draft: status.draft, reviewer: decision.reviewer, comment: decision.text });
  status.publication = {
    location: publication.location,
    files: publication.files,
    ...(publication.commit ? { commit: publication.commit } : {}),
  };
  if (input.retrainTaskQueue) {
    const retrainId = 'lifecycle-ranker';
    try {
      await startChild(lifecycle, {
        workflowId: retrainId,
        taskQueue: input.retrainTaskQueue,
        args: [
          { family: 'ranker', reason: `approved draft ${status.draft.policyId} (${input.draftId}) published to ${publication.location}` },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      status.retrain = { workflowId: retrainId, joined: false };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      status.retrain = { workflowId: retrainId, joined: true };
    }
  }
  status.reasons = [`approved by ${decision.reviewer}${decision.text ? `: ${decision.text}` : ''}`];
  return finish('published', decision.reviewer, decision.text || 'approved');
}
