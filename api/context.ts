/** What every route file gets: the configuration, auth, metrics and the services. */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { QaService } from '../activities/qa/service';
import type { Config } from '../infra/config';
import type { TokenAuth } from './auth';
import type { DraftsBackend, TroubleshootBackend } from './backends';
import type { ApiMetrics } from './metrics';

export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface AppContext {
  config: Config;
  auth: TokenAuth;
  metrics: ApiMetrics;
  /** the document Q&A, created on first use unless given */
  qa: () => Promise<QaService>;
  drafts: DraftsBackend | undefined;
  troubleshoot: TroubleshootBackend | undefined;
}
