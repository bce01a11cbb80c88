/** POST /v1/analyze: the policies that deny each resource (real OPA) and the ranker's top-k. */
import { z } from 'zod';
import { analyze } from '../../activities/analyze';
import { closeWriters, startBackgroundCompaction } from '../../activities/observations';
import type { ApiApp, AppContext } from '../context';
import { ApiError, commonErrorResponses } from '../errors';

export const analyzeRequestSchema = z
  .strictObject({
    /** one or more Kubernetes objects as YAML or JSON text (several YAML documents allowed) */
    manifests: z.string().min(1, { error: 'expected YAML or JSON text' }).optional(),
    /** or the objects themselves */
    objects: z.array(z.record(z.string(), z.unknown())).min(1).max(1000).optional(),
    top: z.int().min(1).max(65).default(5),
  })
  .refine((b) => (b.manifests === undefined) !== (b.objects === undefined), {
    error: 'give either manifests (text) or objects (array), not both and not neither',
    path: ['manifests'],
  });

const analyzeResponseSchema = z.object({
  ranker: z.string(),
  resources: z.array(
    z.object({
      source: z.string(),
      line: z.number(),
      resource: z.string(),
      denied: z.array(z.object({ policy: z.string(), messages: z.array(z.string()) })),
      ranked: z.array(z.object({ policy: z.string(), score: z.number() })),
    }),
  ),
  errors: z.array(z.object({ source: z.string(), line: z.number(), message: z.string() })),
  ms: z.number(),
});

export function registerAnalyzeRoutes(app: ApiApp, ctx: AppContext): void {
  // the observations this process records are compacted in the background while the server runs,
  // and its write-ahead file is flushed and sealed when the server closes
  let stopCompaction: (() => void) | undefined;
  app.addHook('onReady', async () => {
    if (ctx.config.observations.enabled) stopCompaction = startBackgroundCompaction(ctx.config);
  });
  app.addHook('onClose', async () => {
    stopCompaction?.();
    closeWriters();
  });

  app.post(
    '/v1/analyze',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['policies'],
        summary: 'Analyse Kubernetes objects: real-OPA denials and the champion ranker top-k',
        body: analyzeRequestSchema,
        response: { 200: analyzeResponseSchema, ...commonErrorResponses },
      },
    },
    async (request) => {
      const started = performance.now();
      const body = request.body;
      // objects are one JSON line each, separated by "---": object i starts at line 2i + 1
      const source = body.manifests !== undefined ? 'body.manifests' : 'body.objects';
      const text = body.manifests ?? (body.objects ?? []).map((o) => JSON.stringify(o)).join('\n---\n');
      let report: Awaited<ReturnType<typeof analyze>>;
      try {
        // what the platform saw is recorded (PAC_OBSERVE=off: not), on a time budget: the answer does not wait for it
        report = await analyze(ctx.config, [{ source, text }], { top: body.top, observe: { source: 'api', origin: 'POST /v1/analyze' } });
      } catch (error) {
        throw new ApiError('engine_unavailable', `policy evaluation failed: ${(error as Error).message.split('\n')[0]}`);
      }
      if (source === 'body.objects')
        report.errors = report.errors.map((e) => ({ ...e, source: `body.objects[${Math.floor((e.line - 1) / 2)}]`, line: 1 }));
      // nothing could be analysed: the input is bad, say where
      if (report.resources.length === 0 && report.errors.length > 0) {
        const issues = report.errors.slice(0, 20).map((e) => ({ path: `${e.source}:${e.line}`, message: e.message }));
        throw new ApiError('invalid_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
      }
      const model = report.ranker.startsWith('heuristic') ? 'heuristic' : (report.ranker.split(' ')[0] as string);
      ctx.metrics.predictions.inc({ model }, report.resources.length);
      for (const r of report.resources) for (const d of r.denied) ctx.metrics.denials.inc({ policy: d.policy });
      return { ...report, ms: performance.now() - started };
    },
  );
}
