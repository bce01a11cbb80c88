/**
 * The pure parsing of the OPA access module, against output recorded from the real opa v1.22.2
 * (test/fixtures/opa/recorded/, made by test/fixtures/opa/record.mjs).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OpaOutputError } from '../../activities/opa/errors';
import * as parse from '../../activities/opa/parse';

interface Recorded {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

function recorded(name: string): Recorded {
  return JSON.parse(readFileSync(new URL(`../fixtures/opa/recorded/${name}.json`, import.meta.url), 'utf8')) as Recorded;
}

const F = 'test/fixtures/opa';

describe('parseVersionOutput', () => {
  it('reads the Key: value lines of opa version and drops empty values', () => {
    const info = parse.parseVersionOutput(recorded('version').stdout);
    expect(info.version).toBe('1.22.2');
    expect(info.goVersion).toMatch(/^go1\.\d+/);
    expect(info.platform).toBe('linux/amd64');
    expect(info.regoVersion).toBe('v1');
    expect(info.webAssembly).toBe('unavailable');
    // `Build Commit:` is empty in a `go install` build
    expect(info).not.toHaveProperty('buildCommit');
  });

  it('rejects output without a version', () => {
    expect(() => parse.parseVersionOutput('Go Version: go1.26\n')).toThrow(OpaOutputError);
  });
});

describe('parseJsonErrors', () => {
  it('maps a parse error of opa check (printed on stderr) with its location and source line', () => {
    const sample = recorded('check-syntax');
    expect(sample.exitCode).toBe(1);
    expect(sample.stdout).toBe('');
    expect(parse.parseJsonErrors(sample.stderr)).toEqual([
      {
        code: 'rego_parse_error',
        message: 'unexpected } token',
        file: `${F}/syntax/broken.rego`,
        row: 5,
        col: 1,
        details: { line: '}', idx: 0 },
      },
    ]);
  });

  it('maps a strict-mode error', () => {
    expect(parse.parseJsonErrors(recorded('check-strict').stderr)).toEqual([
      { code: 'rego_compile_error', message: 'assigned var unused unused', file: `${F}/strict/unused.rego`, row: 5, col: 2 },
    ]);
  });

  it('keeps errors without code or location (load errors, the error limit)', () => {
    expect(parse.parseJsonErrors(recorded('check-missing-path').stderr)).toEqual([
      { message: `stat ${F}/does-not-exist: no such file or directory` },
    ]);
    const limited = parse.parseJsonErrors(recorded('check-error-limit').stderr) ?? [];
    expect(limited).toHaveLength(11);
    expect(limited[0]).toEqual({
      code: 'rego_unsafe_var_error',
      message: 'var v0 is unsafe',
      file: `${F}/unsafe/many.rego`,
      row: 4,
      col: 11,
    });
    expect(limited[10]).toEqual({ code: 'rego_compile_error', message: 'error limit reached' });
  });

  it('maps a capabilities violation to the call of the missing built-in', () => {
    expect(parse.parseJsonErrors(recorded('check-capabilities').stderr)).toContainEqual({
      code: 'rego_type_error',
      message: 'undefined function sprintf',
      file: `${F}/policies/privileged/privileged.rego`,
      row: 16,
      col: 9,
    });
  });

  it('drops the empty file name of a query error (eval prints its errors on stdout)', () => {
    const sample = recorded('eval-query-error');
    expect(sample.exitCode).toBe(2);
    expect(parse.parseJsonErrors(sample.stdout)).toEqual([
      { code: 'rego_parse_error', message: 'unexpected eof token', row: 1, col: 7, details: { line: 'data.x[', idx: 6 } },
    ]);
  });

  it('maps an evaluation error (conflict) to where it happened', () => {
    const [error] = parse.parseJsonErrors(recorded('eval-conflict').stdout) ?? [];
    expect(error).toMatchObject({ code: 'eval_conflict_error', file: `${F}/failing/failing_test.rego`, row: 6, col: 1 });
    expect(error?.message).toContain('produced conflicting values for the same inputs');
  });

  it('returns undefined for text that is not an error document', () => {
    expect(parse.parseJsonErrors(recorded('check-bad-capabilities').stderr)).toBeUndefined();
    expect(parse.parseJsonErrors('')).toBeUndefined();
    expect(parse.parseJsonErrors('{"errors": []}')).toBeUndefined();
    expect(parse.parseJsonErrors('{"result": []}')).toBeUndefined();
  });
});

describe('parseTextErrors (what opa test prints even with --format json)', () => {
  it('reads a parse error with its source line and caret', () => {
    const sample = recorded('test-syntax');
    expect(sample.stdout).toBe('');
    expect(parse.parseTextErrors(sample.stderr)).toEqual([
      {
        file: `${F}/syntax/broken.rego`,
        row: 5,
        code: 'rego_parse_error',
        message: 'unexpected } token',
        details: { line: '}', idx: 0 },
      },
    ]);
  });

  it('reads a list of compile errors and the error limit', () => {
    const errors = parse.parseTextErrors(recorded('test-unsafe').stderr);
    expect(errors).toHaveLength(11);
    expect(errors[0]).toEqual({ file: `${F}/unsafe/many.rego`, row: 4, code: 'rego_unsafe_var_error', message: 'var v0 is unsafe' });
    expect(errors[10]).toEqual({ code: 'rego_compile_error', message: 'error limit reached' });
  });

  it('reads a load error without code', () => {
    expect(parse.parseTextErrors(recorded('test-missing-path').stderr)).toEqual([
      { message: `stat ${F}/does-not-exist: no such file or directory` },
    ]);
  });

  it('keeps the indented lines of a multi-line message', () => {
    expect(parse.parseTextErrors(recorded('test-coverage-error').stderr)).toEqual([
      {
        file: `${F}/failing/failing_test.rego`,
        row: 6,
        code: 'eval_conflict_error',
        message: [
          'function data.kubernetes.admission.failing_test.conflict produced conflicting values for the same inputs:',
          `  1 at ${F}/failing/failing_test.rego:4`,
          `  2 at ${F}/failing/failing_test.rego:6`,
        ].join('\n'),
      },
    ]);
  });

  it('finds nothing in text that has no errors', () => {
    expect(parse.parseTextErrors('error parsing regexp: missing closing ): `(`\n')).toEqual([]);
    expect(parse.parseTextErrors('')).toEqual([]);
  });
});

describe('parseTestResults', () => {
  it('reads passing tests, sorted by file and row, with durations in ms', () => {
    const sample = recorded('test-pass');
    expect(sample.exitCode).toBe(0);
    const tests = parse.parseTestResults(sample.stdout);
    expect(tests.map((t) => [t.name, t.status, t.location.row])).toEqual([
      ['test_denies_privileged_container', 'pass', 10],
      ['test_allows_unprivileged_container', 'pass', 14],
    ]);
    const [first] = tests;
    expect(first).toMatchObject({
      package: 'kubernetes.admission.privileged_test',
      fullName: 'data.kubernetes.admission.privileged_test.test_denies_privileged_container',
      location: { file: `${F}/policies/privileged/privileged_test.rego`, row: 10, col: 1 },
      output: [],
      trace: [],
    });
    expect(first?.durationMs).toBeGreaterThan(0);
    expect(first?.durationMs).toBeLessThan(1000);
    expect(parse.summarizeTests(tests)).toEqual({ total: 2, passed: 2, failed: 0, errored: 0, skipped: 0, ok: true });
  });

  it('tells pass, fail, error and skip apart and decodes the base64 print output (exit code 2)', () => {
    const sample = recorded('test-failing');
    expect(sample.exitCode).toBe(2);
    const tests = parse.parseTestResults(sample.stdout);
    expect(tests.map((t) => [t.name, t.status])).toEqual([
      ['test_passes', 'pass'],
      ['test_fails', 'fail'],
      ['test_errors', 'error'],
      ['todo_test_not_written_yet', 'skip'],
    ]);
    const byName = Object.fromEntries(tests.map((t) => [t.name, t]));
    expect(byName.test_fails?.output).toEqual(['replicas: 3']);
    expect(byName.test_fails?.trace).toEqual([]);
    expect(byName.test_errors?.error).toMatchObject({
      code: 'eval_conflict_error',
      file: `${F}/failing/failing_test.rego`,
      row: 6,
    });
    expect(byName.todo_test_not_written_yet?.durationMs).toBe(0);
    expect(parse.summarizeTests(tests)).toEqual({ total: 4, passed: 1, failed: 1, errored: 1, skipped: 1, ok: false });
  });

  it('renders the trace of a failed test (--verbose) as lines', () => {
    const tests = parse.parseTestResults(recorded('test-failing-verbose').stdout);
    const failed = tests.find((t) => t.name === 'test_fails');
    expect(failed?.trace).toEqual([
      'query:1 Enter data.kubernetes.admission.failing_test.test_fails = $term1',
      `${F}/failing/failing_test.rego:12 | Enter test_fails`,
      `${F}/failing/failing_test.rego:14 | Fail 3 = 4`,
      'query:1 Fail data.kubernetes.admission.failing_test.test_fails = $term1',
    ]);
    // passing tests carry no trace
    expect(tests.find((t) => t.name === 'test_passes')?.trace).toEqual([]);
  });

  it('locates a test that hit OPA’s own timeout by its stack trace', () => {
    const [test] = parse.parseTestResults(recorded('test-timeout').stdout);
    expect(test).toMatchObject({
      name: 'test_busy',
      status: 'error',
      error: { code: 'eval_cancel_error', message: 'context deadline exceeded', file: `${F}/slow/slow.rego`, row: 6 },
    });
  });

  it('rejects what is not a result array', () => {
    expect(() => parse.parseTestResults(recorded('test-coverage').stdout)).toThrow(OpaOutputError);
    expect(() => parse.parseTestResults(recorded('test-syntax').stderr)).toThrow(OpaOutputError);
    expect(() => parse.parseTestResults('[{"name": "x"}]')).toThrow(/location/);
  });
});

describe('parseCoverageReport', () => {
  it('reads coverage per file and overall', () => {
    const coverage = parse.parseCoverageReport(recorded('test-coverage').stdout);
    expect(coverage.percent).toBeCloseTo(77.27, 2);
    expect(coverage.coveredLines).toBe(17);
    expect(coverage.notCoveredLines).toBe(5);
    const [test, policy] = coverage.files;
    expect(policy).toMatchObject({
      file: `${F}/policies/privileged/privileged.rego`,
      coveredLines: 9,
      notCoveredLines: 5,
    });
    expect(policy?.percent).toBeCloseTo(64.29, 2);
    // the untested `warn` rule starts at row 20
    expect(policy?.notCovered.map((r) => r.start.row)).toContain(20);
    expect(test).toMatchObject({ file: `${F}/policies/privileged/privileged_test.rego`, percent: 100, notCoveredLines: 0, notCovered: [] });
  });

  it('reads the zero values OPA omits as 0', () => {
    const coverage = parse.parseCoverageReport(
      '{"files": {"z.rego": {"not_covered": [{"start": {"row": 3, "col": 1}, "end": {"row": 3, "col": 6}}], "not_covered_lines": 1}}, "not_covered_lines": 1}',
    );
    expect(coverage).toEqual({
      percent: 0,
      coveredLines: 0,
      notCoveredLines: 1,
      files: [
        {
          file: 'z.rego',
          percent: 0,
          coveredLines: 0,
          notCoveredLines: 1,
          covered: [],
          notCovered: [{ start: { row: 3, col: 1 }, end: { row: 3, col: 6 } }],
        },
      ],
    });
  });

  it('rejects the text OPA prints instead of a report when a test fails', () => {
    expect(() => parse.parseCoverageReport(recorded('test-coverage-failing').stdout)).toThrow(OpaOutputError);
  });
});

describe('parseEvalOutput', () => {
  it('returns the result set', () => {
    expect(parse.parseEvalOutput(recorded('eval-deny').stdout)).toEqual([
      {
        expressions: [
          {
            value: ['container "app" must not run privileged'],
            text: 'data.kubernetes.admission.privileged.deny',
            location: { row: 1, col: 1 },
          },
        ],
      },
    ]);
  });

  it('returns bindings of query variables', () => {
    const [result] = parse.parseEvalOutput(recorded('eval-bindings').stdout);
    expect(result?.bindings).toEqual({ msg: 'container "app" must not run privileged', n: 39 });
    expect(result?.expressions).toHaveLength(2);
  });

  it('returns an empty result set for an undefined query (OPA prints {})', () => {
    const sample = recorded('eval-undefined');
    expect(sample.stdout.trim()).toBe('{}');
    expect(parse.parseEvalOutput(sample.stdout)).toEqual([]);
  });

  it('leaves print output on stderr', () => {
    const sample = recorded('eval-print');
    expect(parse.parseEvalOutput(sample.stdout)[0]?.bindings).toEqual({ x: 1 });
    expect(parse.outputLines(sample.stderr)).toEqual(['hello world']);
  });
});

describe('parseModuleOutput', () => {
  it('reads the package path and the rules of the AST', () => {
    const module = parse.parseModuleOutput(recorded('parse-policy').stdout);
    expect(parse.packagePathOf(module)).toBe('kubernetes.admission.privileged');
    expect(parse.ruleNamesOf(module)).toEqual(['containers', 'deny', 'warn', 'allow']);
    expect(module.rules).toHaveLength(5);
    expect(module.comments?.[0]?.Location?.row).toBe(1);
    expect(Buffer.from(module.comments?.[0]?.Text ?? '', 'base64').toString()).toContain('privileged containers');
  });

  it('names ref heads by their ground part', () => {
    const term = (type: string, value: unknown) => ({ type, value });
    const module = parse.parseModuleOutput(
      JSON.stringify({
        package: { path: [term('var', 'data'), term('string', 'refs')] },
        rules: [
          { head: { value: term('number', 1), ref: [term('var', 'a'), term('string', 'b'), term('string', 'c')] } },
          { head: { name: 'fruit', key: term('var', 'name'), ref: [term('var', 'fruit'), term('var', 'name')] } },
          { head: { name: 'f', args: [term('var', 'x')], ref: [term('var', 'f')] } },
          { default: true, head: { name: 'f', ref: [term('var', 'f')] } },
        ],
      }),
    );
    expect(parse.packagePathOf(module)).toBe('refs');
    expect(parse.ruleNamesOf(module)).toEqual(['a.b.c', 'fruit', 'f']);
  });

  it('rejects an error document', () => {
    expect(() => parse.parseModuleOutput(recorded('parse-syntax').stderr)).toThrow(OpaOutputError);
  });
});

describe('helpers', () => {
  it('decodes base64 print output into lines', () => {
    expect(parse.decodePrintOutput(Buffer.from('a\nb c\n').toString('base64'))).toEqual(['a', 'b c']);
    expect(parse.decodePrintOutput(undefined)).toEqual([]);
  });

  it('parses JSON only when the text is JSON', () => {
    expect(parse.tryParseJson('  {"a": 1}\n')).toEqual({ a: 1 });
    expect(parse.tryParseJson('1 error occurred')).toBeUndefined();
    expect(parse.tryParseJson('{not json')).toBeUndefined();
  });
});
