/** The admission webhook's pure parts: the verdict on findings, the review schema, settings and authentication. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../activities/analyze/report';
import {
  AdmissionConfigError,
  admissionReviewSchema,
  admissionSettings,
  clip,
  DENY_MESSAGE_MAX_CHARS,
  decide,
  MAX_WARNINGS,
  reviewedObject,
  WARNING_MAX_CHARS,
} from '../../api/admission';
import { AdmissionAuth, httpsOptions, TlsConfigError } from '../../api/admission-auth';
import { loadConfig } from '../../infra/config';

const dir = mkdtempSync(join(tmpdir(), 'pac-admission-unit-'));
const config = (env: Record<string, string> = {}) => loadConfig({ PAC_STATE_DIR: dir, HOME: dir, ...env });

const finding = (policy: string, severity: Finding['severity'], message = `${policy} says no`, exempted?: string): Finding => ({
  policy,
  title: policy,
  severity,
  pss: null,
  messages: [message],
  ...(exempted ? { exempted: { reason: exempted } } : {}),
});

const enforce = { mode: 'enforce' as const, denySeverity: 'high' as const };
const create = { uid: 'u-1', operation: 'CREATE' as const };

describe('decide', () => {
  it('denies with the findings at or above the threshold and warns about the rest', () => {
    const response = decide(
      create,
      'Pod shop/web',
      [finding('pss-privileged', 'critical'), finding('container-privileged-ports', 'low')],
      enforce,
    );
    expect(response.uid).toBe('u-1');
    expect(response.allowed).toBe(false);
    expect(response.status).toEqual({
      code: 403,
      reason: 'Forbidden',
      message: 'Pod shop/web is denied by 1 policy: [pss-privileged] pss-privileged says no',
    });
    expect(response.warnings).toEqual(['container-privileged-ports (low): container-privileged-ports says no']);
  });

  it('keeps warnings within 120 characters and at most MAX_WARNINGS plus a count', () => {
    const many = Array.from({ length: MAX_WARNINGS + 3 }, (_, i) => finding(`p${String(i).padStart(2, '0')}`, 'low', 'x'.repeat(400)));
    const response = decide(create, 'Pod a/b', many, enforce);
    expect(response.allowed).toBe(true);
    expect(response.warnings).toHaveLength(MAX_WARNINGS + 1);
    for (const w of response.warnings ?? []) expect(w.length).toBeLessThanOrEqual(WARNING_MAX_CHARS);
    expect(response.warnings?.at(-1)).toContain('and 3 more');
  });

  it('bounds the denial message', () => {
    const many = Array.from({ length: 30 }, (_, i) => finding(`deny-${i}`, 'critical', 'y'.repeat(1000)));
    const message = decide(create, 'Pod a/b', many, enforce).status?.message ?? '';
    expect(message.length).toBe(DENY_MESSAGE_MAX_CHARS);
    expect(message.endsWith('…')).toBe(true);
  });

  it('never denies a DELETE, and audit mode never denies', () => {
    const critical = [finding('pss-privileged', 'critical')];
    expect(decide({ uid: 'u', operation: 'DELETE' }, 'Pod a/b', critical, enforce)).toMatchObject({
      allowed: true,
      warnings: ['pss-privileged (critical): pss-privileged says no'],
    });
    const audit = decide(create, 'Pod a/b', critical, { mode: 'audit', denySeverity: 'low' });
    expect(audit.allowed).toBe(true);
    expect(audit.warnings?.[0]).toContain('audit mode');
  });

  it('exempted findings neither deny nor warn; they are named in an audit annotation', () => {
    const response = decide(create, 'Pod a/b', [finding('pss-privileged', 'critical', 'no', 'TICKET-1')], enforce);
    expect(response).toEqual({ uid: 'u-1', allowed: true, auditAnnotations: { exempted: 'pss-privileged' } });
  });

  it('clip flattens whitespace and marks the cut', () => {
    expect(clip('a\n  b', 10)).toBe('a b');
    expect(clip('abcdefghij', 5)).toBe('abcd…');
  });
});

describe('the AdmissionReview schema', () => {
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'x',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      operation: 'DELETE',
      object: null,
      oldObject: { kind: 'Pod' },
      userInfo: { username: 'a' },
      options: {},
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
    },
  };

  it('tolerates the fields Kubernetes adds, and reviews the old object of a DELETE', () => {
    const parsed = admissionReviewSchema.parse(review);
    expect(reviewedObject(parsed.request)).toEqual({ kind: 'Pod' });
    expect(reviewedObject({ ...parsed.request, operation: 'CONNECT', oldObject: null })).toBeUndefined();
  });

  it('names what is missing', () => {
    const result = admissionReviewSchema.safeParse({ ...review, request: { ...review.request, uid: undefined, operation: 'PATCH' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['request.uid', 'request.operation']);
  });
});

describe('admission settings', () => {
  it('expands bundles, accepts policy ids and names an unknown entry', () => {
    const settings = admissionSettings(config({ PAC_ADMISSION_POLICIES: 'rbac,sa-name-unchanged-on-update' }));
    expect(settings.policies).toContain('rbac-cluster-admin-binding');
    expect(settings.policies).toContain('sa-name-unchanged-on-update');
    expect(settings.policies).not.toContain('pss-privileged');
    expect(() => admissionSettings(config({ PAC_ADMISSION_POLICIES: 'rbac,no-such-thing' }))).toThrow(AdmissionConfigError);
    expect(() => admissionSettings(config({ PAC_ADMISSION_POLICIES: 'rbac,no-such-thing' }))).toThrow(
      /PAC_ADMISSION_POLICIES: "no-such-thing"/,
    );
  });

  it('names PAC_ADMISSION_PARAMS when the parameters file is bad', () => {
    const file = join(dir, 'params.yaml');
    writeFileSync(file, 'pss-host-ports:\n  allowed_host_ports: "eighty"\n');
    expect(() => admissionSettings(config({ PAC_ADMISSION_PARAMS: file }))).toThrow(/PAC_ADMISSION_PARAMS: .*pss-host-ports/);
  });
});

describe('admission authentication', () => {
  const request = (headers: Record<string, string>, socket: Record<string, unknown> = {}) =>
    ({ headers, raw: { socket } }) as unknown as Parameters<AdmissionAuth['authenticate']>[0];
  const token = 'a-token-of-enough-length-123456';

  it('with PAC_ADMISSION_TOKEN: the bearer token, and nothing else', () => {
    const auth = new AdmissionAuth(config({ PAC_ADMISSION_TOKEN: token }));
    expect(auth.authenticate(request({ authorization: `Bearer ${token}` }))).toEqual({ via: 'token', trusted: true });
    expect(() => auth.authenticate(request({ authorization: 'Bearer wrong-token-xxxxxxxxxxxxxxxx' }, { encrypted: true }))).toThrow(
      /PAC_ADMISSION_TOKEN/,
    );
    expect(() => auth.authenticate(request({}))).toThrow(/PAC_ADMISSION_TOKEN/);
  });

  it('with nothing configured: HTTPS callers only, untrusted (not recorded)', () => {
    const auth = new AdmissionAuth(config());
    expect(auth.authenticate(request({}, { encrypted: true }))).toEqual({ via: 'tls', trusted: false });
    expect(() => auth.authenticate(request({}))).toThrow(/HTTPS only/);
  });

  it('TLS files: a missing or non-PEM file names its variable; cert and key go together', () => {
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(() => httpsOptions(config({ PAC_API_TLS_CERT: join(dir, 'missing.crt'), PAC_API_TLS_KEY: notPem }))).toThrow(TlsConfigError);
    expect(() => httpsOptions(config({ PAC_API_TLS_CERT: join(dir, 'missing.crt'), PAC_API_TLS_KEY: notPem }))).toThrow(
      /PAC_API_TLS_CERT: cannot read/,
    );
    expect(() => httpsOptions(config({ PAC_API_TLS_CERT: notPem, PAC_API_TLS_KEY: notPem }))).toThrow(
      /PAC_API_TLS_CERT: .* is not a PEM file/,
    );
    expect(() => config({ PAC_API_TLS_KEY: notPem })).toThrow(/PAC_API_TLS_CERT/);
    expect(() => config({ PAC_ADMISSION_CLIENT_CA: notPem })).toThrow(/client certificates need HTTPS/);
    expect(httpsOptions(config())).toBeUndefined();
  });
});
