/** The pure parts of infra/install-tools.ts: the wrapper module's replace lines and the schema rewrite. */
import { describe, expect, it } from 'vitest';
import { localizeSchema, stagingReplaces } from '../../infra/install-tools';

describe('stagingReplaces', () => {
  const goMod = [
    'module k8s.io/kubernetes',
    '',
    'go 1.26.0',
    '',
    'require (',
    '\tk8s.io/api v0.0.0',
    '\tgo.etcd.io/etcd/client/v3 v3.7.0',
    ')',
    '',
    'replace (',
    '\tk8s.io/api => ./staging/src/k8s.io/api',
    '\tk8s.io/client-go => ./staging/src/k8s.io/client-go',
    '\tk8s.io/kube-openapi => k8s.io/kube-openapi v0.0.0-20260101000000-abcdef123456',
    ')',
  ].join('\n');

  it('maps each ./staging module onto the published module of the same release', () => {
    expect(stagingReplaces(goMod, 'v1.37.2')).toEqual(['k8s.io/api => k8s.io/api v0.37.2', 'k8s.io/client-go => k8s.io/client-go v0.37.2']);
  });

  it('refuses a version that is not a Kubernetes release, and a go.mod without staging replaces', () => {
    expect(() => stagingReplaces(goMod, 'v1.37')).toThrow(/expected a Kubernetes release such as v1\.37\.2/);
    expect(() => stagingReplaces('module x\n', 'v1.37.2')).toThrow(/no \.\/staging replace directive/);
  });
});

describe('localizeSchema', () => {
  it('drops the $id and makes references to the shared definitions relative to the file', () => {
    const schema = {
      properties: { spec: { $ref: '/api/_definitions.json#/$defs/io.k8s.api.apps.v1.DeploymentSpec' }, other: { $ref: '#/$defs/x' } },
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://kubernetes.io/api/deployment/apps/v1',
    };
    expect(JSON.parse(localizeSchema(JSON.stringify(schema, null, 2)))).toEqual({
      properties: { spec: { $ref: '_definitions.json#/$defs/io.k8s.api.apps.v1.DeploymentSpec' }, other: { $ref: '#/$defs/x' } },
      $schema: 'https://json-schema.org/draft/2020-12/schema',
    });
  });
});
