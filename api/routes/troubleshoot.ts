/**
 * POST /v1/autofix, /v1/troubleshoot, /v1/ci-log, served by a TroubleshootBackend (issue 6);
 * without one they answer 501 not_implemented. Autofix proposes changes and needs a token.
 */
import { autofixRequestSchema, ciLogRequestSchema, troubleshootRequestSchema, troubleshootResultSchema } from '../backends';
import { type ApiApp, type AppContext, BEARER } from '../context';
import { commonErrorResponses, errorBodySchema } from '../errors';
import { backendOrThrow, callBackend } from './drafts';

const errors = { ...commonErrorResponses, 404: errorBodySchema, 422: errorBodySchema, 501: errorBodySchema };

export function registerTroubleshootRoutes(app: ApiApp, ctx: AppContext): void {
  const backend = () => backendOrThrow(ctx.troubleshoot, 'troubleshooting');
  const outcome = (workflow: string, o: string) => ctx.metrics.workflowOutcomes.inc({ workflow, outcome: o });

  app.post(
    '/v1/autofix',
    {
      preHandler: ctx.auth.required(),
      schema: {
        tags: ['troubleshooting'],
        summary: 'Propose a fix (manifest patch or policy change) for a denied manifest',
        security: BEARER,
        body: autofixRequestSchema,
        response: { 200: troubleshootResultSchema, ...errors },
      },
    },
    async (request) => {
      const b = backend();
      const result = await callBackend(() => b.autofix(request.body, request.principal?.name ?? 'unknown'));
      outcome('autofix', 'completed');
      return result;
    },
  );

  app.post(
    '/v1/troubleshoot',
    {
      schema: {
        tags: ['troubleshooting'],
        summary: 'Explain an admission denial: the policy, a minimal counterexample, what to change',
        body: troubleshootRequestSchema,
        response: { 200: troubleshootResultSchema, ...errors },
      },
    },
    async (request) => {
      const b = backend();
      const result = await callBackend(() => b.troubleshoot(request.body));
      outcome('troubleshoot', 'completed');
      return result;
    },
  );

  app.post(
    '/v1/ci-log',
    {
      schema: {
        tags: ['troubleshooting'],
        summary: 'Find the policy failures in a CI log and explain them',
        body: ciLogRequestSchema,
        response: { 200: troubleshootResultSchema, ...errors },
      },
    },
    async (request) => {
      const b = backend();
      const result = await callBackend(() => b.ciLog(request.body));
      outcome('ci-log', 'completed');
      return result;
    },
  );
}
