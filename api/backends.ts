/**
 * The seams for the routes whose engines are built elsewhere: the drafting workflow (issue 5)
 * and troubleshooting / autofix / CI-log analysis (issue 6). The API owns the HTTP side — auth,
 * request and response schemas, error mapping, metrics — and calls a backend through these
 * interfaces. When `buildApp` gets no backend, the routes answer 501 `not_implemented`.
 *
 * A backend signals a problem with the caller's request by throwing BackendError with one of the
 * API's stable codes (not_found, conflict, invalid_request, unprocessable, engine_unavailable).
 */
import { z } from 'zod';
import { draftRequestSchema } from '../activities/drafting/schemas';
import type { ErrorCode } from './errors';

export class BackendError extends Error {
  constructor(
    readonly code: Extract<ErrorCode, 'not_found' | 'conflict' | 'invalid_request' | 'unprocessable' | 'engine_unavailable'>,
    message: string,
    readonly details?: unknown,
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

export const draftStatusSchema = z.object({
  id: z.string(),
  /** e.g. generating, testing, awaiting_approval, approved, rejected, expired, published, failed */
  state: z.string(),
  /** everything else the drafting workflow reports (step, attempts, test results, policy text …) */
  detail: z.record(z.string(), z.unknown()).default({}),
});
export type DraftStatus = z.infer<typeof draftStatusSchema>;

export const approveRequestSchema = z.strictObject({ comment: z.string().max(2000).optional() });
export const rejectRequestSchema = z.strictObject({
  reason: z.string().trim().min(3, { error: 'give a reason (at least 3 characters)' }).max(2000),
});

export interface DraftsBackend {
  /** starts a drafting workflow; returns its id and first state */
  propose(request: ProposeRequest, requester: string): Promise<DraftStatus>;
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

/** What a troubleshooting backend returns: free-form findings, validated as an object. */
export const troubleshootResultSchema = z.record(z.string(), z.unknown());
export type TroubleshootResult = z.infer<typeof troubleshootResultSchema>;

export interface TroubleshootBackend {
  autofix(request: AutofixRequest, requester: string): Promise<TroubleshootResult>;
  troubleshoot(request: TroubleshootRequest): Promise<TroubleshootResult>;
  ciLog(request: CiLogRequest): Promise<TroubleshootResult>;
}
