/**
 * The drafting loop over HTTP: POST /v1/propose, GET /v1/drafts/:id, POST /v1/drafts/:id/approve,
 * POST /v1/drafts/:id/reject. The work is done by a DraftsBackend (the drafting workflow of
 * issue 5); without one these routes answer 501 not_implemented. The reviewer of an approval or a
 * rejection is the name of the bearer token, never a field of the request.
 */
import { z } from 'zod';
import {
  approveRequestSchema,
  BackendError,
  type DraftsBackend,
  draftIdSchema,
  draftStatusSchema,
  proposeRequestSchema,
  rejectRequestSchema,
} from '../backends';
import { type ApiApp, type AppContext, BEARER } from '../context';
import { ApiError, commonErrorResponses, errorBodySchema } from '../errors';

const errors = { ...commonErrorResponses, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema, 501: errorBodySchema };
const params = z.strictObject({ id: draftIdSchema });

export function backendOrThrow<T>(backend: T | undefined, what: string): T {
  if (!backend) throw new ApiError('not_implemented', `${what} is not available in this server: no backend is configured`);
  return backend;
}

/** Calls a backend, mapping BackendError to the API's codes. */
export async function callBackend<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BackendError) throw new ApiError(error.code, error.message, error.details);
    if (error instanceof ApiError) throw error;
    throw new ApiError('engine_unavailable', `the backend failed: ${(error as Error).message.split('\n')[0]}`);
  }
}

export function registerDraftRoutes(app: ApiApp, ctx: AppContext): void {
  const drafts = (): DraftsBackend => backendOrThrow(ctx.drafts, 'the drafting workflow');
  const outcome = (o: string) => ctx.metrics.workflowOutcomes.inc({ workflow: 'draft', outcome: o });

  app.post(
    '/v1/propose',
    {
      preHandler: ctx.auth.required(),
      schema: {
        tags: ['drafts'],
        summary: 'Start a drafting workflow for a new policy; returns its id',
        security: BEARER,
        body: proposeRequestSchema,
        response: { 202: draftStatusSchema, ...errors },
      },
    },
    async (request, reply) => {
      const backend = drafts();
      const status = await callBackend(() => backend.propose(request.body, request.principal?.name ?? 'unknown'));
      outcome('proposed');
      return reply.status(202).send(status);
    },
  );

  app.get(
    '/v1/drafts/:id',
    { schema: { tags: ['drafts'], summary: 'State of a drafting workflow', params, response: { 200: draftStatusSchema, ...errors } } },
    async (request) => {
      const backend = drafts();
      return callBackend(() => backend.get(request.params.id));
    },
  );

  app.post(
    '/v1/drafts/:id/approve',
    {
      preHandler: ctx.auth.required(),
      schema: {
        tags: ['drafts'],
        summary: 'Approve a draft awaiting review (reviewer = the token name)',
        security: BEARER,
        params,
        body: approveRequestSchema,
        response: { 200: draftStatusSchema, ...errors },
      },
    },
    async (request) => {
      const backend = drafts();
      const status = await callBackend(() =>
        backend.approve(request.params.id, request.principal?.name ?? 'unknown', request.body.comment),
      );
      outcome('approved');
      return status;
    },
  );

  app.post(
    '/v1/drafts/:id/reject',
    {
      preHandler: ctx.auth.required(),
      schema: {
        tags: ['drafts'],
        summary: 'Reject a draft awaiting review, with a reason (reviewer = the token name)',
        security: BEARER,
        params,
        body: rejectRequestSchema,
        response: { 200: draftStatusSchema, ...errors },
      },
    },
    async (request) => {
      const backend = drafts();
      const status = await callBackend(() => backend.reject(request.params.id, request.principal?.name ?? 'unknown', request.body.reason));
      outcome('rejected');
      return status;
    },
  );
}
