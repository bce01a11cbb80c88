/**
 * The HTTP API (`pac serve`): a Fastify app built from a Config. Request bodies and responses are
 * zod schemas (fastify-type-provider-zod), which also produce the OpenAPI document served with its
 * UI at /docs (assets from the @fastify/swagger-ui package, nothing from a CDN).
 *
 *   const { app, close } = await buildApp({ config });
 *   await app.listen({ host: config.api.host, port: config.api.port });
 */
import type { Writable } from 'node:stream';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyServerOptions, type RouteOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { maskPii } from '../activities/qa/pii';
import type { QaService } from '../activities/qa/service';
import { qaServiceFromConfig } from '../activities/qa/service';
import { type Config, secretValues } from '../infra/config';
import { secretRedactor } from '../lib/redact';
import { httpsOptions } from './admission-auth';
import { type RouteScope, scopeDescription, TokenAuth } from './auth';
import type { DraftsBackend, TroubleshootBackend } from './backends';
import { installJsonBodyParser } from './body';
import type { ApiApp, AppContext } from './context';
import { ApiError, installErrorHandlers } from './errors';
import { sanitisingStream } from './log';
import { type ApiMetrics, apiMetrics } from './metrics';
import { registerAdmissionRoutes } from './routes/admission';
import { registerAnalyzeRoutes } from './routes/analyze';
import { registerDocumentRoutes } from './routes/documents';
import { registerDraftRoutes } from './routes/drafts';
import { registerFeedbackRoutes } from './routes/feedback';
import { registerHealthRoutes } from './routes/health';
import { registerLintRoutes } from './routes/lint';
import { registerModelRoutes } from './routes/models';
import { registerTroubleshootRoutes } from './routes/troubleshoot';
import { strictDeep } from './strict';

export interface BuildAppOptions {
  config: Config;
  /** the document Q&A service; default: one from the config (Weaviate collection PAC_QA_COLLECTION) */
  qa?: QaService;
  /** the drafting workflow (issue 5); absent → its routes answer 501 */
  drafts?: DraftsBackend;
  /** troubleshooting, autofix and CI logs (issue 6); absent → their routes answer 501 */
  troubleshoot?: TroubleshootBackend;
  /** false: no request log; a stream: JSON log lines go there (tests read them); default: stdout at info. Secrets and PII are masked first (api/log.ts). */
  log?: false | Writable;
  /** default true; tests building many apps turn process metrics off */
  processMetrics?: boolean;
}

const UNLIMITED = new Set(['/healthz', '/readyz', '/metrics']);

type ResponseSchemas = Record<string, z.ZodType>;

/** A route of the app as registered: its response schemas by status code (strict), or hidden from the OpenAPI document. */
export interface ApiRoute {
  method: string;
  url: string;
  hidden: boolean;
  /** what a caller needs (hidden routes without a declaration are public: the docs UI) */
  scope: RouteScope;
  response: Readonly<ResponseSchemas>;
}

type RouteSchema = { hide?: boolean; response?: ResponseSchemas; security?: unknown; description?: string; 'x-required-scope'?: string };

/**
 * Every route the app registers, in order. A route in the OpenAPI document must declare its
 * responses (made strict here, api/strict.ts) and its scope (`config.scope`), which the document
 * shows as the bearer security requirement, `x-required-scope` and a sentence of the description.
 */
function collectRoutes(app: ApiApp): ApiRoute[] {
  const routes: ApiRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as RouteSchema | undefined;
    const where = `${String(route.method)} ${route.url}`;
    if (schema?.response)
      schema.response = Object.fromEntries(Object.entries(schema.response).map(([status, body]) => [status, strictDeep(body)]));
    else if (!schema?.hide) throw new Error(`${where}: an API route declares its response schemas (schema.response)`);
    const declared = (route.config as { scope?: RouteScope } | undefined)?.scope;
    if (!declared && !schema?.hide) throw new Error(`${where}: an API route declares the scope it needs (config.scope)`);
    const scope = declared ?? 'public';
    if (schema && scope !== 'public') {
      schema.security = [{ bearer: [] }];
      schema['x-required-scope'] = scope;
      schema.description = [schema.description, scopeDescription(scope)].filter(Boolean).join('\n\n');
    }
    for (const method of [route.method].flat())
      routes.push({ method, url: route.url, hidden: schema?.hide === true, scope, response: schema?.response ?? {} });
  });
  return routes;
}

export async function buildApp(
  options: BuildAppOptions,
): Promise<{ app: ApiApp; metrics: ApiMetrics; routes: readonly ApiRoute[]; close: () => Promise<void> }> {
  const { config } = options;
  const redactSecrets = secretRedactor(secretValues(config));
  // what leaves the server in an error or a log line: no secret, no PII (the same maskPii as the answers)
  const redact = (text: string) => maskPii(redactSecrets(text)).text;
  const https = httpsOptions(config);
  const app = Fastify({
    ...(https ? { https } : {}),
    logger:
      options.log === false
        ? false
        : {
            level: 'info',
            stream: sanitisingStream(options.log ?? process.stdout, redactSecrets),
            redact: { paths: ['req.headers.authorization'], censor: '[REDACTED]' },
          },
    bodyLimit: config.api.bodyLimitBytes,
  } as FastifyServerOptions).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app, redact);
  installJsonBodyParser(app);
  const routes = collectRoutes(app);

  const auth = new TokenAuth(config.api.tokens);
  const metrics = apiMetrics({ defaultMetrics: options.processMetrics ?? true });
  metrics.initialize([config.llm.cheapModel, config.llm.model]);

  let qaPromise: Promise<QaService> | undefined;
  let closeQa: (() => Promise<void>) | undefined;
  const qa = () => {
    if (options.qa) return Promise.resolve(options.qa);
    qaPromise ??= qaServiceFromConfig(config).then((made) => {
      closeQa = made.close;
      return made.qa;
    });
    return qaPromise;
  };

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'kube-pac-copilot API',
        version: '0.1.0',
        description:
          'Policy analysis, models and drift, document Q&A, drafting and troubleshooting. Every /v1 route needs `Authorization: Bearer <token>` (PAC_API_TOKENS) with the scope named in its `x-required-scope` (read, propose, approve; admin may do everything); health, /metrics and /docs are open. Errors are `{ "error": { "code", "message" } }`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null, docExpansion: 'list' } });

  await app.register(rateLimit, {
    global: true,
    max: config.api.rateLimit.max,
    timeWindow: config.api.rateLimit.windowMs,
    allowList: (request) => UNLIMITED.has(request.url.split('?')[0] ?? '') || request.url.startsWith('/docs'),
    keyGenerator: (request) => {
      const principal = auth.identify(request.headers.authorization);
      return principal ? `token:${principal.name}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) =>
      new ApiError('rate_limited', `too many requests: at most ${context.max} per ${context.after}; retry later`, {
        retryAfter: context.after,
      }),
  });

  // authentication and scopes before the body is read (after the rate limit, so guessing tokens is limited too)
  app.addHook('onRequest', auth.hook());

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    metrics.requestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  const ctx: AppContext = { config, auth, metrics, qa, drafts: options.drafts, troubleshoot: options.troubleshoot };
  registerHealthRoutes(app, ctx);
  registerAnalyzeRoutes(app, ctx);
  registerModelRoutes(app, ctx);
  registerDocumentRoutes(app, ctx);
  registerDraftRoutes(app, ctx);
  registerTroubleshootRoutes(app, ctx);
  registerLintRoutes(app, ctx);
  registerFeedbackRoutes(app, ctx);
  registerAdmissionRoutes(app, ctx);

  app.get('/metrics', { schema: { hide: true }, config: { scope: 'public' } }, async (_request, reply) => {
    if (qaPromise || options.qa) metrics.cacheHitRate.set((await qa()).cache.hitRate);
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return {
    app,
    metrics,
    routes,
    close: async () => {
      await app.close();
      await closeQa?.();
    },
  };
}
