/**
 * What every `pac` command shares: the exit codes, the usage error, option parsing and `--help`.
 * Kept free of heavy imports (no zod, no clients): `pac --help` and `pac <command> --help` load
 * only this module and the command's own module.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../infra/config';

/** The exit codes of every command (README "Exit codes"). */
export const EXIT = {
  /** clean: nothing at or above the threshold, or the action succeeded */
  ok: 0,
  /** internal error: an engine or a service failed, or a bug */
  internal: 1,
  /** invalid input or usage */
  usage: 2,
  /** findings at or above the threshold */
  findings: 3,
} as const;

/** Bad command line or bad input: exit code 2, the message on stderr. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

/** Errors thrown below the CLI that mean "invalid input" (exit code 2), by name: no import needed. */
const INPUT_ERRORS = new Set(['CliUsageError', 'ConfigError', 'ManifestInputError', 'DraftRequestError', 'AnalyzeInputError']);

export function exitCodeOfError(error: unknown): number {
  return error instanceof Error && INPUT_ERRORS.has(error.name) ? EXIT.usage : EXIT.internal;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** the value's placeholder in --help (string options), e.g. "N" */
  value?: string;
  help: string;
}

type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K]['type'] extends 'boolean' ? boolean : O[K]['multiple'] extends true ? string[] | undefined : string | undefined;
};

export interface RunArgs<O extends Record<string, OptionSpec>> {
  values: Values<O> & { json: boolean };
  positionals: string[];
  /** --json was given */
  json: boolean;
  /** the configuration from PAC_* variables (loaded on first use: zod is not needed for --help) */
  config(): Promise<Config>;
  /** JSON (with --json) or text on stdout */
  print(data: unknown, text: string): void;
}

export interface Command<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** e.g. "pac analyze <file|dir|->... [options]" */
  usage: string;
  /** what the command does, in a few lines */
  description: string;
  options: O;
  /** what exit codes 0 and 3 mean for this command, and any command-specific extra codes */
  exitCodes: { ok: string; findings?: string; extra?: Record<number, string> };
  examples?: string[];
  run(args: RunArgs<O>): Promise<number>;
}

export function defineCommand<const O extends Record<string, OptionSpec>>(command: Command<O>): Command<O> {
  return command;
}

const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'machine-readable output on stdout' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
};

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    return [flag, `${spec.help}${spec.multiple ? ' (repeatable)' : ''}`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return rows.map(([flag, help]) => `  ${flag.padEnd(width)}${help.split('\n').join(`\n  ${' '.repeat(width)}`)}`);
}

export function exitCodeLines(codes: Command['exitCodes']): string[] {
  const rows: [number, string][] = [
    [EXIT.ok, codes.ok],
    [EXIT.findings, codes.findings ?? 'not used by this command (it reports no findings)'],
    [EXIT.usage, 'invalid input or usage (the message names the file:line or the flag)'],
    [EXIT.internal, 'internal error: an engine or a service failed'],
    ...Object.entries(codes.extra ?? {}).map(([code, text]) => [Number(code), `${text} (specific to this command)`] as [number, string]),
  ];
  return rows.map(([code, text]) => `  ${code}  ${text}`);
}

export function commandHelp(name: string, summary: string, command: Command): string {
  return [
    `usage: ${command.usage}`,
    '',
    summary,
    ...(command.description ? ['', command.description] : []),
    '',
    'options:',
    ...optionLines({ ...command.options, ...COMMON_OPTIONS }),
    '',
    'exit codes:',
    ...exitCodeLines(command.exitCodes),
    ...(command.examples?.length ? ['', 'examples:', ...command.examples.map((e) => `  ${e}`)] : []),
    '',
  ]
    .join('\n')
    .replaceAll('{name}', name);
}

/** Parses `argv` for `command` (unknown flags are usage errors), prints --help, or runs it. */
export async function runCommand(name: string, summary: string, command: Command, argv: string[]): Promise<number> {
  const options = { ...command.options, ...COMMON_OPTIONS };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(options).map(([key, spec]) => [
          key,
          { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) },
        ]),
      ),
    });
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}\n(see: pac ${name} --help)`);
  }
  const values = { ...parsed.values } as Record<string, unknown>;
  for (const [key, spec] of Object.entries(options)) if (spec.type === 'boolean') values[key] = values[key] === true;
  if (values.help) {
    process.stdout.write(commandHelp(name, summary, command));
    return EXIT.ok;
  }
  const json = values.json === true;
  let config: Config | undefined;
  return command.run({
    values: values as RunArgs<Record<string, OptionSpec>>['values'],
    positionals: parsed.positionals,
    json,
    config: async () => {
      config ??= (await import('../infra/config')).loadConfig();
      return config;
    },
    print: (data, text) => process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`),
  });
}

/** A whole number > 0 from a flag, or undefined when the flag is absent. */
export function wholeNumber(name: string, value: string | undefined, { min = 1 }: { min?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliUsageError(`${name}: expected a whole number ≥ ${min}, got "${value}"`);
  return n;
}

/** Values of a repeatable, comma-separable flag: ["a,b", "c"] → ["a", "b", "c"]. */
export function listValues(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Checks that every value is one of `allowed`; a usage error names the flag and the choices. */
export function oneOf<T extends string>(what: string, values: readonly string[], allowed: readonly T[]): T[] {
  for (const value of values) {
    if (!allowed.includes(value as T)) throw new CliUsageError(`${what}: unknown "${value}": expected one of ${allowed.join(', ')}`);
  }
  return values as T[];
}
