/**
 * Pure parsing of what the `opa` binary prints: no processes, no files. Every function takes the
 * text OPA wrote and returns typed, normalised records, or throws OpaOutputError when the text is
 * not what OPA v1 prints. Unit tests call these with recorded output (test/fixtures/opa/recorded/).
 */
import type { z } from 'zod';
import { describeZodIssues } from '../../lib/zod-issues';
import { type OpaErrorDetail, OpaOutputError } from './errors';
import {
  type OpaCoverageRange,
  type OpaEvalResult,
  type OpaModule,
  type OpaRawError,
  type OpaRawFileCoverage,
  type OpaRawTestResult,
  type OpaVersionInfo,
  opaErrorListSchema,
  opaEvalOutputSchema,
  opaModuleSchema,
  opaRawCoverageReportSchema,
  opaRawTestResultsSchema,
  opaVersionInfoSchema,
} from './schemas';
import { renderTerm, renderTrace } from './trace';

// ---------------------------------------------------------------------------------------------
// helpers

/** JSON.parse, or undefined when the text is not JSON (OPA mixes JSON and text on failures). */
export function tryParseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed || !'{['.includes(trimmed[0] ?? '')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

function decode<S extends z.ZodType>(schema: S, text: string, command: string, what: string): z.infer<S> {
  const json = tryParseJson(text);
  if (json === undefined) throw new OpaOutputError(command, `expected ${what} as JSON`, text);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new OpaOutputError(command, `${what}: ${describeZodIssues(parsed.error)}`, text);
  return parsed.data;
}

/** Lines of text without the trailing empty line. */
function lines(text: string): string[] {
  const split = text.replace(/\r\n/g, '\n').split('\n');
  if (split.at(-1) === '') split.pop();
  return split;
}

/** `output` of a test result: base64 (Go []byte) of what `print` wrote, as lines. */
export function decodePrintOutput(base64: string | undefined): string[] {
  return base64 ? lines(Buffer.from(base64, 'base64').toString('utf8')) : [];
}

/** Lines a process wrote on stderr (e.g. `print` output of eval), without blank trailing lines. */
export function outputLines(text: string): string[] {
  return lines(text.replace(/\s+$/, ''));
}

// ---------------------------------------------------------------------------------------------
// opa version

const VERSION_KEYS: Record<string, keyof OpaVersionInfo> = {
  Version: 'version',
  'Go Version': 'goVersion',
  'Build Commit': 'buildCommit',
  'Build Timestamp': 'buildTimestamp',
  'Build Hostname': 'buildHostname',
  Platform: 'platform',
  'Rego Version': 'regoVersion',
  WebAssembly: 'webAssembly',
};

/** `opa version` has no JSON format: it prints `Key: value` lines, some with empty values. */
export function parseVersionOutput(text: string, command = 'opa version'): OpaVersionInfo {
  const fields: Record<string, string> = {};
  for (const line of lines(text)) {
    const [, name = '', value = ''] = /^([^:]+):(.*)$/.exec(line) ?? [];
    const key = VERSION_KEYS[name.trim()];
    if (key && value.trim()) fields[key] = value.trim();
  }
  const parsed = opaVersionInfoSchema.safeParse(fields);
  if (!parsed.success) throw new OpaOutputError(command, 'no "Version:" line', text);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// errors

/** A JSON error of OPA as an OpaErrorDetail; an empty `file` (the query of eval) becomes absent. */
export function toErrorDetail(raw: OpaRawError): OpaErrorDetail {
  const detail: OpaErrorDetail = { message: raw.message };
  if (raw.code) detail.code = raw.code;
  if (raw.location) {
    if (raw.location.file) detail.file = raw.location.file;
    detail.row = raw.location.row;
    detail.col = raw.location.col;
  }
  if (raw.details && (raw.details.line !== undefined || raw.details.idx !== undefined)) {
    detail.details = {};
    if (raw.details.line !== undefined) detail.details.line = raw.details.line;
    if (raw.details.idx !== undefined) detail.details.idx = raw.details.idx;
  }
  return detail;
}

/**
 * `{"errors": [...]}` as printed by `opa check|parse|eval --format json`, or undefined when the
 * text is not such a document (for example a flag error, which OPA prints as text).
 */
export function parseJsonErrors(text: string): OpaErrorDetail[] | undefined {
  const parsed = opaErrorListSchema.safeParse(tryParseJson(text));
  return parsed.success ? parsed.data.errors.map(toErrorDetail) : undefined;
}

const COUNT_PREFIX = /^\d+ errors? occurred(?: during loading)?:\s*/;
const LOCATED = /^(.+?):(\d+): ([a-z][a-z0-9_]*_error): (.*)$/;
const CODED = /^([a-z][a-z0-9_]*_error): (.*)$/;

/**
 * The text errors `opa test` prints on stderr even with `--format json`, e.g.
 *
 *   1 error occurred during loading: dir/broken.rego:5: rego_parse_error: unexpected } token
 *   <TAB>}
 *   <TAB>^
 *
 *   2 errors occurred:
 *   dir/m.rego:4: rego_unsafe_var_error: var y is unsafe
 *   rego_compile_error: error limit reached
 *
 * The text has no column. Indented lines continue the previous error: a tab-indented source line
 * and caret become `details`, other indented lines (a conflict's values) extend the message.
 */
export function parseTextErrors(text: string): OpaErrorDetail[] {
  const errors: OpaErrorDetail[] = [];
  for (const rawLine of lines(text)) {
    const previous = errors.at(-1);
    if (previous && /^\s/.test(rawLine)) {
      if (rawLine.startsWith('\t')) {
        const content = rawLine.slice(1);
        if (/^\s*\^$/.test(content) && previous.details?.line !== undefined) {
          previous.details.idx = content.indexOf('^');
        } else if (previous.details === undefined && previous.code === 'rego_parse_error') {
          previous.details = { line: content };
        } else {
          previous.message += `\n${rawLine.trimEnd()}`;
        }
      } else if (rawLine.trim()) {
        previous.message += `\n${rawLine.trimEnd()}`;
      }
      continue;
    }
    const hadPrefix = COUNT_PREFIX.test(rawLine);
    const line = rawLine.replace(COUNT_PREFIX, '').trimEnd();
    if (!line) continue;
    const located = LOCATED.exec(line);
    if (located) {
      const [, file = '', row = '', code = '', message = ''] = located;
      errors.push({ file, row: Number(row), code, message });
      continue;
    }
    const coded = CODED.exec(line);
    if (coded) {
      const [, code = '', message = ''] = coded;
      errors.push({ code, message });
      continue;
    }
    // a loading error without code ("stat x: no such file or directory") follows the count prefix
    if (hadPrefix) errors.push({ message: line });
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// opa test

export type OpaTestStatus = 'pass' | 'fail' | 'error' | 'skip';

/** One test case of `opa test`, normalised. */
export interface OpaTestCase {
  /** the package without the `data.` prefix, e.g. `kubernetes.admission.privileged_test` */
  package: string;
  name: string;
  /** `data.<package>.<name>`, as OPA names the test */
  fullName: string;
  status: OpaTestStatus;
  durationMs: number;
  location: { file: string; row: number; col: number };
  /** what `print` wrote during the test */
  output: string[];
  /** the rendered evaluation trace of a failed test, when requested */
  trace: string[];
  /** the runtime error of a test with status `error` */
  error?: OpaErrorDetail;
}

export interface OpaTestSummary {
  total: number;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  /** no test failed or errored (skipped tests do not count) */
  ok: boolean;
}

function testStatus(raw: OpaRawTestResult): OpaTestStatus {
  if (raw.error) return 'error';
  if (raw.fail) return 'fail';
  if (raw.skip) return 'skip';
  return 'pass';
}

function stripData(path: string): string {
  return path.replace(/^data\./, '');
}

/** One raw entry of `opa test --format json` as an OpaTestCase. */
export function toTestCase(raw: OpaRawTestResult): OpaTestCase {
  const status = testStatus(raw);
  const testCase: OpaTestCase = {
    package: stripData(raw.package),
    name: raw.name,
    fullName: `${raw.package}.${raw.name}`,
    status,
    durationMs: (raw.duration ?? 0) / 1e6,
    location: { file: raw.location.file ?? '', row: raw.location.row, col: raw.location.col },
    output: decodePrintOutput(raw.output),
    trace: raw.trace ? renderTrace(raw.trace) : [],
  };
  if (raw.error) {
    const { error } = raw;
    // a timeout has no location of its own: the innermost frame of the stack trace says where it was
    const location = error.location ?? error.stack_trace?.find((frame) => frame.location?.file)?.location;
    testCase.error = toErrorDetail({ message: error.message, code: error.code, location });
  }
  return testCase;
}

/**
 * The array `opa test --format json` prints (exit code 0, or 2 when a test failed, errored or was
 * skipped). OPA's order is not the source order; the cases come back sorted by file and row.
 */
export function parseTestResults(text: string, command = 'opa test'): OpaTestCase[] {
  const raw = decode(opaRawTestResultsSchema, text, command, 'test results');
  return raw.map(toTestCase).sort((a, b) => a.location.file.localeCompare(b.location.file) || a.location.row - b.location.row);
}

export function summarizeTests(tests: readonly OpaTestCase[]): OpaTestSummary {
  const count = (status: OpaTestStatus) => tests.filter((t) => t.status === status).length;
  const summary = {
    total: tests.length,
    passed: count('pass'),
    failed: count('fail'),
    errored: count('error'),
    skipped: count('skip'),
  };
  return { ...summary, ok: summary.failed === 0 && summary.errored === 0 };
}

// ---------------------------------------------------------------------------------------------
// opa test --coverage

export interface OpaFileCoverage {
  file: string;
  /** 0-100; OPA omits it when 0 */
  percent: number;
  coveredLines: number;
  notCoveredLines: number;
  covered: OpaCoverageRange[];
  notCovered: OpaCoverageRange[];
}

export interface OpaCoverage {
  /** 0-100 over all files, test files included (as OPA counts it) */
  percent: number;
  coveredLines: number;
  notCoveredLines: number;
  files: OpaFileCoverage[];
}

function fileCoverage(file: string, raw: OpaRawFileCoverage): OpaFileCoverage {
  return {
    file,
    percent: raw.coverage ?? 0,
    coveredLines: raw.covered_lines ?? 0,
    notCoveredLines: raw.not_covered_lines ?? 0,
    covered: raw.covered ?? [],
    notCovered: raw.not_covered ?? [],
  };
}

/**
 * The report `opa test --coverage --format json` prints instead of test results. Zero values are
 * omitted by OPA (a file nothing covered has neither `coverage` nor `covered_lines`).
 */
export function parseCoverageReport(text: string, command = 'opa test --coverage'): OpaCoverage {
  const raw = decode(opaRawCoverageReportSchema, text, command, 'a coverage report');
  return {
    percent: raw.coverage ?? 0,
    coveredLines: raw.covered_lines ?? 0,
    notCoveredLines: raw.not_covered_lines ?? 0,
    files: Object.entries(raw.files ?? {})
      .map(([file, coverage]) => fileCoverage(file, coverage))
      .sort((a, b) => a.file.localeCompare(b.file)),
  };
}

// ---------------------------------------------------------------------------------------------
// opa eval

/** The result set of `opa eval --format json`: empty when the query is undefined (OPA prints `{}`). */
export function parseEvalOutput(text: string, command = 'opa eval'): OpaEvalResult[] {
  return decode(opaEvalOutputSchema, text, command, 'an eval result').result ?? [];
}

// ---------------------------------------------------------------------------------------------
// opa parse

/** The module `opa parse --format json` prints. */
export function parseModuleOutput(text: string, command = 'opa parse'): OpaModule {
  return decode(opaModuleSchema, text, command, 'a module AST');
}

/** `kubernetes.admission.privileged` for `package kubernetes.admission.privileged`. */
export function packagePathOf(module: OpaModule): string {
  return stripData(renderTerm({ type: 'ref', value: module.package.path }));
}

/**
 * The names of the rules of a module, in source order, each once: the ground part of the head's
 * ref (`deny` for `deny contains msg`, `fruit` for `fruit[name] := 2`, `a.b.c` for `a.b.c := 1`).
 */
export function ruleNamesOf(module: OpaModule): string[] {
  const names = new Set<string>();
  for (const rule of module.rules ?? []) {
    const ref = rule.head.ref ?? [];
    const ground = [];
    for (const [index, term] of ref.entries()) {
      if (index > 0 && term.type !== 'string') break;
      ground.push(term);
    }
    const name = ground.length ? renderTerm({ type: 'ref', value: ground }) : rule.head.name;
    if (name) names.add(name);
  }
  return [...names];
}
