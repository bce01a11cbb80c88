/**
 * POST /v1/feedback: what happened to a suggested fix — accepted, reverted, or the policy was
 * changed or the object exempted instead. Recorded in the observation store with the caller's token
 * name as `who`; the next fix-strategy retrain learns from it (source "feedback"). Scope propose.
 */
import { FeedbackInputError, feedbackRequestSchema, submitFeedback } from '../../activities/observations/feedback';
import { feedbackSchema } from '../../activities/observations/schemas';
import type { ApiApp, AppContext } from '../context';
import { ApiError, commonErrorResponses, errorBodySchema } from '../errors';

const feedbackResponseSchema = feedbackSchema.pick({
  id: true,
  time: true,
  source: true,
  outcome: true,
  policy: true,
  apiVersion: true,
  kind: true,
  namespace: true,
  name: true,
  strategy: true,
  who: true,
});

export function registerFeedbackRoutes(app: ApiApp, ctx: AppContext): void {
  app.post(
    '/v1/feedback',
    {
      config: { scope: 'propose' },
      schema: {
        tags: ['troubleshooting'],
        summary:
          'Record what happened to a suggested fix (accepted, reverted, policy_changed, exempted); the fix-strategy model learns from it',
        body: feedbackRequestSchema,
        response: { 201: feedbackResponseSchema, ...commonErrorResponses, 404: errorBodySchema },
      },
    },
    async (request, reply) => {
      let recorded: ReturnType<typeof submitFeedback>;
      try {
        recorded = submitFeedback(ctx.config, request.body, 'api', request.principal?.name ?? 'unknown');
      } catch (error) {
        if (error instanceof FeedbackInputError)
          throw new ApiError(error.message.startsWith('policy: unknown') ? 'not_found' : 'invalid_request', `body.${error.message}`);
        throw error;
      }
      const { note: _note, manifestDigest: _m, fixDigest: _f, v: _v, ...shown } = recorded;
      return reply.code(201).send(shown);
    },
  );
}
