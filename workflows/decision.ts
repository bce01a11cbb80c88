/**
 * Who may decide on a draft, as one pure function shared by the approve/reject signals (the
 * Temporal UI), the approve/reject Updates (the CLI and the API) and their validators. Import-free
 * and deterministic: the workflow runs it, unit tests call it directly.
 *
 * - A payload without a reviewer (or a rejection without a reason) is malformed.
 * - Only a draft awaiting approval, with no decision yet, can be decided.
 * - Four-eyes (PAC_FOUR_EYES): the requester cannot approve their own draft (any channel).
 * - Reviewer list (PAC_REVIEWERS): a reviewer named in a signal (Temporal UI) or by the CLI must be
 *   on it, so an empty list lets nobody decide there; the API names the reviewer itself (the
 *   authenticated token's name), so the list does not apply to it. Drafts started before the list
 *   existed carry none (null) and accept any reviewer name.
 *
 * Malformed and wrong-phase decisions are refused by the Update validators (nothing is recorded:
 * the caller gets the error); four-eyes and reviewer-list refusals are authorisation events and are
 * recorded in the draft's status and the audit log whichever channel they came through.
 */

/** Where a decision came from: a signal (Temporal UI, or any client), the CLI, or the HTTP API. */
export type DecisionChannel = 'signal' | 'cli' | 'api';

export type DecisionKind = 'approve' | 'reject';

export interface DecisionRules {
  /** the requester cannot approve */
  fourEyes: boolean;
  /** reviewers allowed on the signal and CLI channels; empty = nobody; null = no list (any name) */
  reviewers: readonly string[] | null;
}

export interface DecisionContext extends DecisionRules {
  phase: string;
  requester: string;
  /** a decision already taken (the first one wins) */
  decidedBy?: string;
}

export type DecisionCheck =
  | { ok: true; reviewer: string; text: string }
  | { ok: false; refusal: 'malformed' | 'phase' | 'four-eyes' | 'not-a-reviewer'; message: string };

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** Whether `payload` may decide the draft now, and why not. */
export function checkDecision(kind: DecisionKind, payload: unknown, channel: DecisionChannel, context: DecisionContext): DecisionCheck {
  const record = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const reviewer = text(record.reviewer);
  const said = kind === 'approve' ? text(record.comment) : text(record.reason);
  if (!reviewer)
    return {
      ok: false,
      refusal: 'malformed',
      message:
        kind === 'approve'
          ? 'approve without a reviewer: send {"reviewer": "<name>", "comment": "<optional>"}'
          : 'reject needs a reviewer and a reason: send {"reviewer": "<name>", "reason": "<why>"}',
    };
  if (kind === 'reject' && !said)
    return {
      ok: false,
      refusal: 'malformed',
      message: 'reject needs a reviewer and a reason: send {"reviewer": "<name>", "reason": "<why>"}',
    };
  if (context.phase !== 'awaiting-approval')
    return {
      ok: false,
      refusal: 'phase',
      message: `${kind} by ${reviewer} in phase ${context.phase}: only a draft awaiting approval can be ${kind === 'approve' ? 'approved' : 'rejected'}`,
    };
  if (context.decidedBy !== undefined)
    return { ok: false, refusal: 'phase', message: `${kind} by ${reviewer}: the draft was already decided by ${context.decidedBy}` };
  if (kind === 'approve' && context.fourEyes && reviewer.toLowerCase() === context.requester.trim().toLowerCase())
    return {
      ok: false,
      refusal: 'four-eyes',
      message: `approve by ${reviewer} refused: ${reviewer} requested this draft, and four-eyes review (PAC_FOUR_EYES) needs another reviewer`,
    };
  if (channel !== 'api' && context.reviewers !== null && !context.reviewers.includes(reviewer))
    return {
      ok: false,
      refusal: 'not-a-reviewer',
      message:
        context.reviewers.length === 0
          ? `${kind} by ${reviewer} refused: no reviewer is configured for the CLI and the Temporal UI (PAC_REVIEWERS is empty); decide through the API with an approve token, or set PAC_REVIEWERS`
          : `${kind} by ${reviewer} refused: not on the reviewer list (PAC_REVIEWERS: ${context.reviewers.join(', ')})`,
    };
  return { ok: true, reviewer, text: said };
}

/** Refusals that are recorded (status and audit): decisions by someone who may not decide. */
export function isAuthorisationRefusal(check: DecisionCheck): boolean {
  return !check.ok && (check.refusal === 'four-eyes' || check.refusal === 'not-a-reviewer');
}
