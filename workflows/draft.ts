/**
 * draftPolicy: one workflow per policy request.
 *
 *   retrieve → (generate → opa test → guardrail)×≤N → await approve/reject → publish → retrain
 *
 * Nothing is published without an explicit approval. A draft that never passes the guardrails ends
 * `failed` with the reasons; one nobody decides on ends `expired` after the approval timeout. The
 * `status` query shows the draft, the test results, the guardrail report and the provenance at
 * every step; a draft that passed the guardrails carries its blast radius (report.blastRadius: what
 * it would newly deny among known-good fixtures and recently observed workloads, with the resources),
 * whether it replaces an existing policy, and its predicted evaluation time (guardrails.latency) —
 * all shown as the execution's current details in the Temporal UI, in the approve signal's and
 * Update's descriptions, and (patched: REVIEW_MEMO_PATCH) in the memo.
 *
 * A decision arrives as a Workflow Update (`approveDraft` / `rejectDraft`: the CLI and the API,
 * whose validators refuse a malformed or late decision with an error the caller sees) or as a
 * signal (`approve` / `reject`: they carry descriptions, so the Temporal UI lists and sends them).
 * Who may decide is decision.ts: four-eyes (the requester cannot approve) and the reviewer list
 * come from the configuration, passed in the input when the draft started. A refused decision by
 * someone who may not decide is recorded in `refusedSignals` and in the audit log.
 *
 * Every activity is keyed by this execution (workflow id + run id): a retried step never
 * duplicates a publication, an MLflow run or an audit line, and a re-run draft is audited again.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ApproveSignal, Draft, DraftOutcome, DraftRequest, DraftStatus, RejectSignal } from '../activities/drafting/schemas';
import { step, WORKFLOW_TIMEOUTS } from './activity-options';
import { checkDecision, type DecisionChannel, type DecisionKind, isAuthorisationRefusal } from './decision';
import { failureMessage } from './failures';
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
  /** the requester cannot approve (PAC_FOUR_EYES); absent = false */
  fourEyes?: boolean;
  /** reviewers allowed on the signal and CLI channels (PAC_REVIEWERS); empty = nobody; absent (drafts started before the list) = any */
  reviewers?: string[];
}

export interface DraftPolicyResult {
  draftId: string;
  outcome: DraftOutcome;
  policyId?: string;
  reasons: string[];
  status: DraftStatus;
}

/** The payload of the approve/reject Updates: the signal's, plus where it came from. */
export type ApproveUpdate = ApproveSignal & { channel: Exclude<DecisionChannel, 'signal'> };
export type RejectUpdate = RejectSignal & { channel: Exclude<DecisionChannel, 'signal'> };
/** What an accepted decision Update answers. */
export interface DecisionAck {
  draftId: string;
  decision: DecisionKind;
  reviewer: string;
  /** what was decided on: the policy id, a replacement, the blast radius summary */
  decidedOn?: string;
}

export const approveSignal = defineSignal<[ApproveSignal]>('approve');
export const rejectSignal = defineSignal<[RejectSignal]>('reject');
export const approveUpdate = defineUpdate<DecisionAck, [ApproveUpdate]>('approveDraft');
export const rejectUpdate = defineUpdate<DecisionAck, [RejectUpdate]>('rejectDraft');
/** answers a DraftStatus; clients check it with draftStatusSchema (activities/drafting/schemas) */
export const draftStatusQuery = defineQuery<DraftStatus>('status');

/** a request no generator can serve; a corpus that does not load (fix the files, then propose again) */
const NON_RETRYABLE = ['NoCandidateError', 'DatasetError'];
const quick = proxyActivities<Activities>(step('quick', NON_RETRYABLE));
const retrieval = proxyActivities<Activities>(step('retrieve', NON_RETRYABLE));
const generation = proxyActivities<Activities>(step('generate', NON_RETRYABLE));
const testing = proxyActivities<Activities>(step('draftTest', NON_RETRYABLE));
const publishing = proxyActivities<Activities>(step('publish', NON_RETRYABLE));
const recording = proxyActivities<Activities>(step('record', NON_RETRYABLE));

/** Patch id: refused decisions are audited (executions started before this recorded them only in the status). */
export const AUDIT_REFUSALS_PATCH = 'audit-refused-decisions';
/** Patch id: a draft that passed the guardrails writes its blast radius and replacement into the memo. */
export const REVIEW_MEMO_PATCH = 'review-memo';

/** One line on what a reviewer decides on: the policy, a replacement, the blast radius (handler descriptions, the Update's answer). */
function decidedOn(status: DraftStatus): string {
  const policyId = status.draft?.policyId ?? status.request.policyId ?? status.request.replaces;
  const replaces = status.request.replaces;
  const parts = [
    policyId ? `draft ${policyId}` : 'the draft',
    ...(replaces ? [`REPLACES the existing policy ${replaces}`] : []),
    ...(status.report?.blastRadius ? [status.report.blastRadius.summary] : []),
  ];
  return parts.join(' — ');
}

export async function draftPolicy(input: DraftPolicyInput): Promise<DraftPolicyResult> {
  const { workflowId, runId } = workflowInfo();
  const rules = { fourEyes: input.fourEyes ?? false, reviewers: input.reviewers ?? null };
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
  const check = (kind: DecisionKind, payload: unknown, channel: DecisionChannel) =>
    checkDecision(kind, payload, channel, {
      ...rules,
      phase: status.phase,
      requester: input.request.requester,
      decidedBy: decision?.reviewer,
    });

  /** Records a refusal in the status, and in the audit log when it is an authorisation refusal. */
  const refuse = async (message: string, actor: string, audited: boolean) => {
    const seq = status.refusedSignals.push(message) - 1;
    if (audited && patched(AUDIT_REFUSALS_PATCH))
      await recording.recordRefusal({
        draftId: input.draftId,
        workflowId,
        runId,
        request: input.request,
        draft: status.draft,
        seq,
        actor,
        reason: message,
      });
  };

  /** One decision from any channel: taken, or refused (recorded when authorisation refused it). */
  const decide = async (kind: DecisionKind, payload: unknown, channel: DecisionChannel): Promise<DecisionAck> => {
    const verdict = check(kind, payload, channel);
    if (!verdict.ok) {
      const actor =
        typeof (payload as { reviewer?: unknown })?.reviewer === 'string' ? String((payload as { reviewer: string }).reviewer) : '';
      await refuse(verdict.message, actor.trim() || '(none)', isAuthorisationRefusal(verdict));
      throw ApplicationFailure.nonRetryable(verdict.message, 'DecisionRefused', { refusal: verdict.refusal });
    }
    decision = { kind, reviewer: verdict.reviewer, text: verdict.text };
    return { draftId: input.draftId, decision: kind, reviewer: verdict.reviewer };
  };

  /** Update validators: refuse malformed and late decisions before they enter the history. */
  const validator = (kind: DecisionKind) => (payload: ApproveUpdate | RejectUpdate) => {
    const channel = payload?.channel === 'api' || payload?.channel === 'cli' ? payload.channel : undefined;
    if (!channel) throw new Error(`${kind}: the update needs "channel": "cli" or "api"`);
    const verdict = check(kind, payload, channel);
    if (!verdict.ok && !isAuthorisationRefusal(verdict)) throw new Error(verdict.message);
  };
  // the approve handlers' descriptions (what the Temporal UI shows beside them) name what is approved:
  // registered again once the draft passed the guardrails, with its blast radius (no command, no patch)
  const approveHandlers = () => {
    const what = decidedOn(status);
    setHandler(
      approveUpdate,
      async (payload) => ({ ...(await decide('approve', payload, payload.channel)), decidedOn: decidedOn(status) }),
      {
        validator: validator('approve'),
        description: `Approve ${what} (CLI/API). Payload: {"reviewer": "<name>", "comment": "<optional>", "channel": "cli"|"api"}`,
      },
    );
    setHandler(approveSignal, signalled('approve'), {
      description: `Approve ${what} for publication. Payload: {"reviewer": "<name>", "comment": "<optional>"}`,
    });
  };
  setHandler(rejectUpdate, (payload) => decide('reject', payload, payload.channel), {
    validator: validator('reject'),
    description: 'Reject the draft (CLI/API). Payload: {"reviewer": "<name>", "reason": "<why>", "channel": "cli"|"api"}',
  });
  // signals cannot answer: a refusal is recorded in refusedSignals (and audited when it is about who decides)
  const signalled = (kind: DecisionKind) => async (payload: unknown) => {
    await decide(kind, payload, 'signal').catch(() => undefined);
  };
  approveHandlers();
  setHandler(rejectSignal, signalled('reject'), { description: 'Reject the draft. Payload: {"reviewer": "<name>", "reason": "<why>"}' });

  const finish = async (outcome: DraftOutcome, actor: string, reason: string): Promise<DraftPolicyResult> => {
    status.phase = outcome;
    const last = status.attempts[status.attempts.length - 1];
    const recorded = await recording.recordDecision({
      draftId: input.draftId,
      workflowId,
      runId,
      request: input.request,
      draft: status.draft ?? last?.draft,
      report: status.report ?? last?.report,
      decision: outcome === 'published' ? 'approved' : outcome,
      actor,
      reason,
      attempts: status.attempts.length,
      ...(status.publication ? { publishedTo: status.publication.location } : {}),
    });
    status.auditFile = recorded.auditFile;
    status.mlflowRunId = recorded.mlflowRunId;
    // refusals being audited by their handlers land before the workflow closes
    await condition(allHandlersFinished);
    return { draftId: input.draftId, outcome, policyId: status.draft?.policyId, reasons: status.reasons, status };
  };

  // 1. retrieve
  try {
    status.provenance = await retrieval.retrievePolicies({ request: input.request });
  } catch (error) {
    // Weaviate down for longer than the retries, or a corpus that does not load: end audited
    status.reasons = [`retrieve: ${failureMessage(error)}`];
    return finish('failed', 'retriever', status.reasons[0] as string);
  }

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
    if (draft.clarification) {
      // the intent and the examples disagree: ask, do not guess
      status.draft = draft;
      status.clarification = draft.clarification;
      status.reasons = [draft.clarification.conflict, draft.clarification.question];
      return finish('needs-clarification', 'generator', status.reasons.join(' '));
    }
    status.phase = 'testing';
    let report: Awaited<ReturnType<Activities['testDraft']>>;
    try {
      report = await testing.testDraft({ draft, request: input.request, provenance: status.provenance });
    } catch (error) {
      // OPA missing or failing on every retry: nothing the next attempt could change
      status.reasons = [`opa test (attempt ${attempt}): ${failureMessage(error)}`];
      return finish('failed', 'validator', status.reasons[0] as string);
    }
    status.phase = 'guardrails';
    const guardrails = await quick.guardrailDraft({ draft, report });
    status.attempts.push({ attempt, draft, report, guardrails });
    if (guardrails.passed) {
      status.draft = draft;
      status.report = report;
      status.guardrails = guardrails;
      // what the reviewer weighs (replacement, blast radius, predicted evaluation time), as the
      // execution's current details in the Temporal UI and in the approve handlers' descriptions (no command: no patch needed)
      if (guardrails.review) setCurrentDetails(guardrails.review);
      else if (guardrails.latency) setCurrentDetails(guardrails.latency.details);
      approveHandlers();
      // ... and in the memo (a command: executions recorded before it replay without it)
      if (patched(REVIEW_MEMO_PATCH))
        upsertMemo({
          policyId: draft.policyId,
          ...(draft.replaces ? { replaces: draft.replaces } : {}),
          ...(report.blastRadius ? { blastRadius: report.blastRadius.share, blastRadiusSummary: report.blastRadius.summary } : {}),
        });
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

  // 6. publish (keyed by this execution; every failed try is audited and retried), then ask for a retrain
  status.phase = 'publishing';
  let publication: Awaited<ReturnType<Activities['publishApprovedDraft']>>;
  try {
    publication = await publishing.publishApprovedDraft({
      draft: status.draft,
      reviewer: decision.reviewer,
      comment: decision.text,
      key: `${workflowId}/${runId}`,
      approvedAt: Date.now(),
      draftId: input.draftId,
      workflowId,
      runId,
      request: input.request,
    });
  } catch (error) {
    status.reasons = [`approved by ${decision.reviewer}, but the publication failed after every retry: ${failureMessage(error)}`];
    return finish('failed', 'publisher', status.reasons[0] as string);
  }
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
        workflowExecutionTimeout: WORKFLOW_TIMEOUTS.lifecycle,
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
