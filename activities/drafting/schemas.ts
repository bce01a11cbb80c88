/**
 * The records of the drafting loop, one zod schema each: the request a user or CI sends, the
 * structured constraint the offline generator derives, the draft (Rego + tests + how it was made),
 * the validation report (what OPA said), the guardrail report, the decision signals, the status
 * of a drafting workflow (its `status` query, the CLI and the API all read this one schema) and
 * the audit record of a decision.
 */
import { z } from 'zod';
import { manifestSchema, POLICY_CATEGORIES, POLICY_ID_PATTERN, SEVERITIES } from '../../datasets/schemas';

const policyId = z
  .string()
  .regex(POLICY_ID_PATTERN, { error: 'expected a kebab-case id such as "container-no-stdin"' })
  .max(63, { error: 'expected at most 63 characters' });

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
  /** the id the published policy should get (default: derived from the intent, never an id already taken) */
  policyId: policyId.optional(),
  category: z.enum(POLICY_CATEGORIES).optional(),
  /**
   * the corpus or published policy this draft replaces (its id is kept, and publication overwrites
   * that policy's files and index line); without it a policyId already taken is refused
   */
  replaces: policyId.optional(),
  /** the largest blast radius (share of known-good fixtures or of observed workloads newly denied) the draft may have; default 0.05 */
  maxBlastRadius: z
    .number({ error: 'expected maxBlastRadius as a number, a share from 0 to 1 (0.1 = 10 %)' })
    .min(0, { error: 'expected maxBlastRadius from 0 to 1 (a share: 0.1 = 10 %)' })
    .max(1, { error: 'expected maxBlastRadius from 0 to 1 (a share: 0.1 = 10 %), e.g. 0.25 rather than 25' })
    .optional(),
});
export type DraftRequest = z.infer<typeof draftRequestSchema>;
export type DraftRequestInput = z.input<typeof draftRequestSchema>;

/** The operators of a constraint, grouped by what its `value` holds (what the written Rego compares with). */
export const OPERATORS_BY_VALUE = {
  scalar: ['equals', 'not-equals'],
  list: ['in', 'not-in'],
  pattern: ['regex', 'not-regex'],
  none: ['missing', 'present'],
  bound: ['lt', 'lte', 'gt', 'gte'],
} as const;
export type Operator = (typeof OPERATORS_BY_VALUE)[keyof typeof OPERATORS_BY_VALUE][number];
export const OPERATORS = Object.values(OPERATORS_BY_VALUE).flat() as [Operator, ...Operator[]];

const constraintValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))]);

/**
 * One field condition: the field at `path` (relative to every container, to the pod spec, or to
 * the object) satisfies `operator value`. In a path, `*` is any element of a list (conditions of
 * one rule that share a list prefix talk about the same element) and `{}` any key of a map (the
 * key is the value compared). `not-equals`, `not-in`, `not-regex` and the bounds only judge a
 * present field, unless `ifMissing` is "deny".
 */
export const conditionSchema = z.object({
  scope: z.enum(['container', 'pod', 'object']),
  path: z.array(z.string().min(1)).min(1),
  operator: z.enum(OPERATORS),
  value: constraintValueSchema.optional(),
  /** compare as Kubernetes quantities ("500m", "4Gi"); `value` is in base units (cores, bytes) */
  unit: z.literal('quantity').optional(),
  /** an absent field is a violation too ("unset counts as 1", "a missing class is denied") */
  ifMissing: z.literal('deny').optional(),
  /** container scope: the pod-spec path whose value applies when the container does not set the field */
  fallback: z.array(z.string().min(1)).optional(),
  /** container scope: only these container lists (default: every list) */
  lists: z
    .array(z.enum(['containers', 'initContainers', 'ephemeralContainers']))
    .min(1)
    .optional(),
  /** only objects of these kinds (a Job's spec.activeDeadlineSeconds, a CronJob's spec.jobTemplate.spec.activeDeadlineSeconds) */
  onlyKinds: z.array(z.string().min(1)).min(1).optional(),
});
export type Condition = z.infer<typeof conditionSchema>;

/**
 * A structured constraint: deny when its first condition (its own fields) holds — together with
 * the conditions in `also` (combine "all", the default) or as alternatives to them (combine
 * "any") — and every condition in `when` holds (the objects the rule is about: "Services of type
 * LoadBalancer", "outside the kube-system namespace").
 */
export const constraintSchema = conditionSchema.extend({
  kinds: z.array(z.string().min(1)).min(1),
  /** what is expected instead, for the denial message (e.g. "stdin must not be enabled") */
  expectation: z.string().min(3),
  /** where the constraint came from: examples diff, intent parsing, retrieved metadata */
  derivedFrom: z.array(z.string()).default([]),
  also: z.array(conditionSchema).max(2).optional(),
  combine: z.enum(['all', 'any']).optional(),
  when: z.array(conditionSchema).max(2).optional(),
});
export type Constraint = z.infer<typeof constraintSchema>;

export const provenanceSchema = z.object({
  policyId: z.string(),
  title: z.string(),
  score: z.number(),
  kinds: z.array(z.string()),
});
export type Provenance = z.infer<typeof provenanceSchema>;

/**
 * The intent and the request's examples disagree: the generator does not choose silently, it says
 * what disagrees and asks. The drafting workflow then ends the attempt as `needs-clarification`.
 */
export const clarificationSchema = z.strictObject({
  /** what disagrees, in one sentence */
  conflict: z.string().min(1),
  /** what the requester should answer (fix the intent or the examples, and send the request again) */
  question: z.string().min(1),
  /** the constraint the intent asks for, and the one the examples imply */
  fromIntent: z.string(),
  fromExamples: z.string(),
  /** the examples at odds with the intent, e.g. "examples.deny[0]" */
  examples: z.array(z.string()),
});
export type Clarification = z.infer<typeof clarificationSchema>;

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
  /** set when the intent and the examples disagree: the draft follows the intent and asks */
  clarification: clarificationSchema.optional(),
  /** the existing policy (same id) this draft replaces on publication (request.replaces) */
  replaces: policyId.optional(),
});
export type Draft = z.infer<typeof draftSchema>;

/** One resource the draft would newly deny: a known-good fixture, or a workload observed recently. */
export const blastResourceSchema = z.strictObject({
  kind: z.string(),
  namespace: z.string().nullable(),
  name: z.string().nullable(),
  /** fixture: a known-good corpus fixture; observed: a workload from the observation store */
  source: z.enum(['fixture', 'observed']),
  /** the fixture's name, or where the workload was observed ("api /v1/analyze", "import file.yaml:12") */
  ref: z.string(),
  /** the draft's first denial message for it */
  message: z.string(),
});
export type BlastResource = z.infer<typeof blastResourceSchema>;

const blastShareSchema = z.strictObject({ checked: z.int().min(0), newlyDenied: z.int().min(0), share: z.number().min(0).max(1) });

/**
 * What a draft would newly deny (activities/drafting/blast-radius.ts): its share of the known-good
 * fixtures and of the workloads observed in the recent window that nothing denied before. The
 * blast radius is the larger of the two shares; the guardrail holds a draft above `max`.
 */
export const blastRadiusSchema = z.strictObject({
  share: z.number().min(0).max(1),
  max: z.number().min(0).max(1),
  /** where `max` came from: the request's maxBlastRadius, or the default gate */
  maxFrom: z.enum(['request', 'default']),
  fixtures: blastShareSchema,
  observed: blastShareSchema.extend({
    /** the window read: since (ISO time), at most `limit` records, newest first, one per manifest digest */
    since: z.string(),
    limit: z.int().min(1),
    /** observations of the window that some policy already denied (not counted as newly denied) */
    alreadyDenied: z.int().min(0),
  }),
  /** the resources newly denied (the first RESOURCE_LIST_LIMIT of them) */
  resources: z.array(blastResourceSchema),
  /** how many more were newly denied than `resources` lists */
  moreResources: z.int().min(0),
  /** one line for lists and the approve summary, e.g. "blast radius 3.1 % (max 5 %): 4/125 fixtures, 0/40 observed" */
  summary: z.string(),
});
export type BlastRadius = z.infer<typeof blastRadiusSchema>;

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
  /** what the draft would newly deny (absent: the draft did not get as far as an evaluation, or an older report) */
  blastRadius: blastRadiusSchema.optional(),
  /** the draft's id is taken by a corpus or published policy and the request does not say it replaces it */
  idClash: z.string().optional(),
});
export type ValidationReport = z.infer<typeof validationReportSchema>;

/**
 * The predicted evaluation time of a draft that passed the guardrails (activities/drafting/
 * latency-budget.ts): the latency champion at realistic input sizes (p50/p95 of observed manifests
 * of the draft's kinds), against the budget PAC_LATENCY_BUDGET_MS. A warning, never a failed gate.
 */
export const latencyPredictionSchema = z.object({
  /** the latency champion's registered version; null: no prediction (see note) */
  modelVersion: z.string().nullable(),
  kinds: z.array(z.string()),
  /** input sizes in items (containers, rules, ports …) and where they came from */
  sizes: z.object({ p50: z.number(), p95: z.number(), manifests: z.int(), from: z.enum(['observations', 'simulated']) }),
  inventoryObjects: z.int(),
  predictedMs: z.object({ p50: z.number(), p95: z.number() }).nullable(),
  budgetMs: z.number(),
  overBudget: z.boolean(),
  note: z.string(),
  /** the same in Markdown, as the workflow's current details in the Temporal UI */
  details: z.string(),
});
export type LatencyPrediction = z.infer<typeof latencyPredictionSchema>;

export const guardrailReportSchema = z.object({
  passed: z.boolean(),
  gates: z.array(z.object({ gate: z.string(), passed: z.boolean(), detail: z.string() })),
  failures: z.array(z.string()),
  /** the predicted evaluation time (drafts that passed the gates) */
  latency: latencyPredictionSchema.optional(),
  /** the constraint of a failed draft, so the next attempt does not derive it again */
  rejectedConstraint: z.string().optional(),
  /**
   * what the reviewer weighs, in Markdown (drafts that passed): the replacement, the blast radius
   * with the resources, the predicted latency — the workflow's current details in the Temporal UI
   */
  review: z.string().optional(),
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

/** How a drafting workflow ends. */
export const DRAFT_OUTCOMES = ['published', 'rejected', 'expired', 'failed', 'needs-clarification'] as const;
export type DraftOutcome = (typeof DRAFT_OUTCOMES)[number];

/** Where a drafting workflow is: its steps in order, then its outcome. */
export const draftPhaseSchema = z.enum([
  'retrieving',
  'generating',
  'testing',
  'guardrails',
  'awaiting-approval',
  'publishing',
  ...DRAFT_OUTCOMES,
]);
export type DraftPhase = z.infer<typeof draftPhaseSchema>;

/** One generate → test → guardrail round. */
export const draftAttemptSchema = z.strictObject({
  attempt: z.int().min(1),
  draft: draftSchema,
  report: validationReportSchema,
  guardrails: guardrailReportSchema,
});
export type DraftAttempt = z.infer<typeof draftAttemptSchema>;

/** The answer of the drafting workflow's `status` query, shown by `pac drafts <id>` and GET /v1/drafts/:id. */
export const draftStatusSchema = z.strictObject({
  draftId: z.string(),
  phase: draftPhaseSchema,
  request: draftRequestSchema,
  provenance: z.array(provenanceSchema),
  attempts: z.array(draftAttemptSchema),
  /** the draft waiting for (or given) a decision: the last one that passed the guardrails */
  draft: draftSchema.optional(),
  report: validationReportSchema.optional(),
  guardrails: guardrailReportSchema.optional(),
  decision: z.strictObject({ kind: z.enum(['approve', 'reject', 'expire']), reviewer: z.string(), text: z.string() }).optional(),
  /** signals that were refused (wrong phase, missing reviewer …), with why */
  refusedSignals: z.array(z.string()),
  reasons: z.array(z.string()),
  /** the conflict between intent and examples, and the question (outcome needs-clarification) */
  clarification: clarificationSchema.optional(),
  publication: z.strictObject({ location: z.string(), files: z.array(z.string()), commit: z.string().optional() }).optional(),
  retrain: z.strictObject({ workflowId: z.string(), joined: z.boolean() }).optional(),
  auditFile: z.string().optional(),
  mlflowRunId: z.string().optional(),
  /** workflow time (ms since epoch) when it started waiting, and its deadline */
  awaitingSince: z.number().optional(),
  expiresAt: z.number().optional(),
});
export type DraftStatus = z.infer<typeof draftStatusSchema>;

/** One line of the audit log (<publish dir>/audit.jsonl). policyId and policyDigest are "" when no draft was made. */
export const auditRecordSchema = z.object({
  at: z.iso.datetime(),
  draftId: z.string(),
  workflowId: z.string(),
  policyId: policyId.or(z.literal('')),
  /** refused: a decision refused (reviewer not allowed, four-eyes); publish-failed: one failed try to publish */
  decision: z.enum(['approved', 'rejected', 'expired', 'failed', 'needs-clarification', 'refused', 'publish-failed']),
  actor: z.string(),
  reason: z.string(),
  requester: draftRequestSchema.shape.requester,
  intent: draftRequestSchema.shape.intent,
  /** sha256 of the policy and its tests (publish.ts policyDigest) */
  policyDigest: z.union([z.literal(''), z.string().regex(/^[0-9a-f]{64}$/)]),
  publishedTo: z.string().optional(),
  mlflowRunId: z.string().optional(),
  /** the workflow execution (run id) that recorded it: a re-run draft (same draft id) is audited again */
  runId: z.string().optional(),
  /** idempotency key (workflow id / run id / event): a retried activity never writes the same line twice */
  key: z.string().optional(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;
