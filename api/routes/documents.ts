/**
 * POST /v1/documents (upload as JSON with base64 content; replaces an earlier version),
 * POST /v1/documents/upload (the same as multipart/form-data files), GET /v1/documents (the
 * documents of the index) and POST /v1/query (document Q&A). Markdown and text are indexed as they
 * are, HTML is converted to Markdown (activities/qa/formats.ts).
 */
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  type DocumentFormat,
  DocumentFormatError,
  documentFormatOf,
  formatOfContentType,
  indexableText,
} from '../../activities/qa/formats';
import { UnknownPromptVersionError } from '../../activities/qa/prompts';
import type { QaService } from '../../activities/qa/service';
import { qaAnswerSchema } from '../../activities/qa/service';
import { EmptyDocumentError } from '../../activities/qa/store';
import { secretValues } from '../../infra/config';
import { INPUT_LIMITS } from '../../lib/input-limits';
import { ManifestInputError } from '../../lib/manifest-stream';
import { decodeTextInput } from '../../lib/read-input';
import { secretRedactor } from '../../lib/redact';
import type { ApiApp, AppContext } from '../context';
import { ApiError, commonErrorResponses, errorBodySchema } from '../errors';

/** at most this many files per multipart upload */
export const MAX_UPLOAD_FILES = 20;

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,199}$/;

export const documentUploadSchema = z.strictObject({
  /** file name; its base name without extension becomes the document id ("my-notes.md" → "my-notes") */
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._ -]*$/, { error: 'expected a file name of letters, digits, ".", "_", "-" and spaces' }),
  contentType: z.enum(['text/markdown', 'text/plain', 'text/html'], { error: 'expected "text/markdown", "text/plain" or "text/html"' }),
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

export const multipartUploadResponseSchema = z.object({
  documents: z.array(ingestResponseSchema.extend({ file: z.string() })),
});

export const documentListResponseSchema = z.object({
  collection: z.string(),
  documents: z.array(
    z.object({
      source: z.string(),
      file: z.string(),
      title: z.string(),
      digest: z.string(),
      chunks: z.int(),
      headings: z.array(z.string()),
    }),
  ),
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
      const raw = redact(decodeUtf8(request.body.content));
      if (raw.includes('\u0000')) throw new ApiError('invalid_request', 'body.content: binary content (NUL bytes) is not a text document');
      const format = formatOfContentType(request.body.contentType) ?? 'text';
      const text = convert(request.body.name, raw, format, 'body.content');
      const qa = await ctx.qa();
      const result = await ingest(ctx, qa, { name: request.body.name, text }, 'body.content', request);
      return { ...result, collection: qa.kb.collection };
    },
  );

  // `pac serve`: the shipped knowledge base is indexed in the background once the server listens (queries wait for it)
  if (ctx.config.qa.shippedKb)
    app.addHook('onListen', async () => {
      ctx
        .qa()
        .then((qa) => qa.ensureKnowledgeBase())
        .then((report) =>
          app.log.info(
            { indexed: report.indexed.length, unchanged: report.unchanged, reembedded: report.reembedded, ms: Math.round(report.ms) },
            'knowledge base ready',
          ),
        )
        .catch((error: Error) =>
          app.log.warn(`indexing the shipped knowledge base failed (retried on first use): ${error.message.split('\n')[0]}`),
        );
    });

  // multipart/form-data: parsed only in the handler, so the onRequest authentication comes first
  const maxFileBytes = Math.min(ctx.config.api.bodyLimitBytes, INPUT_LIMITS.textBytes);
  app.register(multipart, {
    limits: {
      fileSize: maxFileBytes,
      files: MAX_UPLOAD_FILES,
      fields: 10,
      fieldSize: 1024,
      parts: MAX_UPLOAD_FILES + 10,
    },
  });

  app.post(
    '/v1/documents/upload',
    {
      config: { scope: 'propose' },
      schema: {
        tags: ['documents'],
        summary: `Upload Markdown, text or HTML files as multipart/form-data (field "file", up to ${MAX_UPLOAD_FILES}); HTML is converted to Markdown; the same file name replaces its chunks`,
        consumes: ['multipart/form-data'],
        response: { 200: multipartUploadResponseSchema, 415: errorBodySchema, 422: errorBodySchema, ...commonErrorResponses },
      },
    },
    async (request) => {
      if (!request.isMultipart()) throw new ApiError('unsupported_media_type', 'expected multipart/form-data with one or more file parts');
      const files = await readParts(request, maxFileBytes);
      if (files.length === 0) throw new ApiError('invalid_request', 'the form has no file part: send the documents as file fields');
      // every file is checked and converted before anything is indexed
      const documents = files.map((f, i) => {
        const at = `files[${i}] (${f.name})`;
        let format: DocumentFormat;
        try {
          format = documentFormatOf(f.name);
        } catch (error) {
          if (error instanceof DocumentFormatError) throw new ApiError('unsupported_media_type', `${at}: ${error.message}`);
          throw error;
        }
        let raw: string;
        try {
          raw = decodeTextInput(f.bytes, at);
        } catch (error) {
          if (error instanceof ManifestInputError) throw new ApiError('invalid_request', error.message);
          throw error;
        }
        return { name: f.name, text: convert(f.name, redact(raw), format, at), at };
      });
      const qa = await ctx.qa();
      const results = [];
      for (const doc of documents)
        results.push({ ...(await ingest(ctx, qa, doc, doc.at, request)), file: doc.name, collection: qa.kb.collection });
      return { documents: results };
    },
  );

  app.get(
    '/v1/documents',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['documents'],
        summary: 'The documents of the knowledge base (the shipped ones are indexed on first use): id, file, title, chunks',
        response: { 200: documentListResponseSchema, ...commonErrorResponses },
      },
    },
    async () => {
      const qa = await ctx.qa();
      try {
        const documents = await qa.documents();
        return {
          collection: qa.kb.collection,
          documents: documents.map(({ source, file, title, digest, chunks, headings }) => ({
            source,
            file,
            title,
            digest,
            chunks,
            headings,
          })),
        };
      } catch (error) {
        throw new ApiError('engine_unavailable', `listing documents failed: ${(error as Error).message.split('\n')[0]}`);
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

/** HTML → Markdown; a document with no words is a 422 naming where it came from. */
function convert(name: string, text: string, format: DocumentFormat, at: string): string {
  try {
    return indexableText(name, text, format);
  } catch (error) {
    if (error instanceof DocumentFormatError) throw new ApiError('unprocessable', `${at}: ${error.message}`);
    throw error;
  }
}

async function ingest(ctx: AppContext, qa: QaService, doc: { name: string; text: string }, at: string, request: FastifyRequest) {
  try {
    const result = await qa.ingest({ name: doc.name, text: doc.text });
    ctx.metrics.documentsIngested.inc();
    request.log.info(
      { source: result.source, chunks: result.chunks, removed: result.removed, by: request.principal?.name },
      'document ingested',
    );
    return result;
  } catch (error) {
    if (error instanceof EmptyDocumentError) throw new ApiError('unprocessable', `${at}: ${error.message}`);
    throw new ApiError('engine_unavailable', `indexing failed: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The file parts of a multipart request (other fields ignored); the plugin's limits become 413s. */
async function readParts(request: FastifyRequest, maxBytes: number): Promise<{ name: string; bytes: Buffer }[]> {
  const files: { name: string; bytes: Buffer }[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      const at = `files[${files.length}]`;
      const name = (part.filename ?? '').trim();
      if (!FILE_NAME.test(name)) {
        part.file.resume();
        throw new ApiError(
          'invalid_request',
          `${at}: expected a file name of letters, digits, ".", "_", "-" and spaces (no directories), got ${JSON.stringify(name.slice(0, 100))}`,
        );
      }
      files.push({ name, bytes: await part.toBuffer() });
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const code = (error as { code?: string }).code ?? '';
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new ApiError('payload_too_large', `files[${files.length}]: the file is larger than ${maxBytes} bytes`);
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
      throw new ApiError('payload_too_large', `at most ${MAX_UPLOAD_FILES} files per upload (${(error as Error).message})`);
    if (code.startsWith('FST_')) throw new ApiError('invalid_request', `malformed multipart body: ${(error as Error).message}`);
    throw error;
  }
  return files;
}
