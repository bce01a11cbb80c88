/**
 * The API's JSON body parser, in place of Fastify's: the bytes must be UTF-8 (invalid bytes are
 * refused, not replaced), the JSON must parse (the error names line and column), and the value
 * must keep within the input limits shared with the CLI (lib/input-limits.ts: depth, array and
 * mapping lengths, string sizes; no `__proto__` / `constructor.prototype`). Too big → 413
 * `payload_too_large`, malformed → 400 `invalid_request`, each with the JSON path of the problem.
 * Fastify's bodyLimit (PAC_API_BODY_LIMIT_BYTES) still applies before any of this.
 */
import type { FastifyInstance } from 'fastify';
import { checkValue } from '../lib/input-limits';
import { ApiError } from './errors';

/** "line L, column C" of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

export function parseJsonBody(bytes: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError('invalid_request', 'body: not valid UTF-8 text (send JSON encoded as UTF-8)');
  }
  if (text.trim() === '') throw new ApiError('invalid_request', 'body: empty; send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : ` at ${lineColumn(text, Number(position))}`;
    throw new ApiError('invalid_request', `body: not valid JSON${where}: ${message.replace(/ in JSON at position \d+.*$/, '')}`);
  }
  const problem = checkValue(value);
  if (problem)
    throw new ApiError(problem.kind === 'size' ? 'payload_too_large' : 'invalid_request', `body${problem.path}: ${problem.message}`);
  return value;
}

/** JSON is the only body the API takes: any other content type is 415 unsupported_media_type. */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
