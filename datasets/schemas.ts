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
    'baseline.host-probes',
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

/**
 * Named bundles of policies (a policy lists its bundles in its policy.yaml; `all` holds every
 * policy and is never listed). `pac analyze --bundle` selects one; the default is DEFAULT_BUNDLES.
 */
export const BUNDLE_DESCRIPTIONS = {
  'pss-baseline':
    'Pod Security Standards Baseline: the controls that stop known privilege escalations (privileged, host namespaces, host ports, hostPath, capabilities beyond the default set, AppArmor, SELinux, /proc mount, seccomp Unconfined, unsafe sysctls, Windows HostProcess, probes and lifecycle hooks that set a host)',
  'pss-restricted':
    'Pod Security Standards Restricted: Baseline plus the hardening controls (run as non-root, no privilege escalation, drop ALL capabilities, seccomp RuntimeDefault or Localhost, restricted volume types)',
  rbac: 'RBAC: Roles and bindings that grant cluster-admin, wildcards, secret reads, escalate/bind/impersonate, pods/exec, nodes/proxy, PersistentVolume creation, webhook writes, pod creation, CSR approval, services/status writes (CVE-2020-8554) or aggregated Endpoints writes (CVE-2021-25740), or bind system:masters, a default service account or anonymous users',
  'best-practices':
    'Everything else: images (tags, digests, registries), resources, probes, metadata, namespaces, replicas, autoscalers, spreading, rollout strategies, priority classes and disruption budgets, storage classes, Services, Ingresses (NGINX snippets, unique host/paths), NetworkPolicies, Jobs, ConfigMaps, secrets in env, service accounts, references to missing objects, removed APIs',
  all: 'Every policy of the corpus',
} as const;
export type BundleName = keyof typeof BUNDLE_DESCRIPTIONS;
export const BUNDLE_NAMES = Object.keys(BUNDLE_DESCRIPTIONS) as [BundleName, ...BundleName[]];
/** The bundles `pac analyze` uses when none is named. */
export const DEFAULT_BUNDLES: readonly BundleName[] = ['pss-baseline', 'rbac'];
/** The bundles a policy may list (`all` is implicit). */
export const listedBundleSchema = z.enum(['pss-baseline', 'pss-restricted', 'rbac', 'best-practices']);

/** A parameter name: snake_case, as the policies read it with k8s.param(policy, "<name>", default). */
export const PARAMETER_NAME_PATTERN = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/**
 * The JSON schema of a policy's parameters (the value of data.kpc.params.<policy id>): an object
 * with one property per parameter, each with a description and the default the Rego uses.
 * Parameters are optional (no `required`), and no other key is accepted.
 */
export const parameterSchemaSchema = z
  .object({
    type: z.literal('object'),
    additionalProperties: z.literal(false),
    properties: z.record(
      z.string().regex(PARAMETER_NAME_PATTERN, { error: 'expected a snake_case parameter name' }),
      z
        .object({ description: z.string().min(10) })
        .loose()
        .refine((p) => 'default' in p, { error: 'a parameter needs a default (the value the Rego uses when none is set)' }),
    ),
  })
  .strict();
export type ParameterSchema = z.infer<typeof parameterSchemaSchema>;

const policyFields = {
  id: z.string().regex(POLICY_ID_PATTERN, { error: 'expected a kebab-case id such as "pss-privileged"' }),
  title: z.string().min(5),
  description: z.string().min(20),
  kinds: z.array(z.string().min(1)).min(1),
  severity: z.enum(SEVERITIES),
  category: z.enum(POLICY_CATEGORIES),
  /** the named bundles the policy belongs to (besides `all`) */
  bundles: z.array(listedBundleSchema).min(1),
  pss: z.array(pssControlSchema).default([]),
  cis: z.array(z.string().regex(/^\d+(\.\d+)+$/, { error: 'expected a CIS Kubernetes Benchmark id such as "5.2.2"' })).default([]),
  /** manifest features the policy looks at (names of the feature extractor's columns) */
  features: z.array(z.string().min(1)).min(1),
  /** prior belief that a denial is a true problem (0-1): how rarely the rule misfires */
  reliability: z.number().min(0).max(1),
  /** the policy reads data.inventory (other objects of the cluster) */
  usesInventory: z.boolean().default(false),
  /** the denial message, with <placeholders> for what varies */
  message: z.string().min(10),
};

/** datasets/policies/<id>/policy.yaml: the one source of a policy's metadata. */
export const policyFileSchema = z
  .object({
    ...policyFields,
    /** JSON schema of data.kpc.params.<id>; absent when the policy has no parameters */
    parameters: parameterSchemaSchema.optional(),
  })
  .strict();
export type PolicyFile = z.infer<typeof policyFileSchema>;

/** One line of datasets/policies/index.jsonl (generated from the policy.yaml files by tools/generate-policy-index.ts). */
export const policyMetaSchema = z
  .object({
    ...policyFields,
    /** Rego package: kpc.policies.<id with "-" as "_"> */
    package: z.string(),
    /** the parameters as a list (name, description, default), read from parameterSchema */
    parameters: z.array(z.object({ name: z.string(), description: z.string(), default: z.unknown() })).default([]),
    /** JSON schema of data.kpc.params.<id> (see parameterSchemaSchema) */
    parameterSchema: parameterSchemaSchema.optional(),
  })
  .superRefine((meta, ctx) => {
    const expected = `kpc.policies.${meta.id.replaceAll('-', '_')}`;
    if (meta.package !== expected) {
      ctx.addIssue({ code: 'custom', path: ['package'], message: `expected package "${expected}" for id "${meta.id}"` });
    }
  });
export type PolicyMeta = z.infer<typeof policyMetaSchema>;

/** A sample's file name without .yaml. */
const sampleNameSchema = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'expected a kebab-case sample name (the file name without .yaml)' });

/**
 * The admission request a sample is evaluated in (policies that read data.kpc.admission, e.g. to
 * compare with the old object on UPDATE): the operation, and the old object as a file under
 * samples/old/. Such a sample is judged only with that data (never in static analysis).
 */
export const sampleAdmissionSchema = z
  .object({
    operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
    old: z
      .string()
      .regex(/^old\/[a-z0-9]+(-[a-z0-9]+)*\.yaml$/, { error: 'expected old/<kebab-case name>.yaml' })
      .optional(),
  })
  .strict();

/**
 * datasets/policies/<id>/samples/expected.yaml: what each sample of the policy shows. `deny` is the
 * exact set of corpus policies that deny the sample (evaluated with fixtures/inventory.json).
 */
export const sampleExpectationsSchema = z
  .object({
    allowed: z.record(
      sampleNameSchema,
      z
        .object({
          why: z.string().min(10),
          deny: z.array(z.string().regex(POLICY_ID_PATTERN)).default([]),
          /** a complete object that passes the default bundle */
          full: z.boolean().default(false),
          admission: sampleAdmissionSchema.optional(),
        })
        .strict(),
    ),
    disallowed: z.record(
      sampleNameSchema,
      z
        .object({
          why: z.string().min(10),
          deny: z.array(z.string().regex(POLICY_ID_PATTERN)).min(1),
          /** a fragment of this policy's denial message */
          message: z.string().min(5),
          admission: sampleAdmissionSchema.optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type SampleExpectations = z.infer<typeof sampleExpectationsSchema>;

/** What a disallowed sample expects: the exact set of corpus policies that deny it, and why. */
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
  /** fail-<seed>-<n> for simulated rows; feedback-<record id> / observed-<…> for real rows */
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
  /** how many other corpus policies deny the same resource (recorded, never a model feature: it carried the simulated label) */
  co_denials: z.number().int().nonnegative(),
  decision: z.enum(['manifest_patch', 'policy_change']),
  /** whether the decision was accepted by the reviewer */
  accepted: z.boolean(),
  /** simulated: tools/generate-failures.ts; feedback: explicit feedback; observed: read from the observations (lifecycle ingest) */
  source: z.enum(['simulated', 'feedback', 'observed']),
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

/**
 * datasets/kb-eval/cache-pairs.jsonl: question pairs for the semantic cache's decision. `hit`: a
 * paraphrase that may share the answer; `miss`: a near miss (negation, antonym, another number or
 * subject) that must never get the other question's answer.
 */
export const cachePairSchema = z.strictObject({
  id: z.string().regex(/^[a-z]+-\d{2}$/),
  a: z.string().min(8),
  b: z.string().min(8),
  expect: z.enum(['hit', 'miss']),
  /** topic: another question about the same thing, with no word the guard knows (only the threshold can tell) */
  category: z.enum(['paraphrase', 'negation', 'antonym', 'number', 'subject', 'topic']),
});
export type CachePair = z.infer<typeof cachePairSchema>;

/** Objects of one kind, by object name. */
const objectsByNameSchema = z.record(z.string().min(1), manifestSchema);

/**
 * The synced objects of a cluster, as policies read them from data.inventory (Gatekeeper's layout):
 * `namespace.<namespace>.<Kind>.<name>` for namespaced objects and `cluster.<Kind>.<name>` for
 * cluster-scoped ones. Each object sits under its own kind, name (and namespace).
 */
export const inventorySchema = z
  .object({
    namespace: z.record(z.string().min(1), z.record(z.string().min(1), objectsByNameSchema)).default({}),
    cluster: z.record(z.string().min(1), objectsByNameSchema).default({}),
  })
  .strict()
  .superRefine((inventory, ctx) => {
    const check = (path: string[], object: Manifest, kind: string, name: string, namespace?: string) => {
      if (object.kind !== kind)
        ctx.addIssue({ code: 'custom', path: [...path, 'kind'], message: `expected kind "${kind}" (the key it is filed under)` });
      if (object.metadata.name !== name)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'metadata', 'name'],
          message: `expected name "${name}" (the key it is filed under)`,
        });
      const own = (object.metadata as { namespace?: unknown }).namespace;
      if (namespace !== undefined && own !== undefined && own !== namespace)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'metadata', 'namespace'],
          message: `expected namespace "${namespace}" (the key it is filed under)`,
        });
    };
    for (const [ns, kinds] of Object.entries(inventory.namespace))
      for (const [kind, objects] of Object.entries(kinds))
        for (const [name, object] of Object.entries(objects)) check(['namespace', ns, kind, name], object, kind, name, ns);
    for (const [kind, objects] of Object.entries(inventory.cluster))
      for (const [name, object] of Object.entries(objects)) check(['cluster', kind, name], object, kind, name);
  });
export type Inventory = z.infer<typeof inventorySchema>;

/** An inventory data file (datasets/fixtures/inventory.json, `--inventory` files): `{"inventory": …}`. */
export const inventoryDocumentSchema = z.object({ inventory: inventorySchema }).strict();
