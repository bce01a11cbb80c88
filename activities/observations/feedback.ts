/**
 * Explicit feedback on a suggested fix, as `pac feedback` and POST /v1/feedback take it: the input
 * is validated (the policy must be one the platform evaluates: the corpus or a published draft),
 * then written to the observation store at once (recordFeedback). And the policy facts the fix
 * labels need (feedback-labels.ts): every known policy's metadata and its measured fp_score.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadPolicyIndex, readJsonl } from '../../datasets/load';
import { FP_SCORES_FILE } from '../../datasets/paths';
import { fpMeasurementSchema, type PolicyMeta, policyMetaSchema } from '../../datasets/schemas';
import type { PolicyFacts } from './feedback-labels';
import type { ObservationsConfig } from './record';
import { recordFeedback } from './record';
import { FEEDBACK_OUTCOMES, type Feedback, feedbackSchema } from './schemas';

/** The input is wrong (unknown policy, bad field): the message names the field. */
export class FeedbackInputError extends Error {
  override name = 'FeedbackInputError';
}

/** Where published drafts live (dir mode), as far as the feedback needs to know. */
export interface FeedbackConfig extends ObservationsConfig {
  drafting: { publish: { mode: string; dir: string } };
}

/** The corpus policies plus the published ones (dir mode; a published id replaces the corpus entry). */
export function knownPolicies(config: Pick<FeedbackConfig, 'drafting'>): Map<string, PolicyMeta> {
  const out = new Map(loadPolicyIndex().map((meta) => [meta.id, meta]));
  const published = join(config.drafting.publish.dir, 'policies', 'index.jsonl');
  if (config.drafting.publish.mode === 'dir' && existsSync(published))
    for (const meta of readJsonl(published, policyMetaSchema)) out.set(meta.id, meta);
  return out;
}

/** Metadata and fp_score of every known policy. */
export function policyFacts(config: Pick<FeedbackConfig, 'drafting'>): PolicyFacts {
  return {
    meta: knownPolicies(config),
    fp: new Map(readJsonl(FP_SCORES_FILE, fpMeasurementSchema).map((m) => [m.policy, m.fp_score])),
  };
}

/** What a person reports (the CLI's flags, the API's body). */
export const feedbackRequestSchema = z.strictObject({
  policy: feedbackSchema.shape.policy,
  outcome: z.enum(FEEDBACK_OUTCOMES, { error: `expected one of ${FEEDBACK_OUTCOMES.join(', ')}` }),
  apiVersion: z.string().max(253).default(''),
  kind: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,62}$/, { error: 'expected a Kubernetes kind such as Deployment' }),
  namespace: z.string().min(1).max(253).nullable().optional(),
  name: z.string().min(1, { error: 'expected the object name' }).max(253),
  /** the strategy that was suggested: manifest_patch (default for accepted/reverted) or policy_change */
  strategy: z.enum(['manifest_patch', 'policy_change']).nullable().optional(),
  manifestDigest: feedbackSchema.shape.manifestDigest.optional(),
  fixDigest: feedbackSchema.shape.fixDigest.optional(),
  note: feedbackSchema.shape.note.optional(),
});
export type FeedbackRequest = z.input<typeof feedbackRequestSchema>;

/** Validates a feedback request and records it; `who` is the caller's identity (token name, OS user). */
export function submitFeedback(config: FeedbackConfig, request: FeedbackRequest, source: Feedback['source'], who: string): Feedback {
  const parsed = feedbackRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FeedbackInputError(`${issue?.path.join('.') || 'feedback'}: ${issue?.message ?? 'invalid'}`);
  }
  const body = parsed.data;
  if (!knownPolicies(config).has(body.policy))
    throw new FeedbackInputError(`policy: unknown policy "${body.policy}" (not in the corpus index nor among the published policies)`);
  return recordFeedback(config, { ...body, source, who });
}
