/**
 * The Rego linter with the real `opa`: it finds the problems planted in test/fixtures/lint/ (rule
 * and line), and nothing at all in the policy corpus.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type LintFinding, lintRego } from '../../activities/lint/lint';
import type { Config } from '../../infra/config';
import { testConfig } from './harness';

let config: Config;
beforeAll(() => {
  config = testConfig();
});

const at = (findings: LintFinding[]) => findings.map((f) => `${f.rule}@${f.line}:${f.severity}`).sort();

describe('Rego linter', () => {
  it('finds every planted problem with its rule, severity and line', async () => {
    const report = await lintRego(config, ['test/fixtures/lint/planted']);
    expect(report.files).toEqual(['test/fixtures/lint/planted/policy.rego']);
    expect(at(report.findings)).toEqual(
      [
        'missing-test-file@3:warning',
        'unused-rule@8:warning',
        'unused-variable@11:warning',
        'deny-without-message@15:error',
        'unreachable-kind@16:error',
        'deprecated-builtin@18:warning',
        'nondeterministic-builtin@23:error',
        'nondeterministic-builtin@30:error',
        'print-call@31:warning',
      ].sort(),
    );
    expect(report.errors).toBe(4);
    expect(report.findings.every((f) => f.file === 'test/fixtures/lint/planted/policy.rego')).toBe(true);
  });

  it('flags a rule that checks a kind its policy does not cover', async () => {
    const report = await lintRego(config, ['test/fixtures/lint/svc-no-nodeport']);
    expect(at(report.findings)).toEqual(['unreachable-kind@8:error']);
    expect(report.findings[0]?.message).toContain('covers only Service');
  });

  it('flags a package that does not match its folder', async () => {
    const report = await lintRego(config, ['test/fixtures/lint/replicas-minimum']);
    expect(at(report.findings)).toEqual(['package-name@2:warning']);
  });

  it('reports a parse error with file and line', async () => {
    const report = await lintRego(config, ['test/fixtures/lint/broken']);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({
      rule: 'opa-check',
      severity: 'error',
      file: 'test/fixtures/lint/broken/policy.rego',
      line: 6,
    });
  });

  it('finds nothing in the policy corpus', async () => {
    const report = await lintRego(config, ['datasets/policies']);
    expect(report.files.length).toBeGreaterThan(100);
    expect(report.findings).toEqual([]);
  });

  it('rejects a path that is not Rego', async () => {
    await expect(lintRego(config, ['datasets/README.md'])).rejects.toThrow(/not a \.rego file/);
    await expect(lintRego(config, ['no/such/dir'])).rejects.toThrow(/no such file/);
  });
});
