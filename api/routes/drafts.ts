/**
 * The drafting loop over HTTP: POST /v1/propose, GET /v1/drafts/:id, POST /v1/drafts/:id/approve,
 * POST /v1/drafts/:id/reject. The work is done by a DraftsBackend (the drafting workflow of
 * issue 5); without one these routes answer 501 not_implemented. The reviewer of an approval or a
 * rejection is the name of the bearer token (scope approve), never a field of the request; the
 * requester of a draft cannot approve it (four-eyes).
 */
import { z } from 'zod';
import { type DraftStatus, draftPhaseSchema, draftStatusSchema } from '../../activities/drafting/schemas';
import {
  approveRequestSchema,
  backendOrThrow,
  callBackend,
  type DraftStarted,
  type DraftsBackend,
  draftIdSchema,
  proposeRequestSchema,
  rejectRequestSchema,
} from '../backends';
import type { ApiApp, AppContext } from '../context';
import { ApiError, commonErrorResponses, errorBodySchema } from '../errors';

const errors = { ...commonErrorResponses, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema, 501: errorBodySchema };
const params = z.strictObject({ id: draftIdSchema });

/**
 * A draft as the API shows it: its id and phase up front, what a reviewer weighs (the policy it
 * replaces, the blast radius summary) beside them, the workflow's status query answer in `detail`
 * (the blast radius with the resources in detail.report.blastRadius).
 */
const draftViewSchema = z.strictObject({
  id: z.string(),
  state: draftPhaseSchema,
  replaces: z.string().optional(),
  blastRadius: z.string().optional(),
  detail: draftStatusSchema,
});
const view = (status: DraftStatus): z.infer<typeof draftViewSchema> => {
  const blast = (status.report ?? status.attempts[status.attempts.length - 1]?.report)?.blastRadius;
  return {
    id: status.draftId,
    state: status.phase,
    ...(status.request.replaces ? { replaces: status.request.replaces } : {}),
    ...(blast ? { blastRadius: blast.summary } : {}),
    detail: status,
  };
};

/** POST /v1/propose: the workflow started, or the running one of the same request joined. */
const draftStartedViewSchema = z.strictObject({
  id: z.string(),
  state: z.enum(['started', 'joined']),
  detail: z.strictObject({ runId: z.string(), joined: z.boolean() }),
});
const startedView = (started: DraftStarted): z.infer<typeof draftStartedViewSchema> => ({
  id: started.draftId,
  state: started.joined ? 'joined' : 'started',
  detail: { runId: started.runId, joined: started.joined },
});

/** What the OpenAPI document says of the two decisions. */
const DECISION_SUMMARIES = {
  approve: 'Approve a draft awaiting review (reviewer = the token name)',
  reject: 'Reject a draft awaiting review, with a reason (reviewer = the token name)',
} as const;

/**
 * Four-eyes on the API side (PAC_FOUR_EYES, default on): the token that proposed a draft cannot
 * approve it. The drafting workflow checks it again (requester ≠ reviewer) for every channel.
 */
async function fourEyes(backend: DraftsBackend, id: string, reviewer: string): Promise<void> {
  const status = await callBackend(() => backend.get(id));
  if (status.request.requester === reviewer)
    throw new ApiError(
      'forbidden',
      `four-eyes: "${reviewer}" proposed ${id} and cannot approve it; another reviewer with the approve scope must (PAC_FOUR_EYES)`,
    );
}

export function registerDraftRoutes(app: ApiApp, ctx: AppContext): void {
  const drafts = (): DraftsBackend => backendOrThrow(ctx.drafts, 'the drafting workflow');
  const outcome = (o: string) => ctx.metrics.workflowOutcomes.inc({ workflow: 'draft', outcome: o });

  app.post(
    '/v1/propose',
    {
      config: { scope: 'propose' },
      schema: {
        tags: ['drafts'],
        summary:
          'Start a drafting workflow for a new policy; returns its id. A policyId already taken needs "replaces": <id> (409 otherwise)',
        body: proposeRequestSchema,
        response: { 202: draftStartedViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const backend = drafts();
      const started = await callBackend(() => backend.propose(request.body, request.principal?.name ?? 'unknown'));
      outcome('proposed');
      return reply.status(202).send(startedView(started));
    },
  );

  app.get(
    '/v1/drafts/:id',
    {
      config: { scope: 'read' },
      schema: { tags: ['drafts'], summary: 'State of a drafting workflow', params, response: { 200: draftViewSchema, ...errors } },
    },
    async (request) => {
      const backend = drafts();
      return view(await callBackend(() => backend.get(request.params.id)));
    },
  );

  /** POST /v1/drafts/:id/<kind>: `send` passes the decision with the reviewer from the token to the backend */
  const decide = <B extends z.ZodType>(
    kind: keyof typeof DECISION_SUMMARIES,
    body: B,
    outcomeLabel: string,
    send: (backend: DraftsBackend, id: string, reviewer: string, body: z.output<B>) => Promise<DraftStatus>,
  ) =>
    app.post(
      `/v1/drafts/:id/${kind}`,
      {
        config: { scope: 'approve' },
        schema: {
          tags: ['drafts'],
          summary: DECISION_SUMMARIES[kind],
          params,
          body,
          response: { 200: draftViewSchema, ...errors },
        },
      },
      async (request) => {
        const backend = drafts();
        const reviewer = request.principal?.name ?? 'unknown';
        if (kind === 'approve' && ctx.config.drafting.fourEyes) await fourEyes(backend, request.params.id, reviewer);
        // the validator has parsed the body with `body`
        const status = await callBackend(() => send(backend, request.params.id, reviewer, request.body as z.output<B>));
        outcome(outcomeLabel);
        return view(status);
      },
    );
  decide('approve', approveRequestSchema, 'approved', (backend, id, reviewer, body) => backend.approve(id, reviewer, body.comment));
  decide('reject', rejectRequestSchema, 'rejected', (backend, id, reviewer, body) => backend.reject(id, reviewer, body.reason));
}
