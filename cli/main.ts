/**
 * pac — the kube-pac-copilot command line: finds the command, loads its module (cli/commands/) and
 * runs it. Nothing heavy is imported here, so `pac --help` starts in a blink.
 */
import { COMMANDS } from './commands/index';
import { CliUsageError, EXIT, exitCodeLines, exitCodeOfError, runCommand } from './common';

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  return [
    'usage: pac <command> [options]     (pac <command> --help: its options and exit codes)',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}${entry.summary}`),
    '',
    'every command takes --json (machine-readable output) and -h, --help',
    '',
    'exit codes (every command):',
    ...exitCodeLines({ ok: 'clean: success, nothing at or above the threshold', findings: 'findings at or above the threshold' }),
    '  4, 5 pac draft only: rejected, expired',
    '',
  ].join('\n');
}

/** The command is the first argument that names one (flags may come before it). */
function splitCommand(argv: string[]): { name?: string; args: string[] } {
  const index = argv.findIndex((a) => !a.startsWith('-'));
  if (index === -1) return { args: argv };
  const candidate = argv[index] as string;
  const known = Object.hasOwn(COMMANDS, candidate) || candidate === 'help';
  if (!known && index > 0) {
    const later = argv.findIndex((a) => Object.hasOwn(COMMANDS, a));
    if (later !== -1) return { name: argv[later], args: [...argv.slice(0, later), ...argv.slice(later + 1)] };
  }
  return { name: candidate, args: [...argv.slice(0, index), ...argv.slice(index + 1)] };
}

async function main(argv: string[]): Promise<number> {
  const { name, args } = splitCommand(argv);
  if (!name) {
    process.stdout.write(usage());
    return args.includes('--help') || args.includes('-h') ? EXIT.ok : EXIT.usage;
  }
  if (name === 'help') {
    const topic = args.find((a) => !a.startsWith('-'));
    if (!topic) {
      process.stdout.write(usage());
      return EXIT.ok;
    }
    return main([topic, '--help']);
  }
  const entry = COMMANDS[name];
  if (!entry || !Object.hasOwn(COMMANDS, name)) throw new CliUsageError(`unknown command "${name}"\n\n${usage()}`);
  const { command } = await entry.load();
  return runCommand(name, entry.summary, command, args);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`pac: ${message}\n`);
  process.exitCode = exitCodeOfError(error);
}
