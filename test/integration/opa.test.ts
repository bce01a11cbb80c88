/**
 * The OPA access module against the real `opa` binary of the test configuration, with the Rego
 * fixtures of test/fixtures/opa/. Paths are relative to the repository root (vitest's cwd), so the
 * file names OPA reports are the fixtures' paths.
 */
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { opaEval } from '../../activities/opa/eval';
import {
  OpaCommandError,
  OpaCompileError,
  OpaNotFoundError,
  OpaTimeoutError,
  opaCheck,
  opaParse,
  opaTest,
  opaVersion,
} from '../../activities/opa/opa';
import type { Config } from '../../infra/config';
import { testConfig } from './harness';

const F = 'test/fixtures/opa';
let opa: Config['opa'];

beforeAll(() => {
  opa = testConfig().opa;
});

function pod(containers: { name: string; image?: string; privileged?: boolean }[]) {
  return {
    request: {
      kind: { kind: 'Pod' },
      object: {
        spec: {
          containers: containers.map(({ name, image = 'nginx:1.27', privileged }) => ({
            name,
            image,
            ...(privileged === undefined ? {} : { securityContext: { privileged } }),
          })),
        },
      },
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('opaVersion', () => {
  it('reports the version of the configured binary', async () => {
    const info = await opaVersion({ opa });
    expect(info.version).toBe(testConfig().versions.opa.version.replace(/^v/, ''));
    expect(info.goVersion).toMatch(/^go\d/);
    expect(info.regoVersion).toBe('v1');
  });

  it('accepts a whole Config as its options', async () => {
    expect((await opaVersion(testConfig())).version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('opaCheck', () => {
  it('passes valid policies', async () => {
    await expect(opaCheck({ opa, paths: [`${F}/policies`, `${F}/failing`] })).resolves.toEqual({ ok: true });
    await expect(opaCheck({ opa, paths: [`${F}/policies`], strict: true })).resolves.toEqual({ ok: true });
  });

  it('reports a syntax error with its file, row and column', async () => {
    const error = await rejection(opaCheck({ opa, paths: [`${F}/syntax`] }));
    expect(error).toBeInstanceOf(OpaCompileError);
    const { errors, message } = error as OpaCompileError;
    expect(errors).toEqual([
      {
        code: 'rego_parse_error',
        message: 'unexpected } token',
        file: `${F}/syntax/broken.rego`,
        row: 5,
        col: 1,
        details: { line: '}', idx: 0 },
      },
    ]);
    expect(message).toContain(`${F}/syntax/broken.rego:5:1: unexpected } token`);
  });

  it('flags an unused variable only in strict mode', async () => {
    await expect(opaCheck({ opa, paths: [`${F}/strict`] })).resolves.toEqual({ ok: true });
    const error = await rejection(opaCheck({ opa, paths: [`${F}/strict`], strict: true }));
    expect(error).toBeInstanceOf(OpaCompileError);
    expect((error as OpaCompileError).errors).toEqual([
      { code: 'rego_compile_error', message: 'assigned var unused unused', file: `${F}/strict/unused.rego`, row: 5, col: 2 },
    ]);
  });

  it('checks against capabilities', async () => {
    const error = await rejection(opaCheck({ opa, paths: [`${F}/policies`], capabilities: `${F}/capabilities/no-sprintf.json` }));
    expect(error).toBeInstanceOf(OpaCompileError);
    expect((error as OpaCompileError).errors.map((e) => [e.message, e.row])).toEqual([
      ['undefined function sprintf', 16],
      ['undefined function sprintf', 24],
    ]);
    await expect(opaCheck({ opa, paths: [`${F}/policies`], capabilities: 'v1.0.0' })).resolves.toEqual({ ok: true });
  });

  it('reports a bad flag value as OpaCommandError', async () => {
    const error = await rejection(opaCheck({ opa, paths: [`${F}/policies`], capabilities: 'v0.10.0' }));
    expect(error).toBeInstanceOf(OpaCommandError);
    expect((error as OpaCommandError).message).toContain('invalid argument "v0.10.0"');
  });
});

describe('opaTest', () => {
  it('returns passing tests', async () => {
    const report = await opaTest({ opa, paths: [`${F}/policies`] });
    expect(report.summary).toEqual({ total: 2, passed: 2, failed: 0, errored: 0, skipped: 0, ok: true });
    expect(report.tests.map((t) => [t.package, t.name, t.status, t.location.file, t.location.row])).toEqual([
      [
        'kubernetes.admission.privileged_test',
        'test_denies_privileged_container',
        'pass',
        `${F}/policies/privileged/privileged_test.rego`,
        10,
      ],
      [
        'kubernetes.admission.privileged_test',
        'test_allows_unprivileged_container',
        'pass',
        `${F}/policies/privileged/privileged_test.rego`,
        14,
      ],
    ]);
    expect(report.coverage).toBeUndefined();
  });

  it('returns failing, erroring and skipped tests as data, with output and trace', async () => {
    const report = await opaTest({ opa, paths: [`${F}/failing`], trace: true });
    expect(report.summary).toEqual({ total: 4, passed: 1, failed: 1, errored: 1, skipped: 1, ok: false });
    const byName = new Map(report.tests.map((t) => [t.name, t]));
    expect(byName.get('test_passes')?.status).toBe('pass');
    const failed = byName.get('test_fails');
    expect(failed).toMatchObject({
      status: 'fail',
      output: ['replicas: 3'],
      location: { file: `${F}/failing/failing_test.rego`, row: 12 },
    });
    expect(failed?.trace).toContain(`${F}/failing/failing_test.rego:14 | Fail 3 = 4`);
    expect(byName.get('test_errors')).toMatchObject({ status: 'error', error: { code: 'eval_conflict_error', row: 6 } });
    expect(byName.get('todo_test_not_written_yet')?.status).toBe('skip');
  });

  it('runs only the tests matching `run`', async () => {
    const report = await opaTest({
      opa,
      paths: [`${F}/policies`, `${F}/failing`],
      run: 'privileged_test\\.test_denies|failing_test\\.test_fails',
    });
    expect(report.tests.map((t) => [t.name, t.status])).toEqual([
      ['test_fails', 'fail'],
      ['test_denies_privileged_container', 'pass'],
    ]);
  });

  it('reports coverage per file and overall', async () => {
    const report = await opaTest({ opa, paths: [`${F}/policies`], coverage: true });
    expect(report.summary.ok).toBe(true);
    expect(report.coverageUnavailable).toBeUndefined();
    const coverage = report.coverage;
    expect(coverage?.percent).toBeCloseTo(77.27, 1);
    expect(coverage?.coveredLines).toBe(17);
    expect(coverage?.notCoveredLines).toBe(5);
    const policy = coverage?.files.find((f) => f.file === `${F}/policies/privileged/privileged.rego`);
    expect(policy?.percent).toBeCloseTo(64.29, 1);
    expect(policy?.notCovered.map((r) => r.start.row)).toContain(20);
    expect(coverage?.files.find((f) => f.file.endsWith('privileged_test.rego'))?.percent).toBe(100);
  });

  it('says why there is no coverage when a test fails', async () => {
    const report = await opaTest({ opa, paths: [`${F}/failing`], coverage: true });
    expect(report.coverage).toBeUndefined();
    expect(report.coverageUnavailable).toContain('1 failed, 1 errored');
  });

  it('throws OpaCompileError, with columns, when the tests do not compile', async () => {
    const error = await rejection(opaTest({ opa, paths: [`${F}/syntax`] }));
    expect(error).toBeInstanceOf(OpaCompileError);
    expect((error as OpaCompileError).errors).toEqual([
      expect.objectContaining({ code: 'rego_parse_error', file: `${F}/syntax/broken.rego`, row: 5, col: 1 }),
    ]);
    const unsafe = await rejection(opaTest({ opa, paths: [`${F}/unsafe`] }));
    expect((unsafe as OpaCompileError).errors.at(-1)?.message).toBe('error limit reached');
  });

  it('reports a bad `run` expression as OpaCommandError', async () => {
    const error = await rejection(opaTest({ opa, paths: [`${F}/policies`], run: '(' }));
    expect(error).toBeInstanceOf(OpaCommandError);
    expect((error as Error).message).toContain('error parsing regexp');
  });

  it('reports OPA’s own per-test timeout as an errored test', async () => {
    const report = await opaTest({ opa, paths: [`${F}/slow`], testTimeoutMs: 200 });
    expect(report.tests).toEqual([
      expect.objectContaining({ name: 'test_busy', status: 'error', error: expect.objectContaining({ code: 'eval_cancel_error' }) }),
    ]);
  });
});

describe('opaParse', () => {
  it('returns the AST of a file with its package path and rules', async () => {
    const parsed = await opaParse({ opa, path: `${F}/policies/privileged/privileged.rego` });
    expect(parsed.packagePath).toBe('kubernetes.admission.privileged');
    expect(parsed.ruleNames).toEqual(['containers', 'deny', 'warn', 'allow']);
    expect(parsed.ast.package.path.map((t) => t.value)).toEqual(['data', 'kubernetes', 'admission', 'privileged']);
    expect(parsed.ast.rules?.length).toBe(5);
  });

  it('parses source text through a temporary file it removes', async () => {
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith('pac-opa-parse-')).length;
    const parsed = await opaParse({
      opa,
      source: 'package k8s.labels\n\ndeny contains "missing owner" if not input.metadata.labels.owner\n',
      locations: true,
    });
    expect(parsed.packagePath).toBe('k8s.labels');
    expect(parsed.ruleNames).toEqual(['deny']);
    expect(parsed.ast.rules?.[0]?.head.location?.file).toBe('source.rego');
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('pac-opa-parse-')).length).toBe(before);
  });

  it('throws OpaCompileError naming the given file name for bad source', async () => {
    const error = await rejection(opaParse({ opa, source: 'package x\n\np if {\n', filename: 'draft.rego' }));
    expect(error).toBeInstanceOf(OpaCompileError);
    expect((error as OpaCompileError).errors[0]).toMatchObject({ code: 'rego_parse_error', file: 'draft.rego' });
    expect((error as OpaCompileError).message).toMatch(/draft\.rego:\d+:\d+: /);
  });

  it('throws OpaCompileError for a file with a syntax error', async () => {
    const error = await rejection(opaParse({ opa, path: `${F}/syntax/broken.rego` }));
    expect((error as OpaCompileError).errors[0]).toMatchObject({ file: `${F}/syntax/broken.rego`, row: 5, col: 1 });
  });
});

describe('opaEval', () => {
  it('denies a privileged container and allows an unprivileged one', async () => {
    const query = 'data.kubernetes.admission.privileged';
    const denied = await opaEval({
      opa,
      query: `${query}.deny`,
      dataPaths: [`${F}/policies`],
      input: pod([{ name: 'app', privileged: true }, { name: 'sidecar' }]),
    });
    expect(denied.defined).toBe(true);
    expect(denied.result[0]?.expressions[0]?.value).toEqual(['container "app" must not run privileged']);

    const allowed = await opaEval({
      opa,
      query: `${query}.allow`,
      dataPaths: [`${F}/policies`],
      input: pod([{ name: 'app', privileged: false }]),
    });
    expect(allowed.result[0]?.expressions[0]?.value).toBe(true);

    const notAllowed = await opaEval({
      opa,
      query: `${query}.allow`,
      dataPaths: [`${F}/policies`],
      input: pod([{ name: 'app', privileged: true }]),
    });
    expect(notAllowed).toEqual({ result: [], defined: false, printed: [] });
  });

  it('passes input that would not survive a command line, and returns bindings and print output', async () => {
    const name = `app'"; rm -rf / #${'x'.repeat(200_000)}`;
    const report = await opaEval({
      opa,
      query: 'some msg in data.kubernetes.admission.privileged.deny; print("checked"); n := count(msg)',
      dataPaths: [`${F}/policies`],
      input: pod([{ name, privileged: true }]),
    });
    expect(report.result[0]?.bindings?.msg).toBe(`container ${JSON.stringify(name)} must not run privileged`);
    expect(report.printed).toEqual(['checked']);
  });

  it('evaluates without input', async () => {
    const report = await opaEval({ opa, query: 'x := 1 + 1' });
    expect(report.result[0]?.bindings).toEqual({ x: 2 });
  });

  it('throws OpaCompileError for a bad query and for a conflict', async () => {
    const bad = await rejection(opaEval({ opa, query: 'data.x[', input: {} }));
    expect(bad).toBeInstanceOf(OpaCompileError);
    expect((bad as OpaCompileError).errors[0]).toMatchObject({ code: 'rego_parse_error', row: 1, col: 7 });
    expect((bad as OpaCompileError).errors[0]?.file).toBeUndefined();

    const conflict = await rejection(
      opaEval({ opa, query: 'data.kubernetes.admission.failing_test.test_errors', dataPaths: [`${F}/failing`] }),
    );
    expect((conflict as OpaCompileError).errors[0]).toMatchObject({ code: 'eval_conflict_error', file: `${F}/failing/failing_test.rego` });
  });
});

describe('failures of the binary', () => {
  it('kills a command that runs past its timeout', async () => {
    const started = Date.now();
    const error = await rejection(opaEval({ opa, query: 'data.slow.busy', dataPaths: [`${F}/slow`], timeoutMs: 1000 }));
    expect(error).toBeInstanceOf(OpaTimeoutError);
    expect((error as OpaTimeoutError).timeoutMs).toBe(1000);
    expect((error as OpaTimeoutError).command).toContain('opa eval');
    expect((error as Error).message).toContain('1000 ms');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('applies the timeout to the whole test call', async () => {
    const error = await rejection(opaTest({ opa, paths: [`${F}/slow`], testTimeoutMs: 60_000, timeoutMs: 1000 }));
    expect(error).toBeInstanceOf(OpaTimeoutError);
    expect((error as OpaTimeoutError).command).toContain('opa test');
  });

  it('reports a missing binary as OpaNotFoundError', async () => {
    const path = join(tmpdir(), 'pac-no-such-dir', 'opa');
    expect(existsSync(path)).toBe(false);
    const error = await rejection(opaCheck({ opa: { ...opa, path }, paths: [`${F}/policies`] }));
    expect(error).toBeInstanceOf(OpaNotFoundError);
    expect((error as OpaNotFoundError).path).toBe(path);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('npm run install:engines');
    await expect(opaVersion({ opa: { ...opa, path } })).rejects.toThrow(OpaNotFoundError);
  });
});
