/**
 * Access to the real `opa` binary (v1.x): version, check, test (with coverage), parse and eval,
 * each returning typed results validated with zod. The binary and the default per-call timeout
 * come from `config.opa` (PAC_OPA_PATH, PAC_OPA_TIMEOUT_MS); every call can override the timeout.
 *
 *   const config = loadConfig();
 *   await opaCheck({ opa: config.opa, paths: ['policies'], strict: true });
 *   const report = await opaTest({ opa: config.opa, paths: ['policies'], coverage: true });
 *   const { result } = await opaEval({ opa: config.opa, query: 'data.k8s.deny', dataPaths: ['policies'], input });
 *
 * Errors: OpaCompileError (Rego that does not parse/compile, a query that fails), OpaTimeoutError
 * (the process group was killed), OpaNotFoundError (no binary), OpaCommandError (a bad flag or
 * path), OpaOutputError (output this module does not understand). Failing tests are not errors.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type Config, loadConfig } from '../../infra/config';
import { describeCommand, OpaCommandError, OpaCompileError, type OpaErrorDetail, OpaTimeoutError } from './errors';
import {
  type OpaCoverage,
  type OpaTestCase,
  type OpaTestSummary,
  outputLines,
  packagePathOf,
  parseCoverageReport,
  parseEvalOutput,
  parseJsonErrors,
  parseModuleOutput,
  parseTestResults,
  parseTextErrors,
  parseVersionOutput,
  ruleNamesOf,
  summarizeTests,
} from './parse';
import { type RunOpaResult, runOpa } from './run';
import type { OpaEvalResult, OpaModule, OpaVersionInfo } from './schemas';

export * from './errors';
export * from './parse';
export * from './schemas';

/** Options every call takes. */
export interface OpaCallOptions {
  /**
   * The binary and default timeout: the `opa` section of infra/config's Config, so a whole Config
   * can be passed as the options (`opaVersion(config)`); `loadConfig().opa` when absent.
   */
  opa?: Config['opa'];
  /** overrides `config.opa.timeoutMs`; for opaTest it bounds the whole call */
  timeoutMs?: number;
  /** the working directory of the process; relative paths (and the file names OPA reports) are relative to it */
  cwd?: string;
  /** kills the process when aborted (e.g. a Temporal activity's cancellation signal) */
  signal?: AbortSignal;
}

/** How policies are loaded: shared by check and test. */
export interface OpaLoadOptions {
  /** files or directories of .rego (and data .json/.yaml) */
  paths: readonly string[];
  /** load the paths as bundles (`--bundle`) */
  bundle?: boolean;
  /** a capabilities version (`v1.0.0`) or the path of a capabilities.json */
  capabilities?: string;
  /** file and directory names to skip while loading (`--ignore`) */
  ignore?: readonly string[];
}

export interface OpaCheckOptions extends OpaCallOptions, OpaLoadOptions {
  /** compiler strict mode: unused variables and imports, deprecated built-ins, ... are errors */
  strict?: boolean;
  /** stop after this many errors (OPA's default is 10) */
  maxErrors?: number;
}

export interface OpaCheckResult {
  ok: true;
}

export interface OpaTestOptions extends OpaCallOptions, OpaLoadOptions {
  /** also run the tests for coverage (a second `opa test --coverage` run; see OpaTestReport.coverage) */
  coverage?: boolean;
  /** only tests whose `data.<package>.<name>` matches this regular expression (Go RE2 syntax) */
  run?: string;
  /** attach the rendered evaluation trace to failed tests (`--verbose`) */
  trace?: boolean;
  /** OPA's own per-test timeout (`--timeout`, 5 s by default); a test over it has status `error` */
  testTimeoutMs?: number;
}

export interface OpaTestReport {
  tests: OpaTestCase[];
  summary: OpaTestSummary;
  /** with `coverage: true`, when OPA could report it */
  coverage?: OpaCoverage;
  /** why coverage is missing although requested (OPA reports none when a test fails or errors) */
  coverageUnavailable?: string;
}

export type OpaParseOptions = OpaCallOptions & {
  /** include the location of every node (`--json-include locations`) */
  locations?: boolean;
} & (
    | { path: string; source?: undefined }
    | {
        source: string;
        path?: undefined;
        /** the file name errors and locations show for the source (default `source.rego`) */
        filename?: string;
      }
  );

export interface OpaParseResult {
  ast: OpaModule;
  /** e.g. `kubernetes.admission.privileged` */
  packagePath: string;
  /** the module's rule names in source order, each once */
  ruleNames: string[];
}

export interface OpaEvalOptions extends OpaCallOptions {
  query: string;
  /** policy and data files or directories (`--data`) */
  dataPaths?: readonly string[];
  /** the input document, passed as JSON on stdin (never on the command line) */
  input?: object;
  /** bundle directories or archives (`--bundle`) */
  bundle?: string | readonly string[];
}

export interface OpaEvalReport {
  /** the result set: one entry per solution, empty when the query is undefined */
  result: OpaEvalResult[];
  /** the query has at least one solution */
  defined: boolean;
  /** what `print` wrote (OPA's stderr) */
  printed: string[];
}

// ---------------------------------------------------------------------------------------------

interface Call {
  path: string;
  timeoutMs: number;
  deadline: number;
  cwd?: string;
  signal?: AbortSignal;
}

function prepare(options: OpaCallOptions): Call {
  const opa = options.opa ?? loadConfig().opa;
  const timeoutMs = options.timeoutMs ?? opa.timeoutMs;
  return { path: opa.path, timeoutMs, deadline: Date.now() + timeoutMs, cwd: options.cwd, signal: options.signal };
}

/** Runs one command of a call within what is left of the call's timeout. */
async function run(call: Call, args: string[], stdin?: string, cwd = call.cwd): Promise<RunOpaResult> {
  const remaining = call.deadline - Date.now();
  if (remaining <= 0) throw new OpaTimeoutError(describeCommand(args), call.timeoutMs);
  try {
    return await runOpa({ path: call.path, args, timeoutMs: remaining, stdin, cwd, signal: call.signal });
  } catch (error) {
    // name the call's timeout, not the remainder a later command of the call had
    if (error instanceof OpaTimeoutError) throw new OpaTimeoutError(error.command, call.timeoutMs);
    throw error;
  }
}

function loadArgs(options: OpaLoadOptions): string[] {
  const args: string[] = [];
  if (options.bundle) args.push('--bundle');
  if (options.capabilities) args.push('--capabilities', options.capabilities);
  for (const name of options.ignore ?? []) args.push('--ignore', name);
  return args;
}

function requirePaths(what: string, paths: readonly string[]): void {
  if (paths.length === 0) throw new TypeError(`${what}: paths must name at least one file or directory`);
}

/** The JSON errors OPA printed on either stream, or an OpaCommandError with its text. */
function failure(args: string[], result: RunOpaResult): OpaCompileError | OpaCommandError {
  const command = describeCommand(args);
  const errors = parseJsonErrors(result.stderr) ?? parseJsonErrors(result.stdout);
  if (errors) return new OpaCompileError(command, errors);
  return new OpaCommandError(command, result.exitCode, result.stderr || result.stdout);
}

// ---------------------------------------------------------------------------------------------

/** `opa version`: the version and build information of the configured binary. */
export async function opaVersion(options: OpaCallOptions = {}): Promise<OpaVersionInfo> {
  const call = prepare(options);
  const args = ['version'];
  const result = await run(call, args);
  if (result.exitCode !== 0) throw new OpaCommandError(describeCommand(args), result.exitCode, result.stderr);
  return parseVersionOutput(result.stdout, describeCommand(args));
}

/**
 * `opa check --format json [--strict]`: resolves when the policies parse and compile, throws
 * OpaCompileError with every error OPA reported otherwise.
 */
export async function opaCheck(options: OpaCheckOptions): Promise<OpaCheckResult> {
  requirePaths('opaCheck', options.paths);
  const call = prepare(options);
  const args = ['check', '--format', 'json', ...loadArgs(options)];
  if (options.strict) args.push('--strict');
  if (options.maxErrors !== undefined) args.push('--max-errors', String(options.maxErrors));
  args.push('--', ...options.paths);
  const result = await run(call, args);
  if (result.exitCode === 0) return { ok: true };
  throw failure(args, result);
}

/**
 * `opa test --format json`: every test case with its status, duration, location and output;
 * failing tests are data, not errors. With `coverage`, a second run (`--coverage`, whose JSON is a
 * coverage report instead of results) adds coverage per file and overall when every test passed.
 * Throws OpaCompileError when the policies or tests do not compile.
 */
export async function opaTest(options: OpaTestOptions): Promise<OpaTestReport> {
  requirePaths('opaTest', options.paths);
  const call = prepare(options);
  const filters = loadArgs(options);
  if (options.run !== undefined) filters.push('--run', options.run);
  if (options.testTimeoutMs !== undefined) filters.push('--timeout', `${options.testTimeoutMs}ms`);

  const args = ['test', '--format', 'json', ...filters];
  if (options.trace) args.push('--verbose');
  args.push('--', ...options.paths);
  const result = await run(call, args);
  // 0: all passed, 2: some failed, errored or were skipped; 1: nothing ran (load/compile errors, bad flags)
  if (result.exitCode !== 0 && result.exitCode !== 2) throw await testFailure(call, options, args, result);
  const tests = parseTestResults(result.stdout, describeCommand(args));
  const report: OpaTestReport = { tests, summary: summarizeTests(tests) };
  if (!options.coverage) return report;

  if (!report.summary.ok) {
    report.coverageUnavailable = `OPA reports coverage only when no test fails or errors (${report.summary.failed} failed, ${report.summary.errored} errored)`;
    return report;
  }
  const coverageArgs = ['test', '--coverage', '--format', 'json', ...filters, '--', ...options.paths];
  const coverage = await run(call, coverageArgs);
  // exit 2 when tests were skipped: the report is still printed
  if ((coverage.exitCode === 0 || coverage.exitCode === 2) && coverage.stdout.trim().startsWith('{')) {
    report.coverage = parseCoverageReport(coverage.stdout, describeCommand(coverageArgs));
  } else {
    report.coverageUnavailable = (coverage.stderr || coverage.stdout).trim() || `exit code ${coverage.exitCode}`;
  }
  return report;
}

/**
 * Why `opa test` ran nothing. It prints compile errors as text even with --format json (no
 * column), so the same paths go through `opa check --format json` for structured errors; the text
 * is parsed when check finds nothing (or cannot run in the time left).
 */
async function testFailure(
  call: Call,
  options: OpaTestOptions,
  args: string[],
  result: RunOpaResult,
): Promise<OpaCompileError | OpaCommandError> {
  const command = describeCommand(args);
  const text = result.stderr || result.stdout;
  const fromText = parseTextErrors(text);
  if (fromText.length === 0) return new OpaCommandError(command, result.exitCode, text);
  let errors: OpaErrorDetail[] = fromText;
  try {
    const checkArgs = ['check', '--format', 'json', ...loadArgs(options), '--', ...options.paths];
    const checked = await run(call, checkArgs);
    const structured = checked.exitCode === 0 ? undefined : parseJsonErrors(checked.stderr);
    if (structured) errors = structured;
  } catch (error) {
    if (!(error instanceof OpaTimeoutError)) throw error;
  }
  return new OpaCompileError(command, errors);
}

/**
 * `opa parse --format json` of a file, or of source text (written to a temporary file that is
 * removed afterwards). Throws OpaCompileError for a syntax error.
 */
export async function opaParse(options: OpaParseOptions): Promise<OpaParseResult> {
  const call = prepare(options);
  const flags = ['parse', '--format', 'json'];
  if (options.locations) flags.push('--json-include', 'locations');

  let result: RunOpaResult;
  let args: string[];
  if (options.source !== undefined) {
    const dir = await mkdtemp(join(tmpdir(), 'pac-opa-parse-'));
    try {
      const file = basename(options.filename ?? 'source.rego');
      await writeFile(join(dir, file), options.source, 'utf8');
      args = [...flags, '--', file];
      // run inside the directory so that errors and locations name the file, not the temporary path
      result = await run(call, args, undefined, dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } else {
    args = [...flags, '--', options.path];
    result = await run(call, args);
  }
  if (result.exitCode !== 0) throw failure(args, result);
  const ast = parseModuleOutput(result.stdout, describeCommand(args));
  return { ast, packagePath: packagePathOf(ast), ruleNames: ruleNamesOf(ast) };
}

/**
 * `opa eval --format json` with the input as JSON on stdin (`--stdin-input`). Resolves with the
 * result set (empty when undefined); throws OpaCompileError when the query or policies do not
 * compile or evaluation fails (e.g. a conflict).
 */
export async function opaEval(options: OpaEvalOptions): Promise<OpaEvalReport> {
  const call = prepare(options);
  const args = ['eval', '--format', 'json'];
  let stdin: string | undefined;
  if (options.input !== undefined) {
    stdin = JSON.stringify(options.input);
    args.push('--stdin-input');
  }
  for (const path of options.dataPaths ?? []) args.push('--data', path);
  const bundles = typeof options.bundle === 'string' ? [options.bundle] : (options.bundle ?? []);
  for (const path of bundles) args.push('--bundle', path);
  args.push('--', options.query);

  const result = await run(call, args, stdin);
  if (result.exitCode !== 0) throw failure(args, result);
  const set = parseEvalOutput(result.stdout, describeCommand(args));
  return { result: set, defined: set.length > 0, printed: outputLines(result.stderr) };
}
