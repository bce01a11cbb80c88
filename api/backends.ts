/**
 * The seams for the routes whose engines are built elsewhere: the drafting workflow (issue 5)
 * and troubleshooting / autofix / CI-log analysis (issue 6). The API owns the HTTP side — auth,
 * request and response schemas, error mapping, metrics — and calls a backend through these
 * interfaces. When `buildApp` gets no backend, the routes answer 501 `not_implemented`.
 *
 * A backend signals a problem with the caller's request by throwing BackendError with one of the
 * API's stable codes (not_found, conflict, forbidden, invalid_request, unprocessable, engine_unavailable).
 */
import { z } from 'zod';
import { type DraftStatus, draftRequestSchema } from '../activities/drafting/schemas';
import { ApiError, type ErrorCode, type ErrorDetails } from './errors';
import type { AutofixResponse, CiLogResponse, TroubleshootResponse } from './troubleshoot-responses';

export class BackendError extends Error {
  constructor(
    readonly code: Extract<ErrorCode, 'not_found' | 'conflict' | 'forbidden' | 'invalid_request' | 'unprocessable' | 'engine_unavailable'>,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

// ---------------------------------------------------------------------------------------------
// Drafts (issue 5)
// ---------------------------------------------------------------------------------------------

/** The drafting request (activities/drafting/schemas) without `requester`: the bearer token names the requester. */
export const proposeRequestSchema = draftRequestSchema.omit({ requester: true });
export type ProposeRequest = z.input<typeof proposeRequestSchema>;

export const draftIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,200}$/, { error: 'expected a draft id (letters, digits, ".", "_", ":", "-")' });

/** A drafting workflow just started, or the running one of the same request joined. */
export interface DraftStarted {
  draftId: string;
  runId: string;
  joined: boolean;
}

export const approveRequestSchema = z.strictObject({ comment: z.string().max(2000).optional() });
export const rejectRequestSchema = z.strictObject({
  reason: z.string().trim().min(3, { error: 'give a reason (at least 3 characters)' }).max(2000),
});

export interface DraftsBackend {
  /** starts (or joins) the drafting workflow of the request */
  propose(request: ProposeRequest, requester: string): Promise<DraftStarted>;
  /** throws BackendError('not_found') for an unknown id */
  get(id: string): Promise<DraftStatus>;
  /** sends the approve signal with the reviewer's identity (from the bearer token) */
  approve(id: string, reviewer: string, comment?: string): Promise<DraftStatus>;
  reject(id: string, reviewer: string, reason: string): Promise<DraftStatus>;
}

// ---------------------------------------------------------------------------------------------
// Troubleshooting (issue 6)
// ---------------------------------------------------------------------------------------------

const yamlText = z.string().min(1, { error: 'expected YAML or JSON text' }).max(1_000_000);

export const autofixRequestSchema = z.strictObject({
  /** the denied manifest(s), YAML or JSON */
  manifest: yamlText,
  /** limit the fix to this policy's denial */
  policy: z
    .string()
    .regex(/^[a-z0-9-]{1,100}$/, { error: 'expected a policy id such as require-run-as-non-root' })
    .optional(),
});
export type AutofixRequest = z.infer<typeof autofixRequestSchema>;

export const troubleshootRequestSchema = z
  .strictObject({
    manifest: yamlText.optional(),
    /** the admission denial message as the user saw it */
    denial: z.string().min(1).max(20_000).optional(),
  })
  .refine((r) => r.manifest !== undefined || r.denial !== undefined, {
    error: 'give a manifest, a denial message or both',
    path: ['manifest'],
  });
export type TroubleshootRequest = z.infer<typeof troubleshootRequestSchema>;

export const ciLogRequestSchema = z.strictObject({
  /** the CI job's log text */
  log: z.string().min(1, { error: 'expected the log text' }).max(2_000_000),
  /** where it came from, e.g. "github-actions", "gitlab" */
  source: z.string().max(100).optional(),
});
export type CiLogRequest = z.infer<typeof ciLogRequestSchema>;

export interface TroubleshootBackend {
  autofix(request: AutofixRequest, requester: string): Promise<AutofixResponse>;
  troubleshoot(request: TroubleshootRequest): Promise<TroubleshootResponse>;
  ciLog(request: CiLogRequest): Promise<CiLogResponse>;
}

// ---------------------------------------------------------------------------------------------
// Calling a backend from a route
// ---------------------------------------------------------------------------------------------

export function backendOrThrow<T>(backend: T | undefined, what: string): T {
  if (!backend) throw new ApiError('not_implemented', `${what} is not available in this server: no backend is configured`);
  return backend;
}

/** Calls a backend, mapping BackendError to the API's codes. */
export async function callBackend<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BackendError) throw new ApiError(error.code, error.message, error.details);
    if (error instanceof ApiError) throw error;
    throw new ApiError('engine_unavailable', `the backend failed: ${(error as Error).message.split('\n')[0]}`);
  }
}
