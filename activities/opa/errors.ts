/**
 * The errors of the OPA access module. Failing Rego tests are not errors: they are data in the
 * result of opaTest. Every class sets `name`, which Temporal uses as the failure type.
 */

/** One problem OPA reported, normalised from its JSON (or, for `opa test`, text) errors. */
export interface OpaErrorDetail {
  /** e.g. rego_parse_error, rego_compile_error, rego_type_error, eval_conflict_error; absent for load errors */
  code?: string;
  message: string;
  /** as OPA names it (relative to the working directory when the path given was); absent for the query of eval */
  file?: string;
  row?: number;
  /** absent when OPA only printed text (file:row) */
  col?: number;
  /** the source line and the index in it, for parse errors */
  details?: { line?: string; idx?: number };
}

/** `file:row:col: message` (what is known of it), the form editors and CI annotations understand. */
export function formatOpaErrorDetail(detail: OpaErrorDetail): string {
  const where = [detail.file || (detail.row !== undefined ? '<query>' : undefined), detail.row, detail.col]
    .filter((part) => part !== undefined && part !== '')
    .join(':');
  return where ? `${where}: ${detail.message}` : detail.message;
}

/** What ran: the subcommand and its arguments, without the binary's path. */
export function describeCommand(args: readonly string[]): string {
  return `opa ${args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ')}`;
}

export class OpaError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OpaError';
  }
}

/** Rego that does not parse or compile, or a query that fails to evaluate. */
export class OpaCompileError extends OpaError {
  constructor(
    /** the command that reported them, e.g. `opa check --format json policies` */
    readonly command: string,
    readonly errors: OpaErrorDetail[],
  ) {
    const count = errors.length === 1 ? '1 error' : `${errors.length} errors`;
    super(`${command}: ${count}\n${errors.map((e) => `  ${formatOpaErrorDetail(e).replace(/\n/g, '\n  ')}`).join('\n')}`);
    this.name = 'OpaCompileError';
  }
}

/** The command ran longer than its timeout; its process group was killed. */
export class OpaTimeoutError extends OpaError {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`${command} timed out after ${timeoutMs} ms and was killed`);
    this.name = 'OpaTimeoutError';
  }
}

/** The process went over its memory cap (prlimit/ulimit on its data segment) and was stopped by the Go runtime. */
export class OpaMemoryLimitError extends OpaError {
  constructor(
    readonly command: string,
    readonly limitBytes: number,
  ) {
    super(`${command} ran out of its memory limit of ${Math.round(limitBytes / 1048576)} MiB and was stopped`);
    this.name = 'OpaMemoryLimitError';
  }
}

/** The configured binary does not exist (or cannot be executed). */
export class OpaNotFoundError extends OpaError {
  constructor(
    readonly path: string,
    cause?: unknown,
  ) {
    const reason = (cause as NodeJS.ErrnoException | undefined)?.code === 'EACCES' ? 'is not executable' : 'was not found';
    super(`the OPA binary ${path} ${reason}; run \`npm run install:engines\` or set PAC_OPA_PATH`, { cause });
    this.name = 'OpaNotFoundError';
  }
}

/** OPA failed in a way that is not about the Rego (a bad flag or path), or printed nothing usable. */
export class OpaCommandError extends OpaError {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    detail?: string,
  ) {
    const text = (detail ?? stderr.trim()) || '(no output)';
    super(`${command} failed${exitCode === null ? '' : ` with exit code ${exitCode}`}: ${text}`);
    this.name = 'OpaCommandError';
  }
}

/** OPA printed JSON this module does not understand (a format change in a newer release). */
export class OpaOutputError extends OpaError {
  constructor(
    readonly command: string,
    problem: string,
    readonly output: string,
  ) {
    super(`${command} printed output that does not match the expected format: ${problem}`);
    this.name = 'OpaOutputError';
  }
}
