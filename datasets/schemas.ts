/**
 * zod schemas of the records in datasets/: one schema per record; types are z.infer of them.
 */
import { z } from 'zod';

/** Pod Security Standards controls (https://kubernetes.io/docs/concepts/security/pod-security-standards/), by level. */
export const PSS_CONTROLS = {
  baseline: [
    'baseline.host-process',
    'baseline.host-namespaces',
    'baseline.privileged',
    'baseline.capabilities',
    'baseline.hostpath-volumes',
    'baseline.host-ports',
    'baseline.apparmor',
    'baseline.selinux',
    'baseline.proc-mount',
    'baseline.seccomp',
    'baseline.sysctls',
  ],
  restricted: [
    'restricted.volume-types',
    'restricted.privilege-escalation',
    'restricted.running-as-non-root',
    'restricted.running-as-non-root-user',
    'restricted.seccomp',
    'restricted.capabilities',
  ],
} as const;

export const pssControlSchema = z.enum([...PSS_CONTROLS.baseline, ...PSS_CONTROLS.restricted]);
export type PssControl = z.infer<typeof pssControlSchema>;

/**
 * Every policy category with the failure type its denials are logged as (failure log, fix
 * classifier). The category list and the failure-type list are both read from this one table.
 */
const FAILURE_TYPE_BY_CATEGORY = {
  'pod-security': 'security_violation',
  images: 'supply_chain',
  resources: 'resource_hygiene',
  probes: 'reliability',
  'service-accounts': 'access_control',
  rbac: 'access_control',
  networking: 'network_exposure',
  metadata: 'governance',
  availability: 'reliability',
  'api-versions': 'deprecated_api',
  secrets: 'secret_exposure',
  namespaces: 'governance',
} as const;
export type PolicyCategory = keyof typeof FAILURE_TYPE_BY_CATEGORY;
export type FailureType = (typeof FAILURE_TYPE_BY_CATEGORY)[PolicyCategory];

export const POLICY_CATEGORIES = Object.keys(FAILURE_TYPE_BY_CATEGORY) as [PolicyCategory, ...PolicyCategory[]];

/** What kind of problem a denial reports, in the order of first appearance in the table. */
export const FAILURE_TYPES = [...new Set(Object.values(FAILURE_TYPE_BY_CATEGORY))] as [FailureType, ...FailureType[]];

/** The failure type a denial of a policy of this category is logged as. */
export const FAILURE_TYPE_OF_CATEGORY: Readonly<Record<PolicyCategory, FailureType>> = FAILURE_TYPE_BY_CATEGORY;

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'] as const;

/** A policy id: kebab-case, e.g. pss-privileged. */
export const POLICY_ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** One line of datasets/policies/index.jsonl. */
export const policyMetaSchema = z
  .object({
    id: z.string().regex(POLICY_ID_PATTERN, { error: 'expected a kebab-case id such as "pss-privileged"' }),
    /** Rego package: kpc.policies.<id with "-" as "_"> */
    package: z.string(),
    title: z.string().min(5),
    description: z.string().min(20),
    kinds: z.array(z.string().min(1)).min(1),
    severity: z.enum(SEVERITIES),
    category: z.enum(POLICY_CATEGORIES),
    pss: z.array(pssControlSchema).default([]),
    cis: z.array(z.string().regex(/^\d+(\.\d+)+$/, { error: 'expected a CIS Kubernetes Benchmark id such as "5.2.2"' })).default([]),
    /** manifest features the policy looks at (names of the feature extractor's columns) */
    features: z.array(z.string().min(1)).min(1),
    /** prior belief that a denial is a true problem (0-1): how rarely the rule misfires */
    reliability: z.number().min(0).max(1),
    parameters: z.array(z.object({ name: z.string(), description: z.string(), default: z.unknown() })).default([]),
    /** the denial message, with <placeholders> for what varies */
    message: z.string().min(10),
    /** the policy reads data.inventory (other objects of the cluster) */
    usesInventory: z.boolean().default(false),
  })
  .superRefine((meta, ctx) => {
    const expected = `kpc.policies.${meta.id.replaceAll('-', '_')}`;
    if (meta.package !== expected) {
      ctx.addIssue({ code: 'custom', path: ['package'], message: `expected package "${expected}" for id "${meta.id}"` });
    }
  });
export type PolicyMeta = z.infer<typeof policyMetaSchema>;

/** datasets/fixtures/negative/<name>.expected.json: the exact set of policies that deny <name>.yaml. */
export const fixtureExpectationSchema = z.object({
  deny: z.array(z.string().regex(POLICY_ID_PATTERN)).min(1),
  /** what is wrong with the manifest, in a sentence */
  why: z.string().min(5),
});
export type FixtureExpectation = z.infer<typeof fixtureExpectationSchema>;

/** A Kubernetes object as the fixtures and the generator hold it (validated loosely: real manifests vary). */
export const manifestSchema = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z.object({ name: z.string().min(1) }).loose(),
  })
  .loose();
export type Manifest = z.infer<typeof manifestSchema>;

/** One row of a generated, labelled manifest dataset (datasets/generated/*.jsonl). */
export const labelledManifestSchema = z.object({
  /** gen-<seed>-<index> */
  id: z.string().regex(/^gen-\d+-\d+$/),
  kind: z.string().min(1),
  manifest: manifestSchema,
  /** ids of the corpus policies that deny the manifest (sorted); empty when none does */
  deny: z.array(z.string()),
});
export type LabelledManifest = z.infer<typeof labelledManifestSchema>;

/** datasets/generated/<name>.meta.json: how a generated dataset was made, and its content digest. */
export const generatedDatasetMetaSchema = z.object({
  name: z.string(),
  seed: z.number().int(),
  count: z.number().int().positive(),
  /** sha256 of the .jsonl file's bytes */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  /** sha256 over the corpus Rego files and the inventory the labels were computed with */
  corpusDigest: z.string().regex(/^[0-9a-f]{64}$/),
  opaVersion: z.string(),
  policies: z.number().int().positive(),
  labelsPerPolicy: z.record(z.string(), z.number().int().nonnegative()),
  deniedRows: z.number().int().nonnegative(),
  labelSeconds: z.number().nonnegative(),
});
export type GeneratedDatasetMeta = z.infer<typeof generatedDatasetMetaSchema>;

/** One line of datasets/latency/latency.jsonl: a policy's evaluation time on one input size. */
export const latencyMeasurementSchema = z.object({
  policy: z.string(),
  /** the kind of the input */
  kind: z.string(),
  /** containers (workloads), rules, subjects, ports, hosts or keys in the input */
  items: z.number().int().positive(),
  /** objects in data.inventory (0 for policies that do not read it) */
  inventoryObjects: z.number().int().nonnegative(),
  inputBytes: z.number().int().positive(),
  iterations: z.number().int().positive(),
  nsPerOp: z.number().nonnegative(),
  p50Ns: z.number().nonnegative().optional(),
  p99Ns: z.number().nonnegative().optional(),
  allocsPerOp: z.number().nonnegative(),
  bytesPerOp: z.number().nonnegative(),
  opaVersion: z.string(),
  machine: z.object({ cpuModel: z.string(), cpus: z.number().int().positive(), os: z.string(), node: z.string() }),
  measuredAt: z.iso.datetime(),
});
export type LatencyMeasurement = z.infer<typeof latencyMeasurementSchema>;

/** One line of datasets/failures/failure_log.jsonl: a policy denial and what was done about it. */
export const failureRecordSchema = z.object({
  /** fail-<seed>-<n> for bootstrap rows; any unique id for feedback the product appends */
  id: z.string().min(1),
  time: z.iso.datetime(),
  policy: z.string().regex(POLICY_ID_PATTERN),
  /** "<Kind> <namespace>/<name>" (or "<Kind> <name>" for cluster-scoped objects) */
  resource: z.string().min(3),
  failure_type: z.enum(FAILURE_TYPES),
  /** the denial message OPA returned */
  message: z.string().min(10),
  severity: z.enum(SEVERITIES),
  /** earlier fixes of this policy's denials on the same app that developers reverted */
  developer_revert_history: z.number().int().nonnegative(),
  /** how often the policy denies manifests reviewers accept (0-1; see datasets/README.md) */
  fp_score: z.number().min(0).max(1),
  /** the policy's reliability prior from index.jsonl */
  policy_reliability: z.number().min(0).max(1),
  /** how many other corpus policies deny the same resource */
  co_denials: z.number().int().nonnegative(),
  decision: z.enum(['manifest_patch', 'policy_change']),
  /** whether the decision was accepted by the reviewer */
  accepted: z.boolean(),
  /** bootstrap: produced by tools/generate-failures.ts; feedback: appended by the product */
  source: z.enum(['bootstrap', 'feedback']),
});
export type FailureRecord = z.infer<typeof failureRecordSchema>;

/** One line of datasets/failures/fp_scores.jsonl: the measurement behind a policy's fp_score. */
export const fpMeasurementSchema = z.object({
  policy: z.string(),
  /** acceptable variants of positive fixtures the policy denies (cases) */
  benignDenied: z.number().int().nonnegative(),
  /** sum over the acceptable variants of the share of their cases the policy denies (0 to the number of variants) */
  benignWeight: z.number().nonnegative(),
  /** negative fixtures (known bad) the policy denies */
  negativeDenied: z.number().int().nonnegative(),
  /** benign variant ids that the policy denies */
  benignVariants: z.array(z.string()),
  fp_score: z.number().min(0).max(1),
});
export type FpMeasurement = z.infer<typeof fpMeasurementSchema>;

/** The YAML front matter of a knowledge-base document (datasets/kb/<id>.md). */
export const kbFrontMatterSchema = z.object({
  /** equals the file name without .md */
  id: z.string().regex(POLICY_ID_PATTERN, { error: 'expected a kebab-case id equal to the file name' }),
  title: z.string().min(5),
  topics: z.array(z.string().min(1)).min(1),
  updated: z.union([z.iso.date(), z.date().transform((d) => d.toISOString().slice(0, 10))]),
});
export type KbFrontMatter = z.infer<typeof kbFrontMatterSchema>;

/**
 * One question of the document Q&A evaluation set (datasets/kb-eval/questions.jsonl). Answerable
 * questions name the knowledge-base document and an exact passage of it (compared without
 * Markdown emphasis and with whitespace collapsed) that answers them, and a reference answer;
 * unanswerable ones (answerable: false) must be refused.
 */
export const kbEvalQuestionSchema = z.discriminatedUnion('answerable', [
  z.object({
    id: z.string().regex(/^q\d{2,3}$/),
    question: z.string().min(10),
    answerable: z.literal(true).default(true),
    source: z.string().regex(POLICY_ID_PATTERN),
    passage: z.string().min(10),
    answer: z.string().min(2),
    /** a rewording that should hit the semantic cache */
    paraphrase: z.string().min(10).optional(),
  }),
  z.object({ id: z.string().regex(/^u\d{2,3}$/), question: z.string().min(10), answerable: z.literal(false) }),
]);
export type KbEvalQuestion = z.infer<typeof kbEvalQuestionSchema>;
