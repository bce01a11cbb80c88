/**
 * The records of an analysis (`pac analyze`, its formats and the API): one zod schema each, types
 * are z.infer of them. A report is produced as a stream — resources one at a time, problems and
 * skipped files as they are met, the summary at the end — so no record holds the whole input.
 */
import { z } from 'zod';
import { SEVERITIES } from '../../datasets/schemas';

export const severitySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof severitySchema>;

/** The Pod Security Standards level a policy enforces: the lowest level among its PSS controls. */
export const pssLevelSchema = z.enum(['baseline', 'restricted']).nullable();
export type PssLevel = z.infer<typeof pssLevelSchema>;

/** What `pac analyze` knows about a rule: a corpus policy or one of the built-in exemption checks. */
export const ruleInfoSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  severity: severitySchema,
  pss: pssLevelSchema,
  category: z.string(),
  /** how to fix a finding, in a few lines (SARIF help text) */
  help: z.string(),
  /** prior belief that a finding is a true problem (0-1) */
  reliability: z.number().min(0).max(1),
});
export type RuleInfo = z.infer<typeof ruleInfoSchema>;

export const findingSchema = z.object({
  policy: z.string(),
  title: z.string(),
  severity: severitySchema,
  pss: pssLevelSchema,
  /** one message per violation (a policy may deny a resource for several containers) */
  messages: z.array(z.string()).min(1),
  /** set when a kpc.io/exempt annotation with a reason covers this policy: reported, never counted */
  exempted: z.object({ reason: z.string() }).optional(),
});
export type Finding = z.infer<typeof findingSchema>;

export const resourceReportSchema = z.object({
  source: z.string(),
  /** 1-based line where the object's document starts */
  line: z.number().int().min(1),
  /** index in `items` when the object came from a `kind: List` document */
  item: z.number().int().min(0).optional(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
  /** "Kind namespace/name" */
  resource: z.string(),
  /** by severity (critical first), then policy id */
  findings: z.array(findingSchema),
  /** the ranker's top-k (only when ranking was asked for) */
  ranked: z.array(z.object({ policy: z.string(), score: z.number() })).optional(),
});
export type ResourceReport = z.infer<typeof resourceReportSchema>;

/** A document that could not be read (file:line), or a file that is not Kubernetes in --strict mode. */
export const problemSchema = z.object({ source: z.string(), line: z.number().int().min(0), message: z.string() });
export type Problem = z.infer<typeof problemSchema>;

/** A file of a directory that holds no Kubernetes object (package.json, values.json, *.expected.json …). */
export const skippedSchema = z.object({ source: z.string(), reason: z.string() });
export type Skipped = z.infer<typeof skippedSchema>;

const bySeveritySchema = z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number() });

export const summarySchema = z.object({
  files: z.number().int(),
  resources: z.number().int(),
  /** resources without any active finding */
  clean: z.number().int(),
  /** active findings (one per policy and resource), by severity */
  findings: bySeveritySchema,
  exempted: z.number().int(),
  threshold: severitySchema,
  /** active findings at or above the threshold: what makes the exit code 3 */
  atOrAboveThreshold: z.number().int(),
  problems: z.number().int(),
  skipped: z.number().int(),
  policies: z.number().int(),
  exitCode: z.number().int(),
  seconds: z.number(),
});
export type Summary = z.infer<typeof summarySchema>;

/** The whole JSON report (`pac analyze --format json`), written as a stream in this shape. */
export const analyzeJsonReportSchema = z.object({
  tool: z.object({ name: z.literal('pac'), version: z.string() }),
  ranker: z.string().optional(),
  resources: z.array(resourceReportSchema),
  errors: z.array(problemSchema),
  skipped: z.array(skippedSchema),
  summary: summarySchema,
});
export type AnalyzeJsonReport = z.infer<typeof analyzeJsonReportSchema>;
