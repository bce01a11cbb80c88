import { describe, expect, it } from 'vitest';
import type { ManifestDocument } from '../../activities/analyze/documents';
import { loadCatalogue } from '../../activities/analyze/policies';
import { resourceReport } from '../../activities/analyze/run';
import { SCHEMA_RULE, schemaFinding } from '../../activities/analyze/schema-rule';

const deployment = (podSpec: Record<string, unknown>, annotations?: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', ...(annotations ? { annotations } : {}) },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], ...podSpec } },
  },
});
const doc = (manifest: Record<string, unknown>): ManifestDocument => ({ manifest, source: 'x.yaml', line: 1 }) as ManifestDocument;

describe('pac analyze --schema', () => {
  it('names a misspelled field with its path and the field it probably meant; a valid object and a custom resource have none', () => {
    expect(schemaFinding(deployment({ securityContex: { runAsNonRoot: true } }))?.messages).toEqual([
      'spec.template.spec.securityContex: unknown field "securityContex" (did you mean "securityContext"?)',
    ]);
    expect(schemaFinding(deployment({}))).toBeUndefined();
    expect(
      schemaFinding({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c' }, spec: { x: 1 } }),
    ).toBeUndefined();
  });

  it('is a finding of the report only when asked for, and can be exempted with a reason like a policy', () => {
    const catalogue = loadCatalogue();
    const typo = deployment({ hostNetwrk: true });
    expect(resourceReport(doc(typo), {}, catalogue, new Set()).findings).toEqual([]);
    const [finding] = resourceReport(doc(typo), {}, catalogue, new Set(), undefined, true).findings;
    expect(finding).toMatchObject({ policy: SCHEMA_RULE.id, severity: 'medium' });
    const exempted = deployment(
      { hostNetwrk: true },
      { 'kpc.io/exempt': 'schema-valid', 'kpc.io/exempt-reason': 'a field of a newer release' },
    );
    const findings = resourceReport(doc(exempted), {}, catalogue, new Set(), undefined, true).findings;
    expect(findings.map((f) => [f.policy, f.exempted?.reason])).toEqual([['schema-valid', 'a field of a newer release']]);
  });
});
