/**
 * The pure logic of `pac analyze`: severity order and thresholds, the PSS level, exemptions, the
 * policy selection, the report of one object and the exit code.
 */
import { describe, expect, it } from 'vitest';
import { applyExemptions, EXEMPT_ANNOTATION, EXEMPT_REASON_ANNOTATION } from '../../activities/analyze/exemptions';
import { AnalyzeInputError, type BundleSource, corpusBundles, loadCatalogue, selectPolicies } from '../../activities/analyze/policies';
import type { Finding } from '../../activities/analyze/report';
import { analysisExitCode, describeResource, resourceReport } from '../../activities/analyze/run';
import { atOrAbove, compareFindings, pssLevelOf, SEVERITIES_DESCENDING } from '../../activities/analyze/severity';
import { bundlePolicies } from '../../datasets/bundles';
import { loadPolicyIndex } from '../../datasets/load';
import { DEFAULT_BUNDLES } from '../../datasets/schemas';

const catalogue = loadCatalogue();
const all = new Set(catalogue.policyIds);

function pod(annotations?: Record<string, unknown>) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', ...(annotations ? { annotations } : {}) } };
}

const f = (policy: string, severity: Finding['severity']): Finding => ({
  policy,
  title: policy,
  severity,
  pss: null,
  messages: [`${policy} says no`],
});

describe('severity', () => {
  it('orders critical → high → medium → low, then by policy id', () => {
    const sorted = [f('b', 'low'), f('a', 'medium'), f('z', 'critical'), f('c', 'high'), f('a', 'critical'), f('m', 'low')].sort(
      compareFindings,
    );
    expect(sorted.map((x) => `${x.severity}:${x.policy}`)).toEqual(['critical:a', 'critical:z', 'high:c', 'medium:a', 'low:b', 'low:m']);
    expect(SEVERITIES_DESCENDING).toEqual(['critical', 'high', 'medium', 'low']);
  });

  it('a threshold counts its own level and the levels above it', () => {
    expect(atOrAbove('high', 'high')).toBe(true);
    expect(atOrAbove('critical', 'high')).toBe(true);
    expect(atOrAbove('medium', 'high')).toBe(false);
    expect(atOrAbove('low', 'low')).toBe(true);
    expect(atOrAbove('low', 'medium')).toBe(false);
  });

  it('the PSS level is the lowest level among the controls', () => {
    expect(pssLevelOf(['baseline.privileged'])).toBe('baseline');
    expect(pssLevelOf(['restricted.seccomp', 'baseline.seccomp'])).toBe('baseline');
    expect(pssLevelOf(['restricted.running-as-non-root'])).toBe('restricted');
    expect(pssLevelOf([])).toBeNull();
    expect(catalogue.rules.get('pss-privileged')?.pss).toBe('baseline');
    expect(catalogue.rules.get('pss-run-as-non-root')?.pss).toBe('restricted');
    expect(catalogue.rules.get('image-no-latest-tag')?.pss).toBeNull();
  });
});

describe('exemptions', () => {
  const findings = [f('pss-host-ports', 'high'), f('image-no-latest-tag', 'medium'), f('pss-privileged', 'critical')];
  const isPolicy = (id: string) => all.has(id);

  it('marks the exempted policies with the reason, keeps them, and lists them after the active ones', () => {
    const out = applyExemptions(
      pod({ [EXEMPT_ANNOTATION]: ' pss-host-ports,image-no-latest-tag ', [EXEMPT_REASON_ANNOTATION]: ' node-local DNS (OPS-12) ' }),
      'Pod shop/web',
      findings,
      isPolicy,
    );
    expect(out.map((x) => [x.policy, x.exempted?.reason])).toEqual([
      ['pss-privileged', undefined],
      ['pss-host-ports', 'node-local DNS (OPS-12)'],
      ['image-no-latest-tag', 'node-local DNS (OPS-12)'],
    ]);
  });

  it('an exemption without a reason is not applied and is a finding itself', () => {
    for (const reason of [undefined, '', '   ', 42]) {
      const annotations: Record<string, unknown> = { [EXEMPT_ANNOTATION]: 'pss-host-ports' };
      if (reason !== undefined) annotations[EXEMPT_REASON_ANNOTATION] = reason;
      const out = applyExemptions(pod(annotations), 'Pod shop/web', findings, isPolicy);
      expect(out.filter((x) => x.exempted)).toEqual([]);
      const missing = out.find((x) => x.policy === 'exemption-reason-required');
      expect(missing?.severity).toBe('medium');
      expect(missing?.messages[0]).toMatch(/Pod shop\/web: annotation kpc\.io\/exempt \("pss-host-ports"\) has no kpc\.io\/exempt-reason/);
      expect(out).toHaveLength(findings.length + 1);
    }
  });

  it('an exemption naming an unknown policy is a finding; the known ids are still exempted', () => {
    const out = applyExemptions(
      pod({ [EXEMPT_ANNOTATION]: 'pss-privilegd,pss-privileged', [EXEMPT_REASON_ANNOTATION]: 'lab cluster' }),
      'Pod shop/web',
      findings,
      isPolicy,
    );
    expect(out.find((x) => x.policy === 'exemption-unknown-policy')?.messages[0]).toMatch(/"pss-privilegd", which is not a policy/);
    expect(out.find((x) => x.policy === 'pss-privileged')?.exempted).toEqual({ reason: 'lab cluster' });
  });

  it('no annotation, or an empty list, changes nothing but the order', () => {
    expect(applyExemptions(pod(), 'Pod shop/web', findings, isPolicy).map((x) => x.policy)).toEqual([
      'pss-privileged',
      'pss-host-ports',
      'image-no-latest-tag',
    ]);
    expect(applyExemptions(pod({ [EXEMPT_ANNOTATION]: ' , ' }), 'Pod shop/web', findings, isPolicy).some((x) => x.exempted)).toBe(false);
  });
});

describe('policy selection', () => {
  const bundles: BundleSource = {
    names: () => ['rbac', 'tiny'],
    defaults: ['tiny'],
    policies: (names) =>
      names.every((n) => n === 'tiny' || n === 'rbac')
        ? names.flatMap((n) =>
            n === 'tiny' ? ['pss-privileged', 'pss-host-ports'] : catalogue.policyIds.filter((id) => id.startsWith('rbac-')),
          )
        : undefined,
  };

  it('default: the default bundles; --policy alone: only those; --bundle plus --policy: both; --skip removes', () => {
    expect(selectPolicies(catalogue, {}, bundles)).toEqual(['pss-host-ports', 'pss-privileged']);
    expect(selectPolicies(catalogue, { policies: ['pss-privileged', 'image-no-latest-tag'] }, bundles)).toEqual([
      'image-no-latest-tag',
      'pss-privileged',
    ]);
    expect(selectPolicies(catalogue, { bundles: ['rbac'], skip: ['rbac-pod-exec'] }, bundles)).toEqual(
      catalogue.policyIds.filter((id) => id.startsWith('rbac-') && id !== 'rbac-pod-exec'),
    );
    expect(selectPolicies(catalogue, { bundles: ['tiny'], policies: ['image-no-latest-tag'], skip: ['pss-host-ports'] }, bundles)).toEqual([
      'image-no-latest-tag',
      'pss-privileged',
    ]);
  });

  it('the corpus bundles: all is every policy, the default is pss-baseline and rbac', () => {
    const index = loadPolicyIndex();
    const corpus = corpusBundles(index);
    expect(selectPolicies(catalogue, { bundles: ['all'] }, corpus)).toEqual([...catalogue.policyIds]);
    expect(corpus.defaults).toEqual(DEFAULT_BUNDLES);
    const byDefault = selectPolicies(catalogue, {}, corpus);
    expect(byDefault).toEqual(
      bundlePolicies([...DEFAULT_BUNDLES], index)
        .map((m) => m.id)
        .sort(),
    );
    expect(byDefault).toContain('pss-privileged');
    expect(byDefault).toContain('rbac-cluster-admin-binding');
  });

  it('unknown ids and bundles are input errors that name them', () => {
    expect(() => selectPolicies(catalogue, { policies: ['nope'] }, bundles)).toThrow(/--policy: unknown policy "nope"/);
    expect(() => selectPolicies(catalogue, { skip: ['a', 'b'] }, bundles)).toThrow(/--skip: unknown policies "a", "b"/);
    expect(() => selectPolicies(catalogue, { bundles: ['rbac', 'pss'] }, bundles)).toThrow(
      /unknown bundle "pss": expected one of rbac, tiny/,
    );
    expect(() => selectPolicies(catalogue, { policies: ['pss-privileged'], skip: ['pss-privileged'] }, bundles)).toThrow(AnalyzeInputError);
  });
});

describe('the report of one object', () => {
  const manifest = pod({ [EXEMPT_ANNOTATION]: 'image-no-latest-tag', [EXEMPT_REASON_ANNOTATION]: 'pinned by the operator' });
  const denied = {
    'image-no-latest-tag': ['m1'],
    'pss-privileged': ['second', 'first'],
    'resources-cpu-limits': ['m3'],
    'metadata-required-labels': ['m4'],
  };

  it('keeps only the selected policies, sorts by severity, carries title and PSS level, applies exemptions', () => {
    const selected = new Set(['image-no-latest-tag', 'pss-privileged', 'resources-cpu-limits']);
    const report = resourceReport({ source: 'a.yaml', line: 3, manifest }, denied, catalogue, selected);
    expect(report).toMatchObject({ source: 'a.yaml', line: 3, kind: 'Pod', name: 'web', namespace: 'shop', resource: 'Pod shop/web' });
    expect(report.findings.map((x) => x.policy)).toEqual(['pss-privileged', 'resources-cpu-limits', 'image-no-latest-tag']);
    expect(report.findings[0]).toMatchObject({
      severity: 'critical',
      pss: 'baseline',
      messages: ['first', 'second'],
      title: catalogue.rules.get('pss-privileged')?.title,
    });
    expect(report.findings[2]?.exempted).toEqual({ reason: 'pinned by the operator' });
    expect(report.ranked).toBeUndefined();
  });

  it('names objects without a name or namespace', () => {
    expect(describeResource({ kind: 'Job', metadata: { generateName: 'migrate-' } }).resource).toBe('Job migrate-*');
    expect(describeResource({ kind: 'ClusterRole' }).resource).toBe('ClusterRole <unnamed>');
  });
});

describe('exit code of an analysis', () => {
  it('2 when a document could not be read, else 3 with findings at or above the threshold, else 0', () => {
    expect(analysisExitCode({ problems: 0, atOrAboveThreshold: 0 })).toBe(0);
    expect(analysisExitCode({ problems: 0, atOrAboveThreshold: 4 })).toBe(3);
    expect(analysisExitCode({ problems: 1, atOrAboveThreshold: 4 })).toBe(2);
    expect(analysisExitCode({ problems: 1, atOrAboveThreshold: 0 })).toBe(2);
  });
});
