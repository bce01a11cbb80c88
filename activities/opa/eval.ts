/**
 * `opa eval`: only the engine's oracle (activities/opa/corpus.ts), benchmarks, data tools and tests may use it.
 * Everything else evaluates through activities/engine, and .dependency-cruiser.cjs enforces that.
 */

import { failure, type OpaCallOptions, prepare, run } from './call';
import { describeCommand } from './errors';
import { outputLines, parseEvalOutput } from './parse';
import type { OpaEvalResult } from './schemas';

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
