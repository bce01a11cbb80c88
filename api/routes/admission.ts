/**
 * POST /v1/admission/validate: the validating admission webhook (AdmissionReview v1; the logic is
 * api/admission.ts, the authentication api/admission-auth.ts).
 *
 * Errors: a review that is not AdmissionReview v1 → 400 naming the field; an unauthenticated
 * caller → 401 (before the body is read); the engine failing → 500 in enforce mode, so that the API
 * server applies the webhook's failurePolicy (Fail: the request is refused; Ignore: it goes
 * through), and in audit mode an allowed answer with a warning.
 */
import type { FastifyInstance } from 'fastify';
import { type AdmissionSettings, admissionResponseSchema, admissionReviewSchema, admissionSettings, reviewAdmission } from '../admission';
import { AdmissionAuth } from '../admission-auth';
import type { ApiApp, AppContext } from '../context';
import { ApiError, commonErrorResponses } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    admissionCaller?: import('../admission-auth').AdmissionCaller;
  }
}

/** The admission route may take this many requests per client and window, times the API's rate limit (the API server is one client). */
const ADMISSION_RATE_FACTOR = 100;

export function registerAdmissionRoutes(app: ApiApp, ctx: AppContext): void {
  const auth = new AdmissionAuth(ctx.config);
  // a bad PAC_ADMISSION_POLICIES or parameters file stops `pac serve` at start-up
  const settings: AdmissionSettings = admissionSettings(ctx.config);
  const tls = Boolean(ctx.config.api.tls);
  app.addHook('onReady', async () => {
    (app as unknown as FastifyInstance).log.info(auth.describe(tls));
  });

  app.post(
    '/v1/admission/validate',
    {
      bodyLimit: ctx.config.api.bodyLimitBytes,
      config: {
        scope: 'public',
        rateLimit: { max: ctx.config.api.rateLimit.max * ADMISSION_RATE_FACTOR, timeWindow: ctx.config.api.rateLimit.windowMs },
      },
      onRequest: async (request) => {
        request.admissionCaller = auth.authenticate(request);
      },
      schema: {
        tags: ['admission'],
        summary: 'Validating admission webhook: AdmissionReview v1 in, AdmissionReview v1 out',
        description:
          'Called by the Kubernetes API server. Authenticated by PAC_ADMISSION_TOKEN (bearer) or a client certificate signed by PAC_ADMISSION_CLIENT_CA; with neither configured it answers over HTTPS only. Findings at or above PAC_ADMISSION_DENY_SEVERITY deny (enforce mode), lower ones are warnings; PAC_ADMISSION_MODE=audit always allows.',
        body: admissionReviewSchema,
        response: { 200: admissionResponseSchema, ...commonErrorResponses },
      },
    },
    async (request) => {
      const review = request.body;
      const caller = request.admissionCaller;
      const record = Boolean(caller?.trusted) && review.request.dryRun !== true;
      try {
        const { response, findings } = await reviewAdmission(ctx.config, settings, review.request, { record });
        for (const f of findings) if (!f.exempted) ctx.metrics.denials.inc({ policy: f.policy });
        return { apiVersion: 'admission.k8s.io/v1' as const, kind: 'AdmissionReview' as const, response };
      } catch (error) {
        const reason = (error as Error).message.split('\n')[0] ?? 'unknown error';
        request.log.error({ err: error }, 'admission: policy evaluation failed');
        if (settings.mode === 'audit')
          return {
            apiVersion: 'admission.k8s.io/v1' as const,
            kind: 'AdmissionReview' as const,
            response: {
              uid: review.request.uid,
              allowed: true,
              warnings: ['pac audit mode: policy evaluation failed; nothing was checked'],
            },
          };
        throw new ApiError('internal', `policy evaluation failed (${reason}); the API server applies the webhook's failurePolicy`);
      }
    },
  );
}
