/**
 * The responses of POST /v1/troubleshoot, /v1/autofix and /v1/ci-log: the troubleshooting
 * activities' results (activities/troubleshooting, typed there as interfaces) as zod schemas,
 * built on the zod schemas that exist (JSON Patch operations, failure classes, fix decisions, the
 * CI-log analysis). The route handlers return the activities' values, so the compiler checks that
 * these shapes accept them; the serializer checks every response against them.
 */
import { z } from 'zod';
import { ciLogAnalysisSchema } from '../activities/troubleshooting/cilog';
import { FAILURE_CLASSES } from '../activities/troubleshooting/classify';
import { jsonPatchSchema } from '../activities/troubleshooting/patch';
import { failureRecordSchema } from '../datasets/schemas';

const policies = z.array(z.string());

/** FailureClassification (classify.ts): the class of a failure text and how it was decided. */
const classificationSchema = z.object({
  label: z.enum(FAILURE_CLASSES),
  by: z.enum(['rule', 'model']),
  rule: z.string().optional(),
  confidence: z.number(),
  probabilities: z.record(z.string(), z.number()),
});

/** Diagnosis (index.ts): every corpus policy that denies the manifest (id → messages), the one worked on, the class. */
const diagnosisSchema = z.object({
  resource: z.string(),
  denials: z.record(z.string(), z.array(z.string())),
  policy: z.string().optional(),
  text: z.string(),
  classification: classificationSchema,
});

const sizeSchema = z.object({ nodes: z.int(), bytes: z.int() });

/** MinimiseResult (minimise.ts) of one policy: the smallest manifest the policy still denies. */
const counterexampleSchema = z.object({
  /** a part of the user's manifest: any Kubernetes object shape */
  minimal: z.unknown(),
  before: sizeSchema,
  after: sizeSchema,
  ratio: z.number(),
  rounds: z.int(),
  evaluations: z.int(),
  batches: z.int(),
  policy: z.string(),
});

const verificationSchema = z.object({ targetAllows: z.boolean(), newDenials: policies, remainingDenials: policies });

/** VerifiedFix (recommend.ts). The patch values are parts of the user's manifest (jsonPatchSchema: `value` unknown). */
const verifiedFixSchema = z.object({
  patch: jsonPatchSchema,
  description: z.array(z.string()),
  candidateIds: z.array(z.string()),
  placeholders: z.array(z.string()),
  size: z.number(),
  verification: verificationSchema,
});

/** PolicyChange (recommend.ts): a parameter to deploy or an exemption to add to the policy. */
const policyChangeSchema = z.object({
  kind: z.enum(['parameter', 'exemption']),
  policy: z.string(),
  /** data.kpc.params: policy id → parameter → value; the values are taken from the user's manifest */
  params: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  rego: z.string().optional(),
  description: z.string(),
  reason: z.string(),
  verified: z.boolean(),
});

/** Recommendation (recommend.ts). */
const recommendationSchema = z.object({
  policy: z.string(),
  strategy: z.object({
    decision: failureRecordSchema.shape.decision,
    probability: z.number(),
    reason: z.string(),
    /** the registry's fix champion (its version), or the fp_score rule with why (no champion, MLflow down) */
    model: z.object({ source: z.enum(['champion', 'rule']), version: z.string().optional(), note: z.string().optional() }),
  }),
  fixes: z.array(verifiedFixSchema),
  policyChanges: z.array(policyChangeSchema),
  denialsBefore: policies,
  searched: z.object({ levels: z.int(), candidates: z.int(), batches: z.int(), guidedBy: z.array(z.string()) }),
});

/** TroubleshootResult (index.ts) of one object of the request, with the line its document starts on. */
const troubleshootResultSchema = z.object({
  line: z.int(),
  resource: z.string(),
  diagnosis: diagnosisSchema,
  counterexample: counterexampleSchema.optional(),
  recommendation: recommendationSchema.optional(),
  verification: verificationSchema.optional(),
});

/** A manifest: one result per object. A denial text alone: its classification. */
export const troubleshootResponseSchema = z.union([
  z.object({ results: z.array(troubleshootResultSchema) }),
  z.object({ classification: classificationSchema }),
]);
export type TroubleshootResponse = z.infer<typeof troubleshootResponseSchema>;

/** AutofixEntry (autofix.ts): what was fixed in one object, and what was not. */
const autofixEntrySchema = z.object({
  line: z.int(),
  resource: z.string(),
  deniedBefore: policies,
  applied: z.array(z.object({ policy: z.string(), fix: verifiedFixSchema })),
  unresolved: z.array(z.object({ policy: z.string(), reason: z.string(), suggestion: verifiedFixSchema.optional() })),
  deniedAfter: policies,
});

export const autofixResponseSchema = z.object({
  changed: z.boolean(),
  /** the request's YAML with the fixes applied (comments and key order kept) */
  manifest: z.string(),
  resources: z.array(autofixEntrySchema),
});
export type AutofixResponse = z.infer<typeof autofixResponseSchema>;

export const ciLogResponseSchema = ciLogAnalysisSchema;
export type CiLogResponse = z.infer<typeof ciLogResponseSchema>;
