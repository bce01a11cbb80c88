/** GET /healthz (the process answers) and GET /readyz (every engine is reachable). */
import { z } from 'zod';
import { probeEngine } from '../../infra/health';
import type { ApiApp, AppContext } from '../context';

const readySchema = z.object({
  ready: z.boolean(),
  engines: z.array(z.object({ engine: z.string(), healthy: z.boolean(), version: z.string().optional(), detail: z.string().optional() })),
});

export function registerHealthRoutes(app: ApiApp, ctx: AppContext): void {
  app.get(
    '/healthz',
    {
      config: { scope: 'public' },
      schema: { tags: ['health'], summary: 'The API process is up', response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { scope: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Temporal, MLflow, Weaviate and OPA are reachable (503 when one is not)',
        response: { 200: readySchema, 503: readySchema },
      },
    },
    async (_request, reply) => {
      const engines = await Promise.all((['temporal', 'mlflow', 'weaviate', 'opa'] as const).map((e) => probeEngine(e, ctx.config)));
      const ready = engines.every((e) => e.healthy);
      const body = {
        ready,
        engines: engines.map((e) => ({
          engine: e.engine,
          healthy: e.healthy,
          ...(e.version ? { version: e.version } : {}),
          ...(e.detail ? { detail: e.detail } : {}),
        })),
      };
      return reply.status(ready ? 200 : 503).send(body);
    },
  );
}
