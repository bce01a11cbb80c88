/**
 * POST /v1/autofix, /v1/troubleshoot, /v1/ci-log, served by a TroubleshootBackend (issue 6);
 * without one they answer 501 not_implemented. Autofix proposes changes (scope propose); the others read (scope read).
 */
import type { z } from 'zod';
import {
  autofixRequestSchema,
  backendOrThrow,
  callBackend,
  ciLogRequestSchema,
  type TroubleshootBackend,
  troubleshootRequestSchema,
} from '../backends';
import type { ApiApp, AppContext } from '../context';
import { commonErrorResponses, errorBodySchema } from '../errors';
import { autofixResponseSchema, ciLogResponseSchema, troubleshootResponseSchema } from '../troubleshoot-responses';

const errors = { ...commonErrorResponses, 404: errorBodySchema, 422: errorBodySchema, 501: errorBodySchema };

/** The three routes; the last path segment is also the `workflow` label of pac_workflow_outcomes_total. */
const ROUTES = {
  autofix: { url: '/v1/autofix', scope: 'propose', summary: 'Propose a fix (manifest patch or policy change) for a denied manifest' },
  troubleshoot: {
    url: '/v1/troubleshoot',
    scope: 'read',
    summary: 'Explain an admission denial: the policy, a minimal counterexample, what to change',
  },
  ciLog: { url: '/v1/ci-log', scope: 'read', summary: 'Find the policy failures in a CI log and explain them' },
} as const;

export function registerTroubleshootRoutes(app: ApiApp, ctx: AppContext): void {
  /** `run` answers with the backend's result, typed by the backend interface from the same response schemas */
  const post = <B extends z.ZodType>(
    route: keyof typeof ROUTES,
    body: B,
    response: z.ZodType,
    run: (backend: TroubleshootBackend, body: z.output<B>, requester: string) => Promise<unknown>,
  ) => {
    const { url, scope, summary } = ROUTES[route];
    app.post(
      url,
      {
        config: { scope },
        schema: {
          tags: ['troubleshooting'],
          summary,
          body,
          response: { 200: response, ...errors },
        },
      },
      async (request) => {
        const backend = backendOrThrow(ctx.troubleshoot, 'troubleshooting');
        // the validator has parsed the body with `body`
        const result = await callBackend(() => run(backend, request.body as z.output<B>, request.principal?.name ?? 'unknown'));
        ctx.metrics.workflowOutcomes.inc({ workflow: url.slice('/v1/'.length), outcome: 'completed' });
        return result;
      },
    );
  };
  post('autofix', autofixRequestSchema, autofixResponseSchema, (backend, body, requester) => backend.autofix(body, requester));
  post('troubleshoot', troubleshootRequestSchema, troubleshootResponseSchema, (backend, body) => backend.troubleshoot(body));
  post('ciLog', ciLogRequestSchema, ciLogResponseSchema, (backend, body) => backend.ciLog(body));
}
