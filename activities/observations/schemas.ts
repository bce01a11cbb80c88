/**
 * The records of the observation store: one zod schema each, types are z.infer of them.
 *
 * - an observation: one Kubernetes object the platform saw (analyze, API, CI, import, admission),
 *   its manifest with secret material redacted, what the policies and the ranker said about it;
 * - a feedback record: what a person did about a suggested fix (accepted, reverted) or that the
 *   policy was changed or exempted instead.
 *
 * Both are stored as JSON lines in a per-process write-ahead file, then as Parquet segments
 * (store.ts, tables.ts); `v` is the record version, bumped when a field changes meaning.
 */
import { z } from 'zod';

/** Where an observation came from. */
export const OBSERVATION_SOURCES = ['cli', 'api', 'ci', 'import', 'admission'] as const;
export type ObservationSource = (typeof OBSERVATION_SOURCES)[number];

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a sha256 digest (64 hex digits)' });
const recordId = z.string().regex(/^[0-9a-f]{32}$/, { error: 'expected a record id (32 hex digits)' });
const isoTime = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time such as 2026-01-31T12:00:00Z' });

/** apiVersion, kind, namespace and name: which object this is (namespace/name null when absent). */
export const resourceIdentitySchema = z.object({
  apiVersion: z.string(),
  kind: z.string().min(1),
  namespace: z.string().nullable(),
  name: z.string().nullable(),
});
export type ResourceIdentity = z.infer<typeof resourceIdentitySchema>;

export const rankedPolicySchema = z.object({ policy: z.string().min(1), score: z.number() });

/** One stored observation. */
export const observationSchema = z.strictObject({
  v: z.literal(1),
  /** random, unique per record: the key that keeps a record from being counted twice */
  id: recordId,
  /** when it was observed (for an import: the import time) */
  time: isoTime,
  source: z.enum(OBSERVATION_SOURCES),
  ...resourceIdentitySchema.shape,
  /** sha256 of the canonical JSON of the stored (normalised, redacted) manifest */
  manifestDigest: hex64,
  /** sha256 of the manifest without names, namespaces, labels, annotations and redacted values */
  skeletonDigest: hex64,
  /** the manifest, server-side noise stripped and secret material replaced by redaction tokens */
  manifest: z.record(z.string(), z.unknown()),
  /** how many values were redacted */
  redactions: z.number().int().min(0),
  /** metadata.creationTimestamp when the object had one (a feature only, never the record's time) */
  createdAt: z.string().nullable(),
  /** ids of the policies that denied it, sorted; null when no policy was evaluated (an import) */
  denied: z.array(z.string()).nullable(),
  /** the ranker that ranked it and its top-k; null when nothing ranked it */
  ranker: z.object({ version: z.string().min(1), top: z.array(rankedPolicySchema) }).nullable(),
  /** per-policy evaluation time in milliseconds, where the engine gives it */
  timings: z.array(z.object({ policy: z.string().min(1), ms: z.number().min(0) })).nullable(),
  /** digest of the policy corpus it was evaluated with (datasets/load corpusDigest) */
  corpusDigest: z.string().nullable(),
  /** where it was read: "file:line", "-:line" (standard input) or an API route */
  origin: z.string().nullable(),
});
export type Observation = z.infer<typeof observationSchema>;

/** What a caller hands to the recorder: the raw manifest and what the analysis found. */
export const observationInputSchema = z.object({
  source: z.enum(OBSERVATION_SOURCES),
  manifest: z.record(z.string(), z.unknown()),
  /** defaults to now */
  time: isoTime.optional(),
  denied: z.array(z.string()).nullable().optional(),
  ranker: observationSchema.shape.ranker.optional(),
  timings: observationSchema.shape.timings.optional(),
  corpusDigest: z.string().nullable().optional(),
  origin: z.string().nullable().optional(),
});
export type ObservationInput = z.input<typeof observationInputSchema>;

/** What happened to a suggestion: the fix was applied or undone, or the policy moved instead. */
export const FEEDBACK_OUTCOMES = ['accepted', 'reverted', 'policy_changed', 'exempted'] as const;
export type FeedbackOutcome = (typeof FEEDBACK_OUTCOMES)[number];

/** One explicit feedback record (`pac feedback`, the API). */
export const feedbackSchema = z.strictObject({
  v: z.literal(1),
  id: recordId,
  time: isoTime,
  /** cli or api (where the person said it) */
  source: z.enum(['cli', 'api']),
  outcome: z.enum(FEEDBACK_OUTCOMES),
  policy: z.string().min(1),
  ...resourceIdentitySchema.shape,
  /** the observed manifest the suggestion was made for, when known */
  manifestDigest: hex64.nullable(),
  /** the digest of the suggested fix (its patch), when the outcome is about a fix */
  fixDigest: hex64.nullable(),
  /** the fix strategy that was suggested (e.g. manifest_patch), when known */
  strategy: z.string().nullable(),
  /** the identity of the person (API token name, or the OS user for the CLI) */
  who: z.string().min(1).max(200),
  /** free text, PII-masked before it is stored */
  note: z.string().max(2000).nullable(),
});
export type Feedback = z.infer<typeof feedbackSchema>;

export const feedbackInputSchema = feedbackSchema
  .omit({ v: true, id: true, time: true, manifestDigest: true, fixDigest: true, strategy: true, note: true, namespace: true, name: true })
  .extend({
    time: isoTime.optional(),
    namespace: z.string().nullable().optional(),
    name: z.string().nullable().optional(),
    manifestDigest: hex64.nullable().optional(),
    fixDigest: hex64.nullable().optional(),
    strategy: z.string().nullable().optional(),
    note: z.string().max(2000).nullable().optional(),
  });
export type FeedbackInput = z.input<typeof feedbackInputSchema>;
