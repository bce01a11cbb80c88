/**
 * The admission webhook through the real API server over HTTPS (a self-signed CA made with openssl
 * in the test) and the real in-process engine: AdmissionReview round trips for a privileged Pod, a
 * clean Pod, a low-severity finding, an UPDATE that changes the ServiceAccount, an exemption, a
 * DELETE, audit mode, malformed reviews and unauthenticated callers; observations recorded with
 * source admission.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readObservations } from '../../activities/observations';
import { buildApp } from '../../api/server';
import { FIXTURES_DIR, POLICIES_DIR } from '../../datasets/paths';
import { type Config, loadConfig } from '../../infra/config';
import { type Certificates, makeCertificates } from '../../infra/e2e/cluster';
import { testEnv } from './harness';

const TOKEN = 'admission-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'pac-admission-'));
let certificates: Certificates;
let client: { cert: Buffer; key: Buffer };

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: AdmissionReview bodies are read by path
  json: any;
}

interface Server {
  base: string;
  config: Config;
  close(): Promise<void>;
}
const servers: Server[] = [];

async function start(extra: Record<string, string>): Promise<Server> {
  const config = loadConfig({ ...testEnv(), PAC_OBSERVATIONS_DIR: mkdtempSync(join(dir, 'obs-')), ...extra });
  const { app, close } = await buildApp({ config, log: false, processMetrics: false });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const server = { base, config, close };
  servers.push(server);
  return server;
}

function post(server: Server, body: unknown, options: { token?: string; clientCert?: boolean; raw?: string } = {}): Promise<Answer> {
  const url = new URL('/v1/admission/validate', server.base);
  const payload = options.raw ?? JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca: certificates.caPem,
        ...(options.clientCert ? client : {}),
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        ...(url.protocol === 'http:' ? { protocol: 'http:', agent: undefined } : {}),
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function postHttp(server: Server, body: unknown): Promise<Answer> {
  const response = await fetch(`${server.base}/v1/admission/validate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

const yaml = (file: string) => parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const cleanPod = () => yaml(join(FIXTURES_DIR, 'positive', 'pod-cart-worker.yaml'));
// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited by path
type Pod = any;

function withContainer(edit: (c: Pod) => void): Record<string, unknown> {
  const pod: Pod = cleanPod();
  edit(pod.spec.containers[0]);
  return pod;
}

let uidCounter = 0;
function review(object: Record<string, unknown> | null, operation = 'CREATE', oldObject?: Record<string, unknown>) {
  const kind = String((object ?? oldObject)?.kind ?? 'Pod');
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${++uidCounter}-${Date.now()}`,
      kind: { group: kind === 'Pod' ? '' : 'apps', version: 'v1', kind },
      resource: { group: '', version: 'v1', resource: `${kind.toLowerCase()}s` },
      operation,
      namespace: 'shop',
      userInfo: { username: 'alice', groups: ['system:authenticated'] },
      object,
      oldObject: oldObject ?? null,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
      dryRun: false,
    },
  };
}

let enforce: Server;
let audit: Server;

beforeAll(async () => {
  certificates = await makeCertificates(join(dir, 'pki'), ['pac']);
  // a client certificate (clientAuth) signed by the same CA: what the API server's kubeconfig would hold
  const pki = join(dir, 'pki');
  writeFileSync(join(pki, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'ignore' });
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=kube-apiserver']);
  ssl([
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'client.crt',
    '-days',
    '1',
    '-extfile',
    'client.ext',
  ]);
  client = { cert: readFileSync(join(pki, 'client.crt')), key: readFileSync(join(pki, 'client.key')) };
  const pac = certificates.serving.pac as { certFile: string; keyFile: string };
  const tls = { PAC_API_TLS_CERT: pac.certFile, PAC_API_TLS_KEY: pac.keyFile };
  const policies = { PAC_ADMISSION_POLICIES: 'pss-baseline,rbac,best-practices' };
  enforce = await start({ ...tls, ...policies, PAC_ADMISSION_TOKEN: TOKEN, PAC_ADMISSION_CLIENT_CA: certificates.caFile });
  audit = await start({ ...tls, ...policies, PAC_ADMISSION_MODE: 'audit' });
}, 180_000);

afterAll(async () => {
  for (const server of servers) await server.close();
});

describe('POST /v1/admission/validate over HTTPS (enforce)', () => {
  it('denies a privileged Pod with the policy ids and messages, echoing the uid', async () => {
    const body = review(withContainer((c) => (c.securityContext.privileged = true)));
    const answer = await post(enforce, body, { token: TOKEN });
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json.apiVersion).toBe('admission.k8s.io/v1');
    expect(answer.json.kind).toBe('AdmissionReview');
    expect(answer.json.response.uid).toBe(body.request.uid);
    expect(answer.json.response.allowed).toBe(false);
    expect(answer.json.response.status.code).toBe(403);
    expect(answer.json.response.status.message).toContain('[pss-privileged] Pod shop/cart-worker');
    expect(answer.json.response.status.message.length).toBeLessThanOrEqual(2048);
  });

  it('admits a compliant Pod with no warning', async () => {
    const answer = await post(enforce, review(cleanPod()), { token: TOKEN });
    expect(answer.json.response).toEqual({ uid: expect.any(String), allowed: true });
  });

  it('turns a low-severity finding into a short warning and admits', async () => {
    const pod = withContainer((c) => c.ports.push({ name: 'http', containerPort: 80 }));
    const answer = await post(enforce, review(pod), { token: TOKEN });
    expect(answer.json.response.allowed).toBe(true);
    const warnings: string[] = answer.json.response.warnings;
    expect(warnings.some((w) => w.startsWith('container-privileged-ports (low): Pod shop/cart-worker'))).toBe(true);
    for (const w of warnings) expect(w.length).toBeLessThanOrEqual(120);
  });

  it('denies an UPDATE that changes serviceAccountName (sa-name-unchanged-on-update), admits one that keeps it', async () => {
    const samples = join(POLICIES_DIR, 'sa-name-unchanged-on-update', 'samples');
    const changed = await post(
      enforce,
      review(
        yaml(join(samples, 'disallowed', 'deployment-to-backfill-account.yaml')),
        'UPDATE',
        yaml(join(samples, 'old', 'deployment-to-backfill-account.yaml')),
      ),
      { token: TOKEN },
    );
    expect(changed.json.response.allowed).toBe(false);
    expect(changed.json.response.status.message).toContain('[sa-name-unchanged-on-update] Deployment payments/ledger: this update changes');
    const kept = await post(
      enforce,
      review(
        yaml(join(samples, 'allowed', 'deployment-image-bump.yaml')),
        'UPDATE',
        yaml(join(samples, 'old', 'deployment-image-bump.yaml')),
      ),
      { token: TOKEN },
    );
    expect(kept.json.response.status?.message ?? '').not.toContain('sa-name-unchanged-on-update');
    // the same new object as a CREATE: there is no old object to compare with
    const created = await post(enforce, review(yaml(join(samples, 'disallowed', 'deployment-to-backfill-account.yaml'))), { token: TOKEN });
    expect(created.json.response.status?.message ?? '').not.toContain('sa-name-unchanged-on-update');
  });

  it('honours kpc.io/exempt with a reason (audit annotation), not without one', async () => {
    const exempt = (reason?: string) => {
      const pod: Pod = withContainer((c) => (c.securityContext.privileged = true));
      pod.metadata.annotations['kpc.io/exempt'] = 'pss-privileged';
      if (reason) pod.metadata.annotations['kpc.io/exempt-reason'] = reason;
      return pod;
    };
    const withReason = await post(enforce, review(exempt('node debugging image, TICKET-42')), { token: TOKEN });
    expect(withReason.json.response.allowed).toBe(true);
    expect(withReason.json.response.auditAnnotations).toEqual({ exempted: 'pss-privileged' });
    const withoutReason = await post(enforce, review(exempt()), { token: TOKEN });
    expect(withoutReason.json.response.allowed).toBe(false);
    expect(withoutReason.json.response.status.message).toContain('pss-privileged');
  });

  it('never denies a DELETE: the removed object’s findings are warnings', async () => {
    const answer = await post(
      enforce,
      review(
        null,
        'DELETE',
        withContainer((c) => (c.securityContext.privileged = true)),
      ),
      { token: TOKEN },
    );
    expect(answer.json.response.allowed).toBe(true);
    expect(answer.json.response.warnings.some((w: string) => w.startsWith('pss-privileged (critical)'))).toBe(true);
  });

  it('answers 400 naming the field for a malformed review, and for a body that is not JSON', async () => {
    const noUid = review(cleanPod());
    (noUid.request as { uid?: string }).uid = undefined;
    const answer = await post(enforce, { ...noUid, request: { ...noUid.request, operation: 'PATCH' } }, { token: TOKEN });
    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe('invalid_request');
    expect(answer.json.error.message).toContain('body.request.uid');
    expect(answer.json.error.message).toContain('body.request.operation');
    const wrongVersion = await post(enforce, { ...review(cleanPod()), apiVersion: 'admission.k8s.io/v1beta1' }, { token: TOKEN });
    expect(wrongVersion.status).toBe(400);
    expect(wrongVersion.json.error.message).toContain('admission.k8s.io/v1');
    const notJson = await post(enforce, undefined, { token: TOKEN, raw: '{"apiVersion": ' });
    expect(notJson.status).toBe(400);
  });

  it('refuses callers without the token or a client certificate; accepts the client certificate alone', async () => {
    const body = review(cleanPod());
    const none = await post(enforce, body);
    expect(none.status).toBe(401);
    expect(none.json.error.message).toContain('PAC_ADMISSION_TOKEN');
    const wrong = await post(enforce, body, { token: 'not-the-admission-token-000000' });
    expect(wrong.status).toBe(401);
    const byCertificate = await post(enforce, body, { clientCert: true });
    expect(byCertificate.status).toBe(200);
    expect(byCertificate.json.response.allowed).toBe(true);
  });

  it('refuses over plain HTTP when nothing authenticates the caller', async () => {
    const plain = await start({});
    const answer = await postHttp(plain, review(cleanPod()));
    expect(answer.status).toBe(401);
    expect(answer.json.error.message).toContain('HTTPS');
  });

  it('recorded the reviewed objects as observations with source admission', async () => {
    await enforce.close();
    servers.splice(servers.indexOf(enforce), 1);
    const observations = readObservations(enforce.config);
    expect(observations.length).toBeGreaterThan(0);
    expect(new Set(observations.map((o) => o.source))).toEqual(new Set(['admission']));
    expect(observations.some((o) => o.denied?.includes('pss-privileged'))).toBe(true);
    expect(observations.some((o) => o.denied?.includes('sa-name-unchanged-on-update'))).toBe(true);
  });
});

describe('audit mode (PAC_ADMISSION_MODE=audit), open over HTTPS', () => {
  it('admits a privileged Pod and returns its findings as warnings; records nothing from unauthenticated callers', async () => {
    const answer = await post(audit, review(withContainer((c) => (c.securityContext.privileged = true))));
    expect(answer.status).toBe(200);
    expect(answer.json.response.allowed).toBe(true);
    expect(answer.json.response.status).toBeUndefined();
    expect(answer.json.response.warnings[0]).toContain('audit mode');
    expect(answer.json.response.warnings.some((w: string) => w.startsWith('pss-privileged (critical)'))).toBe(true);
    await audit.close();
    servers.splice(servers.indexOf(audit), 1);
    expect(readObservations(audit.config)).toEqual([]);
  });
});

describe('TLS configuration', () => {
  it('names the variable when the certificate cannot be read or does not match its key', async () => {
    const pac = certificates.serving.pac as { certFile: string; keyFile: string };
    const missing = loadConfig({ ...testEnv(), PAC_API_TLS_CERT: join(dir, 'nope.crt'), PAC_API_TLS_KEY: pac.keyFile });
    await expect(buildApp({ config: missing, log: false, processMetrics: false })).rejects.toThrow(
      /PAC_API_TLS_CERT: cannot read .*nope\.crt \(ENOENT\)/,
    );
    const mismatched = loadConfig({ ...testEnv(), PAC_API_TLS_CERT: pac.certFile, PAC_API_TLS_KEY: join(dir, 'pki', 'client.key') });
    await expect(buildApp({ config: mismatched, log: false, processMetrics: false })).rejects.toThrow(/cannot be used together/);
    expect(() => loadConfig({ ...testEnv(), PAC_API_TLS_CERT: pac.certFile })).toThrow(/PAC_API_TLS_KEY/);
  });
});
