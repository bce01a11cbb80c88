/**
 * The records of the drafting loop, one zod schema each: the request a user or CI sends, the
 * structured constraint the offline generator derives, the draft (Rego + tests + how it was made),
 * the validation report (what OPA said), the guardrail report, the decision signals and the audit
 * record of a decision.
 */
import { z } from 'zod';
import { manifestSchema, POLICY_CATEGORIES } from '../../datasets/schemas';

const policyId = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { error: 'expected a kebab-case id such as "container-no-stdin"' })
  .max(63, { error: 'expected at most 63 characters' });

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** What a platform engineer (or a CI job) asks for. */
export const draftRequestSchema = z.strictObject({
  /** the policy wanted, in plain language */
  intent: z
    .string({ error: 'expected the intent as a string' })
    .trim()
    .min(10, { error: 'expected the intent in a sentence (at least 10 characters)' })
    .max(2000),
  /** manifests the new policy must deny, and manifests it must allow */
  examples: z
    .strictObject({
      deny: z.array(manifestSchema).default([]),
      allow: z.array(manifestSchema).default([]),
    })
    .default({ deny: [], allow: [] }),
  /** Kubernetes kinds the policy applies to (default: from the examples, the intent or the retrieved policies) */
  kinds: z.array(z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: 'expected a Kubernetes kind such as "Deployment"' })).optional(),
  severity: z.enum(SEVERITIES).default('medium'),
  /** who asked: a person or a CI job (e.g. "ci:github/org/repo#42") */
  requester: z.string().trim().min(1, { error: 'expected who is asking (a name or a CI job id)' }).max(200),
  /** the id the published policy should get (default: derived from the intent) */
  policyId: policyId.optional(),
  category: z.enum(POLICY_CATEGORIES).optional(),
});
export type DraftRequest = z.infer<typeof draftRequestSchema>;
export type DraftRequestInput = z.input<typeof draftRequestSchema>;

export const OPERATORS = [
  'equals',
  'not-equals',
  'in',
  'not-in',
  'regex',
  'not-regex',
  'missing',
  'present',
  'lt',
  'lte',
  'gt',
  'gte',
] as const;
export type Operator = (typeof OPERATORS)[number];

/**
 * A structured constraint: deny when the field at `path` (relative to every container, to the pod
 * spec, or to the object) satisfies `operator value`. `*` in the path means any element of a list.
 * `not-equals`, `not-in` and `not-regex` only deny a field that is present.
 */
export const constraintSchema = z.object({
  kinds: z.array(z.string().min(1)).min(1),
  scope: z.enum(['container', 'pod', 'object']),
  path: z.array(z.string().min(1)).min(1),
  operator: z.enum(OPERATORS),
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))]).optional(),
  /** what is expected instead, for the denial message (e.g. "stdin must not be enabled") */
  expectation: z.string().min(3),
  /** where the constraint came from: examples diff, intent parsing, retrieved metadata */
  derivedFrom: z.array(z.string()).default([]),
});
export type Constraint = z.infer<typeof constraintSchema>;

export const provenanceSchema = z.object({
  policyId: z.string(),
  title: z.string(),
  score: z.number(),
  kinds: z.array(z.string()),
});
export type Provenance = z.infer<typeof provenanceSchema>;

export const draftSchema = z.object({
  policyId,
  packageName: z.string(),
  title: z.string(),
  description: z.string(),
  kinds: z.array(z.string()).min(1),
  severity: z.enum(SEVERITIES),
  category: z.enum(POLICY_CATEGORIES),
  message: z.string(),
  policy: z.string().min(1),
  tests: z.string().min(1),
  /** offline generator or the LLM provider (with its model) */
  generator: z.string(),
  /** the prompt template version used (LLM) */
  promptVersion: z.string().optional(),
  constraint: constraintSchema.optional(),
  attempt: z.number().int().min(1),
});
export type Draft = z.infer<typeof draftSchema>;

export const validationReportSchema = z.object({
  parses: z.boolean(),
  checkErrors: z.array(z.string()),
  tests: z.object({
    total: z.number().int(),
    passed: z.number().int(),
    failed: z.array(z.string()),
    allowTests: z.number().int(),
    denyTests: z.number().int(),
  }),
  coverage: z.number().nullable(),
  /** positive (known-good) fixtures denied by the draft */
  falsePositives: z.array(z.string()),
  positivesChecked: z.number().int(),
  /** must-deny examples (by index) the draft allows */
  missedDenyExamples: z.array(z.number().int()),
  /** must-allow examples (by index) the draft denies */
  deniedAllowExamples: z.array(z.number().int()),
  /** negative fixtures of the retrieved policies that the draft also denies */
  relevantNegatives: z.object({ checked: z.number().int(), denied: z.number().int() }),
  /** a denial without a non-empty message string */
  emptyMessages: z.number().int(),
  /** built-ins called, e.g. "sprintf", "http.send" */
  builtins: z.array(z.string()),
  packageName: z.string().nullable(),
  /** corpus policies that deny exactly the same fixtures (behavioural duplicates) */
  duplicates: z.array(z.string()),
  seconds: z.number(),
});
export type ValidationReport = z.infer<typeof validationReportSchema>;

export const guardrailReportSchema = z.object({
  passed: z.boolean(),
  gates: z.array(z.object({ gate: z.string(), passed: z.boolean(), detail: z.string() })),
  failures: z.array(z.string()),
});
export type GuardrailReport = z.infer<typeof guardrailReportSchema>;

export const approveSignalSchema = z.strictObject({
  reviewer: z.string().trim().min(1, { error: 'expected the reviewer' }),
  comment: z.string().default(''),
});
export type ApproveSignal = z.input<typeof approveSignalSchema>;

export const rejectSignalSchema = z.strictObject({
  reviewer: z.string().trim().min(1, { error: 'expected the reviewer' }),
  reason: z.string().trim().min(1, { error: 'expected the reason for the rejection' }),
});
export type RejectSignal = z.input<typeof rejectSignalSchema>;

/** One line of the audit log (<publish dir>/audit.jsonl). */
export const auditRecordSchema = z.object({
  at: z.string(),
  draftId: z.string(),
  workflowId: z.string(),
  policyId: z.string(),
  decision: z.enum(['approved', 'rejected', 'expired', 'failed']),
  actor: z.string(),
  reason: z.string(),
  requester: z.string(),
  intent: z.string(),
  policyDigest: z.string(),
  publishedTo: z.string().optional(),
  mlflowRunId: z.string().optional(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;
