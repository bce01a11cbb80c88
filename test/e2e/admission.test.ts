/**
 * End to end, opt-in (`npm run test:e2e`): a real kube-apiserver (with etcd), built from the Go module
 * proxy, calls the admission webhook of a real `pac serve` over TLS, with the webhook configuration the
 * Helm chart renders; a privileged Pod is refused and a restricted one admitted.
 *
 * The API server runs without cluster networking, so the chart's Service reference is swapped for
 * the URL of `pac serve` on loopback; everything else (rules, selectors, failure policy, timeout,
 * side effects) is the chart's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../infra/config';
import { type Certificates, freePort, type LocalCluster, makeCertificates, startLocalCluster } from '../../infra/e2e/cluster';
import { E2E_TOOLS, installTools, toolPaths, VALIDATION_TOOLS } from '../../infra/install-tools';
import { byKind, CHART, ROOT, render } from '../integration/deploy-harness';

const config = loadConfig({ ...process.env, PAC_STATE_DIR: tmpdir() });
const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as { admission: { tls: { certEnv: string; keyEnv: string } } };

let dir: string;
let certificates: Certificates;
let cluster: LocalCluster | undefined;
let serve: ChildProcess | undefined;
let serveLog = '';

function pacHealthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`https://127.0.0.1:${port}/healthz`, { ca: certificates.caPem, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

const privilegedPod = (namespace: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'root-shell', namespace },
  spec: { containers: [{ name: 'shell', image: 'registry.internal.example/tools/shell:1.0', securityContext: { privileged: true } }] },
});

const restrictedPod = (namespace: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'restricted', namespace },
  spec: {
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'registry.internal.example/apps/app:1.0',
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      },
    ],
  },
});

beforeAll(async () => {
  const started = Date.now();
  const steps = await installTools(config, [...VALIDATION_TOOLS, ...E2E_TOOLS]);
  for (const step of steps)
    process.stderr.write(`[e2e] ${step.tool} ${step.version}: ${step.installed ? `built in ${step.seconds.toFixed(0)} s` : 'cached'}\n`);
  process.stderr.write(`[e2e] tools ready after ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  const paths = toolPaths(config);
  dir = await mkdtemp(join(tmpdir(), 'pac-e2e-'));
  certificates = await makeCertificates(join(dir, 'pki'), ['apiserver', 'pac']);
  cluster = await startLocalCluster({ etcd: paths.etcd, kubeApiserver: paths.kubeApiserver, dir, certificates });

  const port = await freePort();
  const pac = certificates.serving.pac as { certFile: string; keyFile: string };
  serve = spawn(process.execPath, [join(ROOT, 'bin/pac.js'), 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PAC_API_HOST: '127.0.0.1',
      PAC_API_PORT: String(port),
      PAC_STATE_DIR: join(dir, 'pac-state'),
      [values.admission.tls.certEnv]: pac.certFile,
      [values.admission.tls.keyEnv]: pac.keyFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serve.stdout?.on('data', (c: Buffer) => {
    serveLog += c.toString();
  });
  serve.stderr?.on('data', (c: Buffer) => {
    serveLog += c.toString();
  });
  const deadline = Date.now() + 120_000;
  while (!(await pacHealthy(port))) {
    if (serve.exitCode !== null || Date.now() > deadline)
      throw new Error(`pac serve did not answer https://127.0.0.1:${port}/healthz:\n${serveLog.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }

  // the chart's webhook configuration, pointed at pac serve on loopback
  const { objects } = await render(
    [],
    [
      'admission.enabled=true',
      'admission.failurePolicy=Fail',
      'admission.tls.secretName=pac-admission-tls',
      `admission.tls.caBundle=${Buffer.from(certificates.caPem).toString('base64')}`,
    ],
  );
  const webhookConfiguration = byKind(objects, 'ValidatingWebhookConfiguration')[0];
  if (!webhookConfiguration) throw new Error('the chart rendered no ValidatingWebhookConfiguration');
  for (const webhook of webhookConfiguration.webhooks) {
    const { service, ...rest } = webhook.clientConfig;
    webhook.clientConfig = { ...rest, url: `https://127.0.0.1:${port}${service.path}` };
  }
  delete webhookConfiguration.metadata.labels;
  const created = await cluster.request(
    'POST',
    '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
    webhookConfiguration,
  );
  if (created.status !== 201) throw new Error(`registering the webhook: ${created.status} ${JSON.stringify(created.body)}`);
  for (const [name, labels] of [
    ['team-a', { 'kube-pac.io/admission': 'enabled' }],
    ['team-b', {}],
  ] as const) {
    const ns = await cluster.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
    if (ns.status !== 201) throw new Error(`namespace ${name}: ${ns.status} ${JSON.stringify(ns.body)}`);
  }
}, 3_600_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) serve.kill('SIGTERM');
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('admission webhook on a real kube-apiserver', () => {
  it('refuses a privileged Pod in a namespace that opted in, naming the policy', async () => {
    const created = await (cluster as LocalCluster).request('POST', '/api/v1/namespaces/team-a/pods', privilegedPod('team-a'));
    expect(created.status, JSON.stringify(created.body)).toBeGreaterThanOrEqual(400);
    expect(created.status).toBeLessThan(500);
    expect(created.body.message).toMatch(/admission webhook "validate\.kube-pac-copilot\.kube-pac\.io" denied the request/);
    expect(created.body.message).toMatch(/pss-privileged/);
  });

  it('admits a Pod that meets the restricted profile in the same namespace', async () => {
    const created = await (cluster as LocalCluster).request('POST', '/api/v1/namespaces/team-a/pods', restrictedPod('team-a'));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });

  it('does not judge namespaces that did not opt in (the chart namespaceSelector)', async () => {
    const created = await (cluster as LocalCluster).request('POST', '/api/v1/namespaces/team-b/pods', privilegedPod('team-b'));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });
});
