import { isNondeterministicBuiltin } from '../lint/builtins';
import { blastRadiusPasses, blastResourceLines, DEFAULT_MAX_BLAST_RADIUS } from './blast-radius';
import type { Draft, GuardrailReport, ValidationReport } from './schemas';

export type GuardrailThresholds = {
  /** share of the draft's own tests that must pass */
  minTestPassRate: number;
  /** share of the positive fixtures the draft may deny: reports without a blast radius (older executions) */
  maxFalsePositiveRate: number;
  /** coverage of the policy file by its tests, in percent */
  minCoverage: number;
};

export const DEFAULT_THRESHOLDS: GuardrailThresholds = {
  minTestPassRate: 0.95,
  maxFalsePositiveRate: DEFAULT_MAX_BLAST_RADIUS,
  minCoverage: 80,
};

export function checkGuardrails(
  draft: Draft,
  report: ValidationReport,
  thresholds: GuardrailThresholds = DEFAULT_THRESHOLDS,
): GuardrailReport {
  const gates: GuardrailReport['gates'] = [];
  const gate = (name: string, passed: boolean, detail: string) => gates.push({ gate: name, passed, detail });

  gate('parses', report.parses, report.parses ? 'opa parse succeeded' : report.checkErrors.join('; ') || 'does not parse');
  gate(
    'compiles',
    report.parses && report.checkErrors.length === 0,
    report.checkErrors.length
      ? `opa check --strict / opa test: ${report.checkErrors.slice(0, 5).join('; ')}`
      : 'opa check --strict is clean',
  );
  const expectedPackage = `kpc.policies.${draft.policyId.replaceAll('-', '_')}`;
  gate(
    'package-naming',
    report.packageName === expectedPackage && draft.packageName === expectedPackage,
    report.packageName === expectedPackage
      ? `package ${expectedPackage}`
      : `package is ${report.packageName ?? '(unknown)'}, expected ${expectedPackage}`,
  );
  gate(
    'allow-and-deny-tests',
    report.tests.allowTests >= 1 && report.tests.denyTests >= 1,
    `${report.tests.allowTests} test_allow_* and ${report.tests.denyTests} test_deny_* tests (at least one of each)`,
  );
  const passRate = report.tests.total ? report.tests.passed / report.tests.total : 0;
  gate(
    'tests-pass',
    report.tests.total > 0 && passRate >= thresholds.minTestPassRate,
    `${report.tests.passed}/${report.tests.total} tests pass (${(passRate * 100).toFixed(1)} %, need ≥ ${thresholds.minTestPassRate * 100} %)${
      report.tests.failed.length ? `; failing: ${report.tests.failed.slice(0, 5).join(', ')}` : ''
    }`,
  );
  gate(
    'coverage',
    report.coverage !== null && report.coverage >= thresholds.minCoverage,
    report.coverage === null
      ? 'no coverage report (tests failed or did not run)'
      : `coverage ${report.coverage.toFixed(1)} % (need ≥ ${thresholds.minCoverage} %)`,
  );
  const blast = report.blastRadius;
  if (blast) {
    // the measured blast radius replaces the blanket "known-good fixtures stay allowed" gate
    const passed = blastRadiusPasses(blast);
    const listed = blastResourceLines(blast, 5, true);
    gate(
      'blast-radius',
      passed,
      `${blast.summary}${passed ? '' : ' — above the maximum: raise maxBlastRadius in the request if these denials are intended'}${
        listed.length ? `: ${listed.join('; ')}` : ''
      }`,
    );
  } else {
    const fpRate = report.positivesChecked ? report.falsePositives.length / report.positivesChecked : 1;
    gate(
      'false-positive-rate',
      report.positivesChecked > 0 && fpRate <= thresholds.maxFalsePositiveRate,
      `denies ${report.falsePositives.length}/${report.positivesChecked} known-good fixtures (${(fpRate * 100).toFixed(1)} %, max ${thresholds.maxFalsePositiveRate * 100} %)${
        report.falsePositives.length ? `: ${report.falsePositives.slice(0, 5).join(', ')}` : ''
      }`,
    );
  }
  if (report.idClash !== undefined) gate('policy-id', false, report.idClash);
  // the request's own examples: `wrong` are the (0-based) indices the draft decides the other way
  const examplesGate = (side: 'deny' | 'allow', wrong: number[]) => {
    const [did, wanted] = side === 'deny' ? ['allows', 'denied'] : ['denies', 'allowed'];
    gate(
      `must-${side}-examples`,
      wrong.length === 0,
      wrong.length ? `${did} must-${side} example(s) #${wrong.map((i) => i + 1).join(', #')}` : `every must-${side} example is ${wanted}`,
    );
  };
  examplesGate('deny', report.missedDenyExamples);
  examplesGate('allow', report.deniedAllowExamples);
  const forbidden = report.builtins.filter(isNondeterministicBuiltin);
  gate(
    'no-forbidden-builtins',
    forbidden.length === 0,
    forbidden.length ? `calls ${forbidden.join(', ')}` : 'no network, time or random built-ins',
  );
  gate(
    'denial-message',
    report.emptyMessages === 0 && /\bdeny\s+contains\s+msg\b/.test(draft.policy) && /msg\s*:?=/.test(draft.policy),
    report.emptyMessages ? `${report.emptyMessages} denial(s) without a message string` : 'every denial carries a message',
  );
  gate(
    'novel',
    report.duplicates.length === 0,
    report.duplicates.length
      ? `denies exactly the fixtures ${report.duplicates.join(', ')} already denies: the corpus covers it`
      : 'not a behavioural duplicate of a corpus policy',
  );
  const failures = gates.filter((g) => !g.passed).map((g) => `${g.gate}: ${g.detail}`);
  return { passed: failures.length === 0, gates, failures };
}
