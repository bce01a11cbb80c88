/**
 * Every error the API returns is JSON `{ "error": { "code", "message", "details"? } }` with a
 * stable code from ERROR_CODES; the message names the field when the input was at fault.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';

export const ERROR_CODES = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  not_implemented: 501,
  engine_unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** What an error adds to its message, by the kind of error. */
export const errorDetailsSchema = z.strictObject({
  /** invalid input, one issue per field: `field` for the request itself, `path` inside a draft request */
  issues: z
    .array(z.union([z.strictObject({ field: z.string(), message: z.string() }), z.strictObject({ path: z.string(), message: z.string() })]))
    .optional(),
  /** conflict: the phase the draft is in */
  phase: z.string().optional(),
  /** an unknown prompt version: the versions there are */
  available: z.array(z.string()).optional(),
  /** rate_limited: when to try again */
  retryAfter: z.string().optional(),
});
export type ErrorDetails = z.infer<typeof errorDetailsSchema>;

export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: errorDetailsSchema.optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export class ApiError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = ERROR_CODES[code];
  }
}

/** The error responses every route may give, for the OpenAPI document. */
export const commonErrorResponses = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  413: errorBodySchema,
  429: errorBodySchema,
  500: errorBodySchema,
  503: errorBodySchema,
};

function body(code: ErrorCode, message: string, details?: ErrorDetails): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** Maps what can go wrong to the error body; unknown errors become `internal` without internals. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ApiError) return { status: error.statusCode, body: body(error.code, error.message, error.details) };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'body';
    const issues = error.validation.map((v) => {
      // the same JSON-path form as the input limits: body.objects[0].kind
      const segments = v.instancePath.split('/').slice(1);
      const path = `${where}${segments.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join('')}`;
      return { field: path, message: v.message ?? 'invalid' };
    });
    return {
      status: 400,
      body: body('invalid_request', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { issues }),
    };
  }
  if (isResponseSerializationError(error)) {
    return { status: 500, body: body('internal', 'the server produced a response that does not match its schema') };
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: body('payload_too_large', fastifyError.message ?? 'request body too large') };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: body('unsupported_media_type', 'send the request body as application/json') };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: body('invalid_request', `body: ${fastifyError.message ?? 'not valid JSON'}`) };
  }
  if (fastifyError.statusCode === 429) return { status: 429, body: body('rate_limited', fastifyError.message ?? 'too many requests') };
  if (fastifyError.statusCode === 400 && fastifyError.message)
    return { status: 400, body: body('invalid_request', `body: ${fastifyError.message}`) };
  return { status: 500, body: body('internal', 'internal error (see the server log)') };
}

/** The most of an unread body the server reads (and drops) after refusing it; beyond it the connection is cut. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * A request refused before its body was read (401 in onRequest, 413 on its length, a body that is
 * not JSON): Fastify answers with `connection: close`, and closing a socket that still has unread
 * data makes the kernel reset it — the client may then lose the answer. Instead the rest of the
 * body is read and dropped (up to DRAIN_LIMIT_BYTES; Node's request timeout bounds a slow one), and
 * the connection stays usable.
 */
function drainUnreadBody(raw: IncomingMessage, reply: FastifyReply): void {
  reply.removeHeader('connection');
  let read = 0;
  raw.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > DRAIN_LIMIT_BYTES) raw.socket.destroy();
  });
  raw.resume();
}

/** Error bodies and their log lines go through `redact` (the configured secrets become [REDACTED]). */
export function installErrorHandlers(app: FastifyInstance, redact: (text: string) => string = (text) => text): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body: response } = toErrorResponse(error);
    const payload = { error: { ...response.error, message: redact(response.error.message) } };
    if (!request.raw.complete) drainUnreadBody(request.raw, reply);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: payload.error.code }, payload.error.message);
    void reply.status(status).send(payload);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(body('not_found', redact(`no route ${request.method} ${request.url.split('?')[0]}`)));
  });
}
