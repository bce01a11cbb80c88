/** POST /v1/documents (upload, replaces an earlier version) and POST /v1/query (document Q&A). */
import { z } from 'zod';
import { UnknownPromptVersionError } from '../../activities/qa/prompts';
import { qaAnswerSchema } from '../../activities/qa/service';
import { EmptyDocumentError } from '../../activities/qa/store';
import { secretValues } from '../../infra/config';
import { secretRedactor } from '../../lib/redact';
import type { ApiApp, AppContext } from '../context';
import { ApiError, commonErrorResponses, errorBodySchema } from '../errors';

export const documentUploadSchema = z.strictObject({
  /** file name; its base name without extension becomes the document id ("my-notes.md" → "my-notes") */
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._ -]*$/, { error: 'expected a file name of letters, digits, ".", "_", "-" and spaces' }),
  contentType: z.enum(['text/markdown', 'text/plain'], { error: 'expected "text/markdown" or "text/plain"' }),
  /** the document, base64-encoded UTF-8 */
  content: z
    .string()
    .min(1, { error: 'expected base64 text' })
    .regex(/^[A-Za-z0-9+/\r\n]+={0,2}$/, { error: 'expected base64 (A-Z, a-z, 0-9, +, /, = padding)' }),
});

const ingestResponseSchema = z.object({
  source: z.string(),
  title: z.string(),
  digest: z.string(),
  chunks: z.int(),
  removed: z.int(),
  words: z.int(),
  collection: z.string(),
});

export const queryRequestSchema = z.strictObject({
  question: z.string().trim().min(3, { error: 'expected a question of at least 3 characters' }).max(2000),
  /** answer prompt version, e.g. "v1" (default PAC_QA_PROMPT_VERSION) */
  promptVersion: z
    .string()
    .regex(/^v\d+$/, { error: 'expected a prompt version such as v2' })
    .optional(),
  topK: z.int().min(1).max(20).optional(),
  mode: z.enum(['hybrid', 'bm25', 'vector']).optional(),
  noCache: z.boolean().optional(),
});

function decodeUtf8(base64: string): string {
  const bytes = Buffer.from(base64.replace(/[\r\n]/g, ''), 'base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError('invalid_request', 'body.content: the decoded bytes are not UTF-8 text');
  }
}

export function registerDocumentRoutes(app: ApiApp, ctx: AppContext): void {
  // a configured secret typed into a question or pasted into a document never reaches the LLM, the index, the cache or the log
  const redact = secretRedactor(secretValues(ctx.config));
  app.post(
    '/v1/documents',
    {
      config: { scope: 'propose' },
      schema: {
        tags: ['documents'],
        summary: 'Upload a Markdown or text document (base64) into the knowledge base; the same name replaces its chunks',
        body: documentUploadSchema,
        response: { 200: ingestResponseSchema, 422: errorBodySchema, ...commonErrorResponses },
      },
    },
    async (request) => {
      const text = redact(decodeUtf8(request.body.content));
      if (text.includes('\u0000')) throw new ApiError('invalid_request', 'body.content: binary content (NUL bytes) is not a text document');
      const qa = await ctx.qa();
      try {
        const result = await qa.ingest({ name: request.body.name, text });
        ctx.metrics.documentsIngested.inc();
        request.log.info(
          { source: result.source, chunks: result.chunks, removed: result.removed, by: request.principal?.name },
          'document ingested',
        );
        return { ...result, collection: qa.kb.collection };
      } catch (error) {
        if (error instanceof EmptyDocumentError) throw new ApiError('unprocessable', `body.content: ${error.message}`);
        throw new ApiError('engine_unavailable', `indexing failed: ${(error as Error).message.split('\n')[0]}`);
      }
    },
  );

  app.post(
    '/v1/query',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['documents'],
        summary: 'Ask a question: hybrid retrieval, grading, an answer with citations, grounding check (or "not in the knowledge base")',
        body: queryRequestSchema,
        response: { 200: qaAnswerSchema, ...commonErrorResponses },
      },
    },
    async (request) => {
      const qa = await ctx.qa();
      const { question, ...options } = request.body;
      let answer: Awaited<ReturnType<typeof qa.query>>;
      try {
        answer = await qa.query(redact(question), options);
      } catch (error) {
        if (error instanceof UnknownPromptVersionError)
          throw new ApiError('invalid_request', `body.promptVersion: ${error.message}`, { available: error.available });
        throw new ApiError('engine_unavailable', `answering failed: ${(error as Error).message.split('\n')[0]}`);
      }
      const m = ctx.metrics;
      const outcome = answer.cache.hit
        ? 'cached'
        : answer.answerable
          ? 'answered'
          : answer.refusalReason === 'off_topic'
            ? 'off_topic'
            : 'not_in_kb';
      m.qaAnswers.inc({ outcome, route: answer.route, prompt: answer.promptVersion });
      if (!options.noCache && answer.refusalReason !== 'off_topic') m.recordCache(answer.cache.hit, qa.cache.hitRate);
      for (const [model, usage] of Object.entries(answer.usageByModel)) {
        m.llmTokens.inc({ model, kind: 'prompt' }, usage.promptTokens);
        m.llmTokens.inc({ model, kind: 'completion' }, usage.completionTokens);
      }
      for (const [model, usage] of Object.entries(answer.usageByModel)) {
        const price = ctx.config.qa.prices[model];
        if (price) m.llmCost.inc({ model }, (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000);
      }
      m.queryCost.observe(answer.costUsd);
      for (const [type, n] of Object.entries(answer.guardrails.piiMaskedInput)) m.piiMasked.inc({ type, where: 'input' }, n);
      for (const [type, n] of Object.entries(answer.guardrails.piiMaskedOutput)) m.piiMasked.inc({ type, where: 'output' }, n);
      // only masked text is logged
      request.log.info(
        {
          question: answer.question,
          outcome,
          citations: answer.citations.map((c) => c.chunkId),
          costUsd: answer.costUsd,
          prompt: answer.promptVersion,
        },
        `qa answer: ${answer.answer.slice(0, 200)}`,
      );
      return answer;
    },
  );
}
