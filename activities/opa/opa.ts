/**
 * Access to the real `opa` binary (v1.x): version, check, test (with coverage), parse and build
 * (`opa eval` lives in eval.ts, for the engine's oracle only),
 * each returning typed results validated with zod. The binary and the default per-call timeout
 * come from `config.opa` (PAC_OPA_PATH, PAC_OPA_TIMEOUT_MS); every call can override the timeout.
 *
 *   const config = loadConfig();
 *   await opaCheck({ opa: config.opa, paths: ['policies'], strict: true });
 *   const report = await opaTest({ opa: config.opa, paths: ['policies'], coverage: true });
 *
 * Errors: OpaCompileError (Rego that does not parse/compile, a query that fails), OpaTimeoutError
 * (the process group was killed), OpaNotFoundError (no binary), OpaCommandError (a bad flag or
 * path), OpaOutputError (output this module does not understand). Failing tests are not errors.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type Call, failure, loadArgs, type OpaCallOptions, type OpaLoadOptions, prepare, requirePaths, run } from './call';
import { describeCommand, OpaCommandError, OpaCompileError, type OpaErrorDetail, OpaTimeoutError } from './errors';
import {
  type OpaCoverage,
  type OpaTestCase,
  type OpaTestSummary,
  packagePathOf,
  parseCoverageReport,
  parseJsonErrors,
  parseModuleOutput,
  parseTestResults,
  parseTextErrors,
  parseVersionOutput,
  ruleNamesOf,
  summarizeTests,
} from './parse';
import type { RunOpaResult } from './run';
import type { OpaModule, OpaVersionInfo } from './schemas';

export type { OpaCallOptions, OpaLoadOptions } from './call';
export * from './errors';
export * from './parse';
export * from './schemas';

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

export interface OpaBuildOptions extends OpaCallOptions, OpaLoadOptions {
  /** the build target: `wasm` compiles the entrypoints to a WebAssembly module */
  target: 'rego' | 'wasm';
  /** entrypoints (`-e`), e.g. `kpc/engine/denials` */
  entrypoints: readonly string[];
  /** the bundle archive to write (`-o`) */
  output: string;
  /** optimisation level (`-O`) */
  optimize?: 0 | 1 | 2;
}

/**
 * `opa build -t <target> -e … -o <output>`: writes the bundle archive; throws OpaCompileError
 * when the policies do not compile (e.g. a built-in the capabilities do not allow).
 */
export async function opaBuild(options: OpaBuildOptions): Promise<{ output: string }> {
  requirePaths('opaBuild', options.paths);
  const call = prepare(options);
  const args = ['build', '-t', options.target, ...loadArgs(options)];
  for (const entrypoint of options.entrypoints) args.push('-e', entrypoint);
  if (options.optimize) args.push(`-O=${options.optimize}`);
  args.push('-o', options.output, '--', ...options.paths);
  const result = await run(call, args);
  if (result.exitCode === 0) return { output: options.output };
  throw buildFailure(args, result);
}

/** `opa build` prints errors as text ("N errors occurred:" then file:row: code: message). */
function buildFailure(args: string[], result: RunOpaResult): OpaCompileError | OpaCommandError {
  const text = result.stderr || result.stdout;
  const errors = parseJsonErrors(text) ?? parseTextErrors(text);
  if (errors?.length) return new OpaCompileError(describeCommand(args), errors);
  return new OpaCommandError(describeCommand(args), result.exitCode, text);
}
