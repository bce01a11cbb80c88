/**
 * zod schemas for what the `opa` binary (v1.x) prints with `--format json`, one schema per record.
 * The record types are inferred from them. Loose objects keep fields OPA adds in later releases.
 *
 * Shapes were recorded from opa v1.22.2; see test/fixtures/opa/recorded/ for samples.
 */
import { z } from 'zod';

/** A position in a Rego file. `file` is "" for the query of `opa eval` and for test entry points. */
export const opaLocationSchema = z.looseObject({
  file: z.string().optional(),
  row: z.number().int(),
  col: z.number().int(),
});
export type OpaLocation = z.infer<typeof opaLocationSchema>;

/** One error of `opa check|parse|eval --format json`; load errors have neither code nor location. */
export const opaRawErrorSchema = z.looseObject({
  message: z.string(),
  code: z.string().optional(),
  location: opaLocationSchema.optional(),
  details: z.looseObject({ line: z.string().optional(), idx: z.number().optional() }).optional(),
});
export type OpaRawError = z.infer<typeof opaRawErrorSchema>;

/** `{"errors": [...]}`, printed on stderr by check and parse, on stdout by eval. */
export const opaErrorListSchema = z.looseObject({ errors: z.array(opaRawErrorSchema).min(1) });
export type OpaErrorList = z.infer<typeof opaErrorListSchema>;

/** A frame of a runtime error's `stack_trace` (tests and eval). */
export const opaStackFrameSchema = z.looseObject({
  query_id: z.number().int().optional(),
  location: opaLocationSchema.optional(),
});

/** The `error` of a test that raised a runtime error (conflict, timeout, builtin error in strict mode). */
export const opaTestErrorSchema = z.looseObject({
  code: z.string().optional(),
  message: z.string(),
  location: opaLocationSchema.optional(),
  stack_trace: z.array(opaStackFrameSchema).optional(),
});
export type OpaRawTestError = z.infer<typeof opaTestErrorSchema>;

/** One event of the trace `opa test -v --format json` attaches to failed tests (Go field names). */
export const opaTraceEventSchema = z.looseObject({
  Op: z.string(),
  Node: z.unknown().optional(),
  Location: opaLocationSchema.nullable().optional(),
  QueryID: z.number().int().optional(),
  ParentID: z.number().int().optional(),
  Message: z.string().optional(),
});
export type OpaTraceEvent = z.infer<typeof opaTraceEventSchema>;

/**
 * One entry of `opa test --format json`. Pass is the absence of `fail`, `skip` and `error`;
 * `duration` is in nanoseconds; `output` is base64 of what `print` wrote.
 */
export const opaRawTestResultSchema = z.looseObject({
  location: opaLocationSchema,
  package: z.string(),
  name: z.string(),
  fail: z.boolean().optional(),
  skip: z.boolean().optional(),
  error: opaTestErrorSchema.optional(),
  duration: z.number().optional(),
  output: z.string().optional(),
  trace: z.array(opaTraceEventSchema).optional(),
});
export type OpaRawTestResult = z.infer<typeof opaRawTestResultSchema>;

export const opaRawTestResultsSchema = z.array(opaRawTestResultSchema);

const positionSchema = z.looseObject({ row: z.number().int(), col: z.number().int() });

/** A covered or not-covered span; `kinds` (e.g. "index_excluded") comes from the supplementary coverage runs. */
export const opaCoverageRangeSchema = z.looseObject({
  start: positionSchema,
  end: positionSchema,
  kinds: z.array(z.string()).optional(),
});
export type OpaCoverageRange = z.infer<typeof opaCoverageRangeSchema>;

/** The line counts and percentage, of a file and of the whole report. */
const coverageTotals = {
  covered_lines: z.number().int().optional(),
  not_covered_lines: z.number().int().optional(),
  coverage: z.number().optional(),
};

/** Per-file coverage: every field is omitted when empty or zero (Go omitempty), including `coverage`. */
export const opaRawFileCoverageSchema = z.looseObject({
  covered: z.array(opaCoverageRangeSchema).optional(),
  not_covered: z.array(opaCoverageRangeSchema).optional(),
  ...coverageTotals,
});
export type OpaRawFileCoverage = z.infer<typeof opaRawFileCoverageSchema>;

/** `opa test --coverage --format json`: a report instead of the test results. */
export const opaRawCoverageReportSchema = z.looseObject({
  files: z.record(z.string(), opaRawFileCoverageSchema).optional(),
  ...coverageTotals,
});
export type OpaRawCoverageReport = z.infer<typeof opaRawCoverageReportSchema>;

/** An expression of a result; its location has no file. */
export const opaEvalExpressionSchema = z.looseObject({
  value: z.unknown(),
  text: z.string(),
  location: positionSchema.optional(),
});
export type OpaEvalExpression = z.infer<typeof opaEvalExpressionSchema>;

/** One result of the result set; `bindings` only when the query binds variables. */
export const opaEvalResultSchema = z.looseObject({
  expressions: z.array(opaEvalExpressionSchema),
  bindings: z.record(z.string(), z.unknown()).optional(),
});
export type OpaEvalResult = z.infer<typeof opaEvalResultSchema>;

/** `opa eval --format json`: `{}` (no `result` key at all) when the query is undefined. */
export const opaEvalOutputSchema = z.looseObject({ result: z.array(opaEvalResultSchema).optional() });
export type OpaEvalOutput = z.infer<typeof opaEvalOutputSchema>;

/** An AST term: `{type, value}`; the value's shape depends on the type. */
export const opaTermSchema = z.looseObject({ type: z.string(), value: z.unknown() });
export type OpaTerm = z.infer<typeof opaTermSchema>;

export const opaRuleHeadSchema = z.looseObject({
  /** absent for multi-part ref heads such as `a.b.c := 1` */
  name: z.string().optional(),
  ref: z.array(opaTermSchema).optional(),
  args: z.array(opaTermSchema).optional(),
  key: opaTermSchema.optional(),
  value: opaTermSchema.optional(),
  assign: z.boolean().optional(),
  location: opaLocationSchema.optional(),
});
export type OpaRuleHead = z.infer<typeof opaRuleHeadSchema>;

export const opaRuleSchema = z.looseObject({
  head: opaRuleHeadSchema,
  body: z.array(z.unknown()).optional(),
  default: z.boolean().optional(),
  else: z.unknown().optional(),
  location: opaLocationSchema.optional(),
});
export type OpaRule = z.infer<typeof opaRuleSchema>;

export const opaImportSchema = z.looseObject({ path: opaTermSchema, alias: z.string().optional() });

/** A comment: Go field names, and `Text` is base64. */
export const opaCommentSchema = z.looseObject({ Text: z.string(), Location: opaLocationSchema.optional() });

/** `opa parse --format json`: a module. Keys are omitted when empty (a module without rules has no `rules`). */
export const opaModuleSchema = z.looseObject({
  package: z.looseObject({ path: z.array(opaTermSchema).min(1), location: opaLocationSchema.optional() }),
  imports: z.array(opaImportSchema).optional(),
  rules: z.array(opaRuleSchema).optional(),
  comments: z.array(opaCommentSchema).optional(),
});
export type OpaModule = z.infer<typeof opaModuleSchema>;

/** `opa version` prints `Key: value` lines (it has no JSON format); empty values become absent. */
export const opaVersionInfoSchema = z.object({
  version: z.string().min(1),
  goVersion: z.string().optional(),
  buildCommit: z.string().optional(),
  buildTimestamp: z.string().optional(),
  buildHostname: z.string().optional(),
  platform: z.string().optional(),
  regoVersion: z.string().optional(),
  webAssembly: z.string().optional(),
});
export type OpaVersionInfo = z.infer<typeof opaVersionInfoSchema>;
