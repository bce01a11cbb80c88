/**
 * The error classes of the OPA access module and how OPA's errors read in their messages.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  describeCommand,
  formatOpaErrorDetail,
  OpaCommandError,
  OpaCompileError,
  OpaError,
  OpaNotFoundError,
  OpaTimeoutError,
} from '../../activities/opa/errors';
import { parseJsonErrors, parseTextErrors } from '../../activities/opa/parse';

function recordedStream(name: string, stream: 'stdout' | 'stderr'): string {
  const record = JSON.parse(readFileSync(new URL(`../fixtures/opa/recorded/${name}.json`, import.meta.url), 'utf8'));
  return record[stream] as string;
}

describe('formatOpaErrorDetail', () => {
  it('shows file:row:col: message', () => {
    expect(formatOpaErrorDetail({ code: 'rego_parse_error', message: 'unexpected } token', file: 'p.rego', row: 5, col: 1 })).toBe(
      'p.rego:5:1: unexpected } token',
    );
  });

  it('shows what is known of the location', () => {
    expect(formatOpaErrorDetail({ message: 'var x is unsafe', file: 'p.rego', row: 4 })).toBe('p.rego:4: var x is unsafe');
    expect(formatOpaErrorDetail({ message: 'unexpected eof token', row: 1, col: 7 })).toBe('<query>:1:7: unexpected eof token');
    expect(formatOpaErrorDetail({ code: 'rego_compile_error', message: 'error limit reached' })).toBe('error limit reached');
  });
});

describe('OpaCompileError', () => {
  it('lists every error as file:row:col: message from recorded check output', () => {
    const errors = parseJsonErrors(recordedStream('check-syntax', 'stderr')) ?? [];
    const error = new OpaCompileError('opa check --format json test/fixtures/opa/syntax', errors);
    expect(error).toBeInstanceOf(OpaError);
    expect(error.name).toBe('OpaCompileError');
    expect(error.errors).toEqual(errors);
    expect(error.message).toBe(
      'opa check --format json test/fixtures/opa/syntax: 1 error\n  test/fixtures/opa/syntax/broken.rego:5:1: unexpected } token',
    );
  });

  it('indents multi-line messages and counts the errors', () => {
    const errors = parseTextErrors(recordedStream('test-unsafe', 'stderr'));
    const error = new OpaCompileError('opa test', errors);
    expect(error.message.split('\n')[0]).toBe('opa test: 11 errors');
    expect(error.message).toContain('\n  test/fixtures/opa/unsafe/many.rego:4: var v0 is unsafe\n');
    expect(error.message.endsWith('\n  error limit reached')).toBe(true);

    const conflict = new OpaCompileError('opa eval', parseJsonErrors(recordedStream('eval-conflict', 'stdout')) ?? []);
    expect(conflict.message).toContain('failing_test.rego:6:1: function data.kubernetes');
    expect(conflict.message).toContain('\n    1 at test/fixtures/opa/failing/failing_test.rego:4');
  });
});

describe('the other errors', () => {
  it('OpaTimeoutError names the command and the timeout', () => {
    const error = new OpaTimeoutError('opa eval --format json -- data.slow.busy', 500);
    expect(error.name).toBe('OpaTimeoutError');
    expect(error.timeoutMs).toBe(500);
    expect(error.message).toBe('opa eval --format json -- data.slow.busy timed out after 500 ms and was killed');
  });

  it('OpaNotFoundError names the path and the install command', () => {
    const error = new OpaNotFoundError('/nowhere/opa', Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' }));
    expect(error.name).toBe('OpaNotFoundError');
    expect(error.path).toBe('/nowhere/opa');
    expect(error.message).toContain('/nowhere/opa was not found');
    expect(error.message).toContain('npm run install:engines');
    const notExecutable = new OpaNotFoundError('/etc/hosts', Object.assign(new Error('spawn EACCES'), { code: 'EACCES' }));
    expect(notExecutable.message).toContain('/etc/hosts is not executable');
  });

  it('OpaCommandError carries the exit code and what OPA printed', () => {
    const stderr = recordedStream('check-bad-capabilities', 'stderr');
    const error = new OpaCommandError('opa check', 1, stderr);
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/^opa check failed with exit code 1: Error: invalid argument "v0.10.0" for "--capabilities"/);
  });

  it('describeCommand quotes arguments that need it', () => {
    expect(describeCommand(['eval', '--data', 'p', '--', 'data.x[msg]'])).toBe('opa eval --data p -- "data.x[msg]"');
    expect(describeCommand(['test', '--run', 'test_a|test_b', 'dir/x'])).toBe('opa test --run "test_a|test_b" dir/x');
  });
});
