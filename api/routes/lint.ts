/**
 * POST /v1/lint: the Rego linter of `pac lint` (activities/lint: `opa check --strict` plus our AST
 * rules) over files sent in the body. Nothing is evaluated: hostile Rego (http.send, opa.runtime …)
 * is parsed and flagged, never run. The files go to a private temporary directory that is removed
 * after the answer. Findings are the answer (200): the request is refused (4xx) only when the
 * files themselves cannot be linted (not text, too big, a bad name).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { LINT_SEVERITIES, lintRego } from '../../activities/lint/lint';
import { INPUT_LIMITS } from '../../lib/input-limits';
import type { ApiApp, AppContext } from '../context';
import { ApiError, commonErrorResponses } from '../errors';

export const lintRequestSchema = z.strictObject({
  files: z
    .array(
      z.strictObject({
        /** a file name ending in .rego (tests: _test.rego), no directories */
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.rego$/, { error: 'expected a file name such as policy.rego (no directories)' }),
        content: z
          .string()
          .min(1, { error: 'expected the Rego text' })
          .max(INPUT_LIMITS.textBytes)
          .refine((text) => !text.includes('\u0000'), { error: 'binary content (NUL bytes) is not Rego text' }),
      }),
    )
    .min(1)
    .max(50)
    .refine((files) => new Set(files.map((f) => f.name)).size === files.length, { error: 'two files have the same name' }),
});

const lintResponseSchema = z.object({
  files: z.array(z.string()),
  findings: z.array(
    z.object({ rule: z.string(), severity: z.enum(LINT_SEVERITIES), file: z.string(), line: z.number(), message: z.string() }),
  ),
  errors: z.int(),
  warnings: z.int(),
});

export function registerLintRoutes(app: ApiApp, ctx: AppContext): void {
  app.post(
    '/v1/lint',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['policies'],
        summary: 'Lint Rego files (opa check --strict plus the house rules), each finding with file:line; nothing is evaluated',
        body: lintRequestSchema,
        response: { 200: lintResponseSchema, ...commonErrorResponses },
      },
    },
    async (request) => {
      const dir = mkdtempSync(join(tmpdir(), 'pac-lint-'));
      try {
        for (const file of request.body.files) writeFileSync(join(dir, file.name), file.content, { mode: 0o600 });
        try {
          return await lintRego(ctx.config, [dir], { cwd: dir });
        } catch (error) {
          throw new ApiError('engine_unavailable', `the linter failed: ${(error as Error).message.split('\n')[0]}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}
