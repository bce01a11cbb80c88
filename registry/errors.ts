/**
 * Errors of the MLflow client.
 *
 * - MlflowError: the server answered, but not with success. `errorCode` is MLflow's `error_code`
 *   (RESOURCE_DOES_NOT_EXIST, RESOURCE_ALREADY_EXISTS, INVALID_PARAMETER_VALUE, ...), so callers can
 *   branch on it. When the body is not an MLflow error (a proxy's HTML page, the security
 *   middleware's plain-text 403) the code is derived from the HTTP status; when a successful answer
 *   does not match the expected record the code is UNEXPECTED_RESPONSE.
 * - MlflowConnectionError: no answer at all (connection refused, DNS, reset, timeout).
 */
import { ErrorBody } from './schemas';

export class MlflowError extends Error {
  override readonly name = 'MlflowError';

  constructor(
    /** HTTP status of the answer */
    readonly status: number,
    /** MLflow's error_code, e.g. RESOURCE_DOES_NOT_EXIST */
    readonly errorCode: string,
    /** the server's message, without the request prefix */
    readonly detail: string,
    readonly method: string,
    /** the request path, without host and query string */
    readonly path: string,
  ) {
    super(`MLflow ${method} ${path} failed: HTTP ${status} ${errorCode}: ${detail}`);
  }
}

export class MlflowConnectionError extends Error {
  override readonly name = 'MlflowConnectionError';

  constructor(
    readonly method: string,
    /** the full request URL */
    readonly url: string,
    readonly reason: 'timeout' | 'network',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `error` is an MlflowError, and (if given) has that `error_code`. */
export function isMlflowError(error: unknown, errorCode?: string): error is MlflowError {
  return error instanceof MlflowError && (errorCode === undefined || error.errorCode === errorCode);
}

/** MLflow's own error codes for the HTTP statuses it uses, for answers without an MLflow body. */
export function errorCodeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'ENDPOINT_NOT_FOUND';
    case 409:
      return 'ABORTED';
    case 429:
      return 'REQUEST_LIMIT_EXCEEDED';
    case 501:
      return 'NOT_IMPLEMENTED';
    case 503:
      return 'TEMPORARILY_UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : `HTTP_${status}`;
  }
}

const MAX_DETAIL_CHARS = 1000;

/** Reads `error_code` and `message` from a failed answer's body, whatever its shape. */
export function parseErrorBody(status: number, body: string): { errorCode: string; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const parsed = ErrorBody.safeParse(json);
  if (parsed.success) {
    return { errorCode: parsed.data.error_code, message: parsed.data.message || '(no message)' };
  }
  const text = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const message = text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text;
  return { errorCode: errorCodeForStatus(status), message: message || '(empty response body)' };
}

/** Describes why fetch failed without an answer: the cause's code and message, if any. */
export function describeFetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}
