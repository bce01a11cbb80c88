/**
 * The built CLI (bin/pac.js → dist/): --help of every command with its exit codes, the command
 * list, and usage errors that stop before anything is contacted.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/commands/index';
import { testEnv } from './harness';

const root = join(import.meta.dirname, '..', '..');

function pac(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [join(root, 'bin', 'pac.js'), ...args], {
    cwd: root,
    env: { ...testEnv(), ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('pac --help', () => {
  it('lists every command with the exit codes', () => {
    const run = pac(['--help']);
    expect(run.code).toBe(0);
    for (const [name, entry] of Object.entries(COMMANDS)) expect(run.stdout).toContain(`  ${name.padEnd(14)}${entry.summary}`);
    expect(run.stdout).toMatch(
      /exit codes \(every command\):\n {2}0 {2}clean.*\n {2}3 {2}findings.*\n {2}2 {2}invalid input or usage.*\n {2}1 {2}internal error/,
    );
    expect(pac(['help']).stdout).toBe(run.stdout);
  });

  it('every command answers --help with its usage, options and exit codes, without contacting anything', () => {
    // an unreachable Temporal and MLflow: --help must not try them
    const env = { PAC_TEMPORAL_ADDRESS: '127.0.0.1:1', PAC_MLFLOW_URI: 'http://127.0.0.1:1' };
    for (const name of Object.keys(COMMANDS)) {
      const run = pac([name, '--help'], env);
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      expect(run.stdout, name).toMatch(new RegExp(`^usage: pac ${name}\\b`));
      expect(run.stdout, name).toMatch(/\noptions:\n[\s\S]*--json[\s\S]*\nexit codes:\n {2}0 {2}.+\n {2}3 {2}.+\n {2}2 {2}.+\n {2}1 {2}.+/);
      expect(pac(['help', name], env).stdout).toBe(run.stdout);
    }
    expect(pac(['draft', '-h']).stdout).toMatch(/ {2}4 {2}rejected \(specific to this command\)\n {2}5 {2}expired/);
  });

  it('no command, an unknown command or flag: usage errors (exit code 2)', () => {
    expect(pac([]).code).toBe(2);
    const unknown = pac(['nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^pac: unknown command "nope"/);
    const flag = pac(['status', '--nope']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--nope'[\s\S]*pac status --help/);
  });

  it('pac worker checks --queues and --concurrency before connecting', () => {
    const env = { PAC_TEMPORAL_ADDRESS: '127.0.0.1:1' };
    const queues = pac(['worker', '--queues', 'main,nope'], env);
    expect(queues.code).toBe(2);
    expect(queues.stderr).toMatch(/--queues: unknown "nope": expected one of main, lifecycle, drafting/);
    const concurrency = pac(['worker', '--concurrency', '0'], env);
    expect(concurrency.code).toBe(2);
    expect(concurrency.stderr).toMatch(/--concurrency: expected a whole number ≥ 1, got "0"/);
  });

  it('flags may come before the command', () => {
    const run = pac(['--json', 'status', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: pac status/);
  });
});
