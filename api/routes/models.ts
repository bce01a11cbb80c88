/** GET /v1/models (registered versions, aliases, metrics) and GET /v1/drift (latest drift reports). */
import { z } from 'zod';
import { latestDriftReports, listModels } from '../../activities/lifecycle/models';
import { MODEL_FAMILIES } from '../../registry/promotion';
import type { ApiApp, AppContext } from '../context';
import { ApiError, commonErrorResponses } from '../errors';

const modelsResponseSchema = z.object({
  models: z.array(
    z.object({
      family: z.enum(MODEL_FAMILIES),
      model: z.string(),
      url: z.string(),
      versions: z.array(
        z.object({
          version: z.string(),
          aliases: z.array(z.string()),
          runId: z.string().optional(),
          reason: z.string().optional(),
          metrics: z.record(z.string(), z.number()),
        }),
      ),
    }),
  ),
});

const driftReportSchema = z.object({
  runId: z.string(),
  runUrl: z.string(),
  family: z.string(),
  championVersion: z.string().optional(),
  drifted: z.boolean(),
  driftShare: z.number().optional(),
  driftedFeatures: z.number().optional(),
  predictionPsi: z.number().optional(),
  startTime: z.string(),
});

const driftResponseSchema = z.object({
  /** the newest report, or null before the monitor has run */
  latest: driftReportSchema.nullable(),
  reports: z.array(driftReportSchema),
});

const unavailable = (what: string, error: unknown) =>
  new ApiError('engine_unavailable', `MLflow (${what}) did not answer: ${(error as Error).message.split('\n')[0]}`);

/** undefined → absent, for response schemas with optional fields */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function registerModelRoutes(app: ApiApp, ctx: AppContext): void {
  app.get(
    '/v1/models',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'Every registered version of the ranker, fix and latency models with aliases and metrics',
        response: { 200: modelsResponseSchema, ...commonErrorResponses },
      },
    },
    async () => {
      try {
        const models = await listModels(ctx.config);
        return { models: models.map((m) => ({ ...m, versions: m.versions.map(defined) })) };
      } catch (error) {
        throw unavailable('models', error);
      }
    },
  );

  app.get(
    '/v1/drift',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'The latest drift reports of the monitor (run one with `pac drift` or the daily schedule)',
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(10) }),
        response: { 200: driftResponseSchema, ...commonErrorResponses },
      },
    },
    async (request) => {
      let reports: Awaited<ReturnType<typeof latestDriftReports>>;
      try {
        reports = await latestDriftReports(ctx.config, request.query.limit);
      } catch (error) {
        throw unavailable('drift reports', error);
      }
      const latest = reports[0];
      if (latest) {
        if (latest.driftShare !== undefined) ctx.metrics.driftShare.set({ family: latest.family }, latest.driftShare);
        ctx.metrics.driftDetected.set({ family: latest.family }, latest.drifted ? 1 : 0);
        if (latest.predictionPsi !== undefined) ctx.metrics.predictionPsi.set({ family: latest.family }, latest.predictionPsi);
      }
      return { latest: latest ? defined(latest) : null, reports: reports.map(defined) };
    },
  );
}
