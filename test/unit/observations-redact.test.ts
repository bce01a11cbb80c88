/** What an observation keeps of a manifest: normalisation, redaction, digests (pure functions). */
import { describe, expect, it } from 'vitest';
import {
  buildObservation,
  canonicalJson,
  manifestDigest,
  normaliseManifest,
  observationSchema,
  REDACTED_TOKEN,
  redactManifest,
  skeletonDigest,
} from '../../activities/observations';
import { PII_HINT, redactionToken } from '../../activities/observations/redact';
import { findPii, PII_PLACEHOLDER, type PiiType } from '../../activities/qa/pii';
import { sha256 } from '../../lib/digest';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 8);

const PLANTED = {
  envPassword: 'hunter2-Correct-Horse',
  secretData: 'c3VwZXItc2VjcmV0LWRiLXBhc3N3b3Jk',
  stringData: 'plain-text-api-token-9f8e7d',
  configValue: 'jdbc:postgresql://db/app?password=Tr0ub4dor',
  initEnv: 'init-only-secret-4242',
  email: 'jane.doe@example.com',
  awsKey: 'AKIAIOSFODNN7EXAMPLE',
  pem: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----',
  urlUser: 'https://deploy:s3cr3t-pw@git.example.com/repo.git',
};

function cronJob(name = 'backup', extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'ops', labels: { app: name }, annotations: { contact: PLANTED.email } },
    spec: {
      schedule: '0 1 * * *',
      jobTemplate: {
        spec: {
          template: {
            metadata: { labels: { app: name }, creationTimestamp: null },
            spec: {
              initContainers: [{ name: 'init', image: 'busybox:1.36', env: [{ name: 'SEED', value: PLANTED.initEnv }] }],
              containers: [
                {
                  name: 'main',
                  image: 'registry.example.com/backup:2.1',
                  args: ['--notify', PLANTED.email, `--aws-key=${PLANTED.awsKey}`],
                  env: [
                    { name: 'DB_PASSWORD', value: PLANTED.envPassword },
                    { name: 'REPO', value: PLANTED.urlUser },
                    { name: 'EMPTY', value: '' },
                    { name: 'COMBINED', value: '$(DB_HOST)$(DB_PORT)' },
                    { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
                  ],
                },
              ],
            },
          },
        },
      },
    },
    ...extra,
  };
}

describe('normaliseManifest', () => {
  it('drops server-side noise, keeps what policies read, and lifts creationTimestamp out', () => {
    const dumped = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'prod',
        uid: '9d7c0c1e-0000-4000-8000-000000000001',
        resourceVersion: '123456',
        generation: 4,
        creationTimestamp: '2025-03-01T10:00:00Z',
        managedFields: [{ manager: 'kubectl', operation: 'Update' }],
        labels: { app: 'web' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"env":"hunter2"}', 'team.example.com/owner': 'web' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Foo', name: 'bar', uid: 'abc', controller: true }],
      },
      spec: {
        template: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'x' }] } },
      },
      status: { replicas: 3, conditions: [] },
    };
    const { manifest, createdAt } = normaliseManifest(dumped);
    expect(createdAt).toBe('2025-03-01T10:00:00Z');
    expect(manifest).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'prod',
        labels: { app: 'web' },
        annotations: { 'team.example.com/owner': 'web' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Foo', name: 'bar', controller: true }],
      },
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'x' }] } } },
    });
    // the input is not changed
    expect(dumped.status.replicas).toBe(3);
    expect(dumped.metadata.uid).toBeDefined();
  });

  it('gives a dump of an object and the object as applied the same digest', () => {
    const applied = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } };
    const dumped = {
      ...applied,
      metadata: { ...applied.metadata, uid: 'u', resourceVersion: '9', creationTimestamp: '2025-01-01T00:00:00Z' },
      status: { loadBalancer: {} },
    };
    const digest = (m: Record<string, unknown>) => manifestDigest(redactManifest(normaliseManifest(m).manifest, KEY).manifest);
    expect(digest(dumped)).toBe(digest(applied));
  });
});

describe('redactManifest', () => {
  it('never keeps a planted secret in clear, in any container list of any kind', () => {
    const { manifest, redactions } = redactManifest(normaliseManifest(cronJob()).manifest, KEY);
    const text = JSON.stringify(manifest);
    for (const [name, value] of Object.entries(PLANTED)) expect(text, name).not.toContain(value);
    // env values, the email twice (annotation, args), the AWS key
    expect(redactions).toBe(6);
    // what carries no secret stays: empty values, $(VAR) references, secretKeyRef
    expect(text).toContain('"value":""');
    expect(text).toContain('$(DB_HOST)$(DB_PORT)');
    expect(text).toContain('"secretKeyRef":{"name":"db","key":"password"}');
    // a PII span is replaced inside its string; the rest of the string stays
    expect(text).toMatch(/"--aws-key=redacted:aws_access_key:[0-9a-f]{32}"/);
  });

  it('redacts every value of Secret data/stringData and ConfigMap data/binaryData, keeping the keys', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      type: 'Opaque',
      data: { password: PLANTED.secretData },
      stringData: { token: PLANTED.stringData, tls: PLANTED.pem },
    };
    const config = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app' },
      data: { 'db.url': PLANTED.configValue, mode: 'fast' },
      binaryData: { blob: 'AAEC' },
    };
    const s = redactManifest(secret, KEY).manifest as { data: Record<string, string>; stringData: Record<string, string>; type: string };
    const c = redactManifest(config, KEY).manifest as { data: Record<string, string>; binaryData: Record<string, string> };
    expect(Object.keys(s.data)).toEqual(['password']);
    expect(s.type).toBe('Opaque');
    expect(s.data.password).toMatch(REDACTED_TOKEN);
    expect(s.stringData.token).toMatch(/^redacted:value:/);
    expect(s.stringData.tls).toMatch(/^redacted:private_key:/);
    expect(c.data['db.url']).toMatch(REDACTED_TOKEN);
    // ConfigMap values are all redacted, even harmless-looking ones: any could be a credential
    expect(c.data.mode).toMatch(REDACTED_TOKEN);
    expect(c.binaryData.blob).toMatch(REDACTED_TOKEN);
    const text = JSON.stringify([s, c]);
    for (const value of [PLANTED.secretData, PLANTED.stringData, PLANTED.configValue, 'MIIEowIBAAKCAQEA7'])
      expect(text).not.toContain(value);
  });

  it('keeps equality without the value: same value and key → same token; another key → another token', () => {
    const a = redactManifest(cronJob('a'), KEY).manifest;
    const b = redactManifest(cronJob('b'), KEY).manifest;
    const tokenOf = (m: Record<string, unknown>) => JSON.stringify(m).match(/redacted:value:[0-9a-f]{32}/)?.[0];
    expect(tokenOf(a)).toBeDefined();
    expect(tokenOf(a)).toBe(tokenOf(b));
    expect(tokenOf(redactManifest(cronJob('a'), OTHER_KEY).manifest)).not.toBe(tokenOf(a));
    expect(redactionToken(KEY, 'x')).not.toBe(redactionToken(KEY, 'y'));
    // the token is keyed: it is not the bare sha256 of the value (a dictionary cannot reverse it)
    expect(redactionToken(KEY, 'hunter2')).not.toContain(sha256('hunter2').slice(0, 32));
  });

  it('types url user info so policies can still tell it apart', () => {
    const text = JSON.stringify(redactManifest(cronJob(), KEY).manifest);
    expect(text).toMatch(/"name":"REPO","value":"redacted:url_userinfo:[0-9a-f]{32}"/);
  });
});

describe('PII hint', () => {
  // one sample per detector of activities/qa/pii.ts: a new detector fails here until it has one
  const SAMPLES: Record<PiiType, string> = {
    private_key: PLANTED.pem,
    aws_access_key: PLANTED.awsKey,
    aws_secret_key: 'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    gcp_api_key: 'AIzaSyA-1234567890abcdefghijklmnopqrstu',
    github_token: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    slack_token: 'xoxb-1234567890-abcdefghij',
    jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    email: PLANTED.email,
    credit_card: '4111 1111 1111 1111',
    us_ssn: '123-45-6789',
    iban: 'GB82 WEST 1234 5698 7654 32',
    phone: '+1 415-555-0132',
    ipv4: '10.20.30.40',
  };

  it('lets every kind of PII through to the detectors (the shortcut never hides one)', () => {
    for (const type of Object.keys(PII_PLACEHOLDER) as PiiType[]) {
      const sample = SAMPLES[type];
      expect(sample, `a sample for ${type}`).toBeDefined();
      expect(
        findPii(sample).map((f) => f.type),
        type,
      ).toContain(type);
      expect(PII_HINT.test(sample), type).toBe(true);
      const redacted = JSON.stringify(redactManifest({ kind: 'Pod', metadata: { annotations: { x: `a ${sample} b` } } }, KEY).manifest);
      expect(redacted, type).not.toContain(sample);
    }
  });

  it('skips ordinary manifest strings', () => {
    for (const s of [
      'nginx',
      'IfNotPresent',
      'RuntimeDefault',
      'ClusterIP',
      'app.kubernetes.io/name',
      'ghcr.io/shop/checkout:1.4.2',
      '--port=8080',
    ])
      expect(PII_HINT.test(s), s).toBe(false);
  });
});

describe('digests', () => {
  it('canonical JSON sorts keys at every level, so key order does not change a digest', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(manifestDigest({ kind: 'Pod', apiVersion: 'v1' })).toBe(manifestDigest({ apiVersion: 'v1', kind: 'Pod' }));
    expect(manifestDigest({ kind: 'Pod', apiVersion: 'v1' })).not.toBe(manifestDigest({ apiVersion: 'v1', kind: 'Pod', spec: {} }));
  });

  it('is stable: a fixed manifest has a fixed digest (a change here orphans stored digests)', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } };
    // sha256 of the canonical text below (as `sha256sum` prints it)
    expect(manifestDigest(pod)).toBe('788597798bcb8a255e85ce69f914c5c8c57c748450e12ed35bffe221746a6751');
    expect(canonicalJson(pod)).toBe(
      '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"image":"nginx:1.27","name":"c"}]}}',
    );
  });

  it('gives copies that differ only in names, namespaces, labels, annotations, selectors and secret values one skeleton', () => {
    const base = redactManifest(cronJob('backup'), KEY).manifest;
    const copy = redactManifest(
      {
        ...cronJob('nightly-copy'),
        metadata: { name: 'nightly-copy', namespace: 'team-b', labels: { app: 'x', tier: 'y' }, annotations: { note: 'another' } },
      },
      OTHER_KEY,
    ).manifest;
    expect(manifestDigest(copy)).not.toBe(manifestDigest(base));
    expect(skeletonDigest(copy)).toBe(skeletonDigest(base));
    const otherImage = redactManifest(
      JSON.parse(JSON.stringify(cronJob('backup')).replace('registry.example.com/backup:2.1', 'registry.example.com/backup:2.2')),
      KEY,
    ).manifest;
    expect(skeletonDigest(otherImage)).not.toBe(skeletonDigest(base));
  });
});

describe('buildObservation', () => {
  it('makes a valid record with identity, digests, sorted denials and the creation time as a field', () => {
    const manifest = { ...cronJob(), metadata: { ...cronJob().metadata, creationTimestamp: '2024-06-01T00:00:00Z' } };
    const now = new Date('2026-02-03T04:05:06.000Z');
    const o = buildObservation(
      {
        source: 'api',
        manifest,
        denied: ['secrets-in-env-literal', 'image-digest-pinned', 'secrets-in-env-literal'],
        ranker: { version: 'kpc-policy-ranker v3', top: [{ policy: 'image-digest-pinned', score: 0.8 }] },
        timings: [{ policy: 'image-digest-pinned', ms: 0.12 }],
        corpusDigest: 'c'.repeat(64),
        origin: '/v1/analyze',
      },
      KEY,
      now,
    );
    expect(observationSchema.parse(o)).toEqual(o);
    expect(o).toMatchObject({
      v: 1,
      time: '2026-02-03T04:05:06.000Z',
      source: 'api',
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      namespace: 'ops',
      name: 'backup',
      createdAt: '2024-06-01T00:00:00Z',
      denied: ['image-digest-pinned', 'secrets-in-env-literal'],
      origin: '/v1/analyze',
    });
    expect(o.manifestDigest).toBe(manifestDigest(o.manifest));
    expect((o.manifest.metadata as Record<string, unknown>).creationTimestamp).toBeUndefined();
    expect(JSON.stringify(o)).not.toContain(PLANTED.envPassword);
    expect(buildObservation({ source: 'import', manifest }, KEY).denied).toBeNull();
  });

  it('refuses a bad input with the field named', () => {
    expect(() => buildObservation({ source: 'kubectl' as 'cli', manifest: { kind: 'Pod' } }, KEY)).toThrow(/source/);
    expect(() => buildObservation({ source: 'cli', manifest: { kind: 'Pod' }, time: 'yesterday' }, KEY)).toThrow(/time/);
  });
});
