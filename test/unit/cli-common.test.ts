/**
 * The command line's shared parts: exit codes, option parsing, --help of every command, and the
 * import discipline that keeps `pac --help` fast (no command module loads a client at import time).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../../cli/commands/index';
import {
  CliUsageError,
  commandHelp,
  defineCommand,
  EXIT,
  exitCodeOfError,
  listValues,
  oneOf,
  runCommand,
  wholeNumber,
} from '../../cli/common';
import { BUNDLE_NAMES, DEFAULT_BUNDLES } from '../../datasets/schemas';

const CLI = join(import.meta.dirname, '..', '..', 'cli');

afterEach(() => {
  vi.restoreAllMocks();
});

function captureStdout(): { text: () => string } {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  return { text: () => out };
}

describe('exit codes', () => {
  it('0 clean, 1 internal, 2 usage, 3 findings', () => {
    expect(EXIT).toEqual({ ok: 0, internal: 1, usage: 2, findings: 3 });
  });

  it('input errors from any layer are exit code 2, anything else 1', () => {
    expect(exitCodeOfError(new CliUsageError('x'))).toBe(2);
    for (const name of ['ConfigError', 'ManifestInputError', 'DraftRequestError', 'AnalyzeInputError']) {
      const error = new Error('bad');
      error.name = name;
      expect(exitCodeOfError(error)).toBe(2);
    }
    expect(exitCodeOfError(new Error('engine down'))).toBe(1);
    expect(exitCodeOfError(new TypeError('bug'))).toBe(1);
    expect(exitCodeOfError('a string')).toBe(1);
  });
});

describe('option helpers', () => {
  it('listValues splits repeated, comma-separated flags', () => {
    expect(listValues(['a,b', ' c ', ','])).toEqual(['a', 'b', 'c']);
    expect(listValues(undefined)).toEqual([]);
  });

  it('wholeNumber and oneOf refuse bad values with the flag name', () => {
    expect(wholeNumber('--top', '3')).toBe(3);
    expect(wholeNumber('--threads', '0', { min: 0 })).toBe(0);
    expect(wholeNumber('--top', undefined)).toBeUndefined();
    expect(() => wholeNumber('--top', '0')).toThrow(/--top: expected a whole number ≥ 1, got "0"/);
    expect(() => wholeNumber('--top', '2.5')).toThrow(CliUsageError);
    expect(oneOf('--format', ['sarif'], ['text', 'sarif'])).toEqual(['sarif']);
    expect(() => oneOf('--format', ['xml'], ['text', 'sarif'])).toThrow(/--format: unknown "xml": expected one of text, sarif/);
  });
});

describe('runCommand', () => {
  const probe = defineCommand({
    usage: 'pac probe <x> [--count N]',
    description: 'A command for this test.',
    options: { count: { type: 'string', value: 'N', help: 'how many' }, flag: { type: 'boolean', help: 'a flag' } },
    exitCodes: { ok: 'done', findings: 'found something', extra: { 4: 'special' } },
    async run({ values, positionals, json }) {
      return Number(values.count ?? 0) + positionals.length + (values.flag ? 10 : 0) + (json ? 100 : 0);
    },
  });

  it('parses its own flags, --json and positionals', async () => {
    expect(await runCommand('probe', 'probes', probe, ['a', 'b', '--count', '3', '--flag', '--json'])).toBe(115);
  });

  it('an unknown flag is a usage error that points to --help', async () => {
    await expect(runCommand('probe', 'probes', probe, ['--nope'])).rejects.toThrow(/Unknown option '--nope'[\s\S]*pac probe --help/);
    await expect(runCommand('probe', 'probes', probe, ['--nope'])).rejects.toBeInstanceOf(CliUsageError);
  });

  it('--help prints usage, options and every exit code, and does not run the command', async () => {
    const out = captureStdout();
    expect(await runCommand('probe', 'probes', probe, ['--help', '--count', '7'])).toBe(0);
    const help = out.text();
    expect(help).toMatch(/^usage: pac probe <x> \[--count N\]\n\nprobes\n\nA command for this test\./);
    expect(help).toMatch(/ {2}--count N +how many/);
    expect(help).toMatch(/ {2}--json +machine-readable output/);
    expect(help).toMatch(
      /exit codes:\n {2}0 {2}done\n {2}3 {2}found something\n {2}2 {2}invalid input or usage.*\n {2}1 {2}internal error.*\n {2}4 {2}special \(specific to this command\)/,
    );
  });
});

describe('every command', () => {
  it('has a module with usage, description, options and exit codes, and --help that names them', async () => {
    expect(Object.keys(COMMANDS)).toEqual(expect.arrayContaining(['analyze', 'worker', 'draft', 'serve', 'lint', 'ci-log', 'demo']));
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const { command } = await entry.load();
      expect(command.usage, name).toMatch(new RegExp(`^pac ${name}\\b`));
      const help = commandHelp(name, entry.summary, command);
      for (const code of [0, 1, 2, 3]) expect(help, name).toMatch(new RegExp(`\\n {2}${code} {2}\\S`));
      for (const option of Object.keys(command.options)) expect(help, `${name} --${option}`).toContain(`--${option}`);
    }
    const { command: draft } = await (COMMANDS.draft as (typeof COMMANDS)[string]).load();
    expect(commandHelp('draft', '', draft)).toMatch(/ {2}4 {2}rejected \(specific to this command\)\n {2}5 {2}expired/);
  });

  it('pac analyze --help names every bundle and the default ones', async () => {
    const { command } = await (COMMANDS.analyze as (typeof COMMANDS)[string]).load();
    const help = commandHelp('analyze', '', command);
    for (const name of BUNDLE_NAMES) expect(help).toContain(name);
    expect(help).toContain(`default: ${DEFAULT_BUNDLES.join(',')}`);
  });

  it('command modules, main and common import nothing heavy at load time (clients load inside run)', () => {
    const files = [
      join(CLI, 'main.ts'),
      join(CLI, 'common.ts'),
      ...readdirSync(join(CLI, 'commands')).map((f) => join(CLI, 'commands', f)),
    ];
    for (const file of files) {
      const staticImports = [...readFileSync(file, 'utf8').matchAll(/^import (?!type )[^;]*? from '([^']+)';/gms)].map((m) => m[1]);
      const heavy = staticImports.filter(
        (spec) =>
          !(
            spec?.startsWith('node:') ||
            spec === '../common' ||
            spec === './common' ||
            spec === './commands/index' ||
            (file.includes('/commands/') && spec?.startsWith('./'))
          ),
      );
      expect(heavy, file).toEqual([]);
    }
  });
});
