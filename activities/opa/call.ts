/**
 * What every `opa` call shares: its options, the per-call deadline (one timeout for all the
 * commands of a call), load flags and the mapping of a failed run to a typed error. Used by
 * opa.ts (version, check, test, parse, build) and eval.ts (eval, engine-internal).
 */
import { type Config, loadConfig } from '../../infra/config';
import { describeCommand, OpaCommandError, OpaCompileError, OpaTimeoutError } from './errors';
import { parseJsonErrors } from './parse';
import { type RunOpaResult, runOpa } from './run';

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
  /** caps the process's heap (prlimit --data): untrusted Rego (see activities/engine/sandbox.ts) */
  memoryLimitBytes?: number;
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

export interface Call {
  path: string;
  timeoutMs: number;
  deadline: number;
  cwd?: string;
  signal?: AbortSignal;
  memoryLimitBytes?: number;
}

export function prepare(options: OpaCallOptions): Call {
  const opa = options.opa ?? loadConfig().opa;
  const timeoutMs = options.timeoutMs ?? opa.timeoutMs;
  return {
    path: opa.path,
    timeoutMs,
    deadline: Date.now() + timeoutMs,
    cwd: options.cwd,
    signal: options.signal,
    memoryLimitBytes: options.memoryLimitBytes,
  };
}

/** Runs one command of a call within what is left of the call's timeout. */
export async function run(call: Call, args: string[], stdin?: string, cwd = call.cwd): Promise<RunOpaResult> {
  const remaining = call.deadline - Date.now();
  if (remaining <= 0) throw new OpaTimeoutError(describeCommand(args), call.timeoutMs);
  try {
    return await runOpa({
      path: call.path,
      args,
      timeoutMs: remaining,
      stdin,
      cwd,
      signal: call.signal,
      memoryLimitBytes: call.memoryLimitBytes,
    });
  } catch (error) {
    // name the call's timeout, not the remainder a later command of the call had
    if (error instanceof OpaTimeoutError) throw new OpaTimeoutError(error.command, call.timeoutMs);
    throw error;
  }
}

export function loadArgs(options: OpaLoadOptions): string[] {
  const args: string[] = [];
  if (options.bundle) args.push('--bundle');
  if (options.capabilities) args.push('--capabilities', options.capabilities);
  for (const name of options.ignore ?? []) args.push('--ignore', name);
  return args;
}

export function requirePaths(what: string, paths: readonly string[]): void {
  if (paths.length === 0) throw new TypeError(`${what}: paths must name at least one file or directory`);
}

/** The JSON errors OPA printed on either stream, or an OpaCommandError with its text. */
export function failure(args: string[], result: RunOpaResult): OpaCompileError | OpaCommandError {
  const command = describeCommand(args);
  const errors = parseJsonErrors(result.stderr) ?? parseJsonErrors(result.stdout);
  if (errors) return new OpaCompileError(command, errors);
  return new OpaCommandError(command, result.exitCode, result.stderr || result.stdout);
}
