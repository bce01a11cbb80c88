/**
 * The Helm chart (infra/helm/kube-pac-copilot), rendered by the real helm and checked three ways:
 * kubeconform -strict against the Kubernetes JSON schemas of three releases, `pac analyze` itself
 * (zero findings with the default bundle and pss-restricted; with --bundle all only the findings the
 * chart README accepts), and the values → PAC_* mapping against infra/config.ts.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema, loadConfig, SECRET_VARIABLES } from '../../infra/config';
import { installTools } from '../../infra/install-tools';
import {
  byKind,
  CHART,
  config,
  FULLNAME,
  helmLint,
  helmTemplate,
  type K8sObject,
  kubeconform,
  NAMESPACE,
  named,
  pacAnalyze,
  podTemplates,
  type Rendered,
  render,
  selects,
} from './deploy-harness';

const QUEUES = ['main', 'lifecycle', 'drafting'] as const;
/**
 * Variables of the admission webhook's TLS listener, read by `pac serve` once the admission route
 * lands (another part of issue 16); names as in values.yaml admission.tls.certEnv/keyEnv.
 */
const ADMISSION_TLS_VARIABLES = ['PAC_API_TLS_CERT', 'PAC_API_TLS_KEY'];

const CONFIGURATIONS = {
  default: [] as string[],
  everything: ['ci/everything-values.yaml'],
  'workers-hpa': ['ci/workers-hpa-values.yaml'],
} as const;
type ConfigurationName = keyof typeof CONFIGURATIONS;

let work: string;
const rendered = {} as Record<ConfigurationName, Rendered & { file: string }>;

beforeAll(async () => {
  // first run on a machine: builds helm and kubeconform from the Go module proxy (minutes), later runs: instant
  await installTools(config);
  work = await mkdtemp(join(tmpdir(), 'pac-deploy-'));
  for (const [name, values] of Object.entries(CONFIGURATIONS) as [ConfigurationName, readonly string[]][]) {
    const result = await render([...values]);
    const file = join(work, `${name}.yaml`);
    await writeFile(file, result.text);
    rendered[name] = { ...result, file };
  }
}, 1_800_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

function containersOf(template: K8sObject['spec']): { name: string; [key: string]: unknown }[] {
  return [...(template.spec.initContainers ?? []), ...template.spec.containers];
}

describe('the chart renders', () => {
  it('the API and one worker Deployment per task queue, each with its PodDisruptionBudget and NetworkPolicy', () => {
    const { objects } = rendered.default;
    const deployments = byKind(objects, 'Deployment').map((d) => d.metadata.name);
    expect(deployments.sort()).toEqual([`${FULLNAME}-api`, ...QUEUES.map((q) => `${FULLNAME}-worker-${q}`)].sort());
    const api = named(objects, 'Deployment', `${FULLNAME}-api`);
    expect(api.spec.template.spec.containers[0].args).toEqual(['serve']);
    for (const queue of QUEUES) {
      const worker = named(objects, 'Deployment', `${FULLNAME}-worker-${queue}`);
      const args = worker.spec.template.spec.containers[0].args as string[];
      expect(args.slice(0, 3)).toEqual(['worker', '--queues', queue]);
      expect(args[3]).toBe('--concurrency');
      expect(Number(args[4])).toBeGreaterThanOrEqual(1);
    }
    for (const { owner, template } of podTemplates(objects)) {
      const pdbs = byKind(objects, 'PodDisruptionBudget').filter((p) => selects(p.spec.selector, template.metadata.labels));
      expect(pdbs, `${owner}: exactly one PodDisruptionBudget selects its pods`).toHaveLength(1);
      const policies = byKind(objects, 'NetworkPolicy').filter((n) => selects(n.spec.podSelector, template.metadata.labels));
      expect(policies, `${owner}: exactly one NetworkPolicy selects its pods`).toHaveLength(1);
    }
    const service = named(objects, 'Service', `${FULLNAME}-api`);
    expect(selects({ matchLabels: service.spec.selector }, api.spec.template.metadata.labels)).toBe(true);
  });

  it('probes on /healthz for the API, on HTTPS once the admission webhook is on', () => {
    const plain = named(rendered.default.objects, 'Deployment', `${FULLNAME}-api`).spec.template.spec.containers[0];
    const tls = named(rendered.everything.objects, 'Deployment', `${FULLNAME}-api`).spec.template.spec.containers[0];
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      expect(plain[probe].httpGet).toMatchObject({ path: '/healthz', port: 'http', scheme: 'HTTP' });
      expect(tls[probe].httpGet).toMatchObject({ path: '/healthz', port: 'http', scheme: 'HTTPS' });
    }
  });

  it('every pod in every configuration runs restricted: non-root, read-only root, no capabilities, RuntimeDefault seccomp', () => {
    for (const [name, { objects }] of Object.entries(rendered)) {
      for (const { owner, template } of podTemplates(objects)) {
        const pod = template.spec;
        const where = `${name}: ${owner}`;
        expect(pod.securityContext, where).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(pod.securityContext.runAsUser, where).toBeGreaterThan(0);
        expect(pod.automountServiceAccountToken, where).toBe(false);
        expect(pod.serviceAccountName, where).toMatch(new RegExp(`^${FULLNAME}`));
        const mounts = new Set<string>();
        for (const c of containersOf(template)) {
          expect(c.securityContext, `${where} ${c.name}`).toMatchObject({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          });
          expect(c.resources, `${where} ${c.name}`).toMatchObject({
            requests: { cpu: expect.anything(), memory: expect.anything(), 'ephemeral-storage': expect.anything() },
            limits: { cpu: expect.anything(), memory: expect.anything(), 'ephemeral-storage': expect.anything() },
          });
          for (const m of (c.volumeMounts as { mountPath: string }[]) ?? []) mounts.add(m.mountPath);
        }
        expect(mounts.has('/tmp'), `${where}: /tmp is a volume`).toBe(true);
      }
    }
  });

  it('the ConfigMap is a valid configuration for infra/config.ts and holds no secret; secrets come from secretKeyRefs', () => {
    for (const [name, { objects }] of Object.entries(rendered)) {
      const data = named(objects, 'ConfigMap', `${FULLNAME}-config`).data ?? {};
      for (const secret of SECRET_VARIABLES) expect(data, `${name}: ${secret} in the ConfigMap`).not.toHaveProperty(secret);
      // what a pod starts with: the ConfigMap's variables; the loader must accept them as they are
      const parsed = loadConfig({ HOME: '/tmp', ...data });
      expect(parsed.api.host).toBe('0.0.0.0');
      expect(parsed.temporal.taskQueues).toEqual({ main: 'pac-main', lifecycle: 'pac-lifecycle', drafting: 'pac-drafting' });
      expect(parsed.stateDir).toBe('/var/lib/pac');
    }
    const everything = rendered.everything.objects;
    const data = named(everything, 'ConfigMap', `${FULLNAME}-config`).data ?? {};
    const parsed = loadConfig({ HOME: '/tmp', ...data });
    expect(parsed.temporal).toMatchObject({
      address: 'pac-prod.a1b2c.tmprl.cloud:7233',
      namespace: 'pac-prod.a1b2c',
      tls: {
        enabled: true,
        caFile: '/etc/pac/temporal-tls/ca.crt',
        certFile: '/etc/pac/temporal-tls/tls.crt',
        serverName: 'pac-prod.a1b2c.tmprl.cloud',
      },
    });
    expect(parsed.weaviate.url).toBe(`http://${FULLNAME}-weaviate.${NAMESPACE}.svc.cluster.local:8080`);
    expect(parsed.drafting.reviewers).toEqual(['alice@example.com', 'bob@example.com']);
    const env = named(everything, 'Deployment', `${FULLNAME}-worker-main`).spec.template.spec.containers[0].env as {
      name: string;
      value?: string;
      valueFrom?: { secretKeyRef: { name: string; key: string; optional: boolean } };
    }[];
    const fromSecret = env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name);
    expect(new Set(fromSecret)).toEqual(SECRET_VARIABLES);
    expect(env.filter((e) => SECRET_VARIABLES.has(e.name) && e.value !== undefined)).toEqual([]);
    const secret = named(everything, 'Secret', `${FULLNAME}-secrets`);
    expect(Buffer.from(secret.data?.apiTokens ?? '', 'base64').toString()).toMatch(/^ci:/);
  });

  it('every PAC_* variable the chart sets is one infra/config.ts reads', () => {
    const known = new Set([...Object.keys(envSchema.shape), ...ADMISSION_TLS_VARIABLES]);
    for (const [name, { text }] of Object.entries(rendered)) {
      const used = new Set(text.match(/\bPAC_[A-Z0-9_]+\b/g) ?? []);
      expect(used.size, name).toBeGreaterThan(10);
      expect(
        [...used].filter((v) => !known.has(v)),
        name,
      ).toEqual([]);
    }
  });

  it('everything enabled: Temporal Cloud TLS files, the webhook, HPA, the nightly scale-down', () => {
    const { objects } = rendered.everything;
    const webhook = byKind(objects, 'ValidatingWebhookConfiguration')[0]?.webhooks[0];
    expect(webhook).toMatchObject({
      failurePolicy: 'Fail',
      timeoutSeconds: 3,
      sideEffects: 'NoneOnDryRun',
      admissionReviewVersions: ['v1'],
      clientConfig: { service: { name: `${FULLNAME}-api`, namespace: NAMESPACE, path: '/v1/admission/validate', port: 443 } },
    });
    expect(webhook.namespaceSelector.matchExpressions[0]).toMatchObject({ operator: 'NotIn', values: ['kube-system', NAMESPACE] });
    const api = named(objects, 'Deployment', `${FULLNAME}-api`);
    expect(api.spec.replicas).toBeUndefined();
    expect(api.metadata.annotations?.['kpc.io/exempt']).toBe('replicas-minimum');
    expect(api.spec.template.spec.volumes).toContainEqual(
      expect.objectContaining({ name: 'admission-tls', secret: expect.objectContaining({ secretName: 'pac-admission-tls' }) }),
    );
    expect(api.spec.template.spec.volumes).toContainEqual(
      expect.objectContaining({ name: 'state', persistentVolumeClaim: { claimName: 'pac-state' } }),
    );
    expect(named(objects, 'HorizontalPodAutoscaler', `${FULLNAME}-api`).spec).toMatchObject({
      minReplicas: 2,
      scaleTargetRef: { name: `${FULLNAME}-api` },
    });
    const service = named(objects, 'Service', `${FULLNAME}-weaviate`);
    expect(service.spec.ports.map((p: { port: number }) => p.port)).toEqual([8080, 50051]);
    const down = named(objects, 'CronJob', `${FULLNAME}-nightly-scale-down`);
    expect(down.spec).toMatchObject({ schedule: '0 20 * * 1-5', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid' });
    const scaleArgs = down.spec.jobTemplate.spec.template.spec.containers.map((c: { args: string[] }) => c.args.join(' '));
    expect(scaleArgs).toEqual([
      `scale deployment/${FULLNAME}-worker-main --namespace=${NAMESPACE} --replicas=0`,
      `scale deployment/${FULLNAME}-worker-drafting --namespace=${NAMESPACE} --replicas=0`,
    ]);
    const up = named(objects, 'CronJob', `${FULLNAME}-nightly-scale-up`);
    expect(up.spec.jobTemplate.spec.template.spec.containers[0].args).toContain('--replicas=2');
    const role = named(objects, 'Role', `${FULLNAME}-nightly-scale`);
    expect(role.rules).toEqual([
      {
        apiGroups: ['apps'],
        resources: ['deployments', 'deployments/scale'],
        resourceNames: [`${FULLNAME}-worker-main`, `${FULLNAME}-worker-drafting`],
        verbs: ['get', 'patch', 'update'],
      },
    ]);
    for (const queue of ['main', 'lifecycle', 'drafting']) {
      const worker = named(objects, 'Deployment', `${FULLNAME}-worker-${queue}`).spec.template.spec;
      expect(worker.volumes).toContainEqual({ name: 'temporal-tls', secret: { secretName: 'temporal-client-tls', defaultMode: 288 } });
    }
    const hpa = rendered['workers-hpa'].objects;
    expect(
      byKind(hpa, 'HorizontalPodAutoscaler')
        .map((h) => h.metadata.name)
        .sort(),
    ).toEqual([`${FULLNAME}-worker-drafting`, `${FULLNAME}-worker-main`]);
  });

  it('refuses bad values with a message naming the value', async () => {
    const cases: [string[], RegExp][] = [
      [['config.PAC_API_TOKENS=x'], /config\.PAC_API_TOKENS: a secret never goes into the ConfigMap/],
      [['config.PAC_TEMPORAL_ADDRESS=x:1'], /config\.PAC_TEMPORAL_ADDRESS: set by the chart/],
      [['config.temporalAddress=x'], /config\.temporalAddress: keys are PAC_\* variable names/],
      [['owner=platform'], /owner: expected the owning team's email address/],
      [['image.digest=latest'], /image\.digest: expected sha256:/],
      [['temporal.tls.existingSecret=t', 'temporal.tls.certKey=tls.crt'], /mTLS needs both certKey and keyKey/],
      [['admission.enabled=true', 'admission.tls.secretName=s'], /admission: set admission\.tls\.caBundle/],
      [['nightlyScaleDown.enabled=true', 'workers.hpa.enabled=true'], /would fight/],
      [['secrets.create=true', 'secrets.values.llmKey=x'], /secrets\.values\.llmKey: unknown key/],
    ];
    for (const [sets, message] of cases) {
      const result = await helmTemplate([], sets);
      expect(result.code, sets.join(' ')).not.toBe(0);
      expect(result.stderr, sets.join(' ')).toMatch(message);
    }
  });

  it('passes helm lint --strict in every configuration', async () => {
    for (const [name, values] of Object.entries(CONFIGURATIONS)) {
      const result = await helmLint([...values]);
      expect(result.code, `${name}:\n${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('declares the Weaviate chart as an optional dependency, off by default and not vendored', () => {
    const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as {
      dependencies: { name: string; condition: string; version: string }[];
    };
    expect(chart.dependencies).toEqual([
      expect.objectContaining({ name: 'weaviate', condition: 'weaviate.enabled', version: expect.stringMatching(/^\d+\.\d+\.\d+$/) }),
    ]);
    const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as { weaviate: { enabled: boolean } };
    expect(values.weaviate.enabled).toBe(false);
    expect(() => readFileSync(join(CHART, 'charts', 'weaviate', 'Chart.yaml'))).toThrow();
    expect(byKind(rendered.default.objects, 'Service').map((s) => s.metadata.name)).not.toContain(`${FULLNAME}-weaviate`);
  });
});

describe('kubeconform -strict with local schemas', () => {
  const versions = config.versions.kubernetesSchemas.kubernetes;

  it.each(versions)('accepts every object of every configuration against Kubernetes %s', async (version) => {
    const all = Object.values(rendered);
    const summary = await kubeconform(
      all.map((r) => r.file),
      version,
    );
    expect(summary.messages).toEqual([]);
    expect(summary).toMatchObject({ valid: all.reduce((n, r) => n + r.objects.length, 0), invalid: 0, errors: 0, skipped: 0 });
  });

  it('rejects a misspelt field (the validation can fail)', async () => {
    const broken = join(work, 'broken.yaml');
    await writeFile(broken, rendered.default.text.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesytem: true'));
    const summary = await kubeconform([broken], versions[0] as string);
    expect(summary.invalid).toBe(1);
    expect(summary.messages.join('\n')).toMatch(/readOnlyRootFilesytem/);
  });
});

describe('pac analyze on the rendered chart', () => {
  /** policy ids of the README's "Accepted findings" table */
  function acceptedPolicies(): Set<string> {
    const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Accepted findings'));
    return new Set([...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1] as string));
  }

  it.each([
    ['the default bundle', []],
    ['--bundle pss-restricted', ['--bundle', 'pss-restricted']],
  ])('%s: no finding in any configuration', async (_label, args) => {
    for (const [name, { file }] of Object.entries(rendered)) {
      const { code, findings } = await pacAnalyze(file, args);
      expect(
        findings.map((f) => `${f.resource} ${f.policy}: ${f.message}`),
        name,
      ).toEqual([]);
      expect(code, name).toBe(0);
    }
  });

  it('--bundle all: only the findings the chart README accepts, and every accepted one occurs', async () => {
    const accepted = acceptedPolicies();
    expect(accepted.size).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (const [name, { file }] of Object.entries(rendered)) {
      const { findings } = await pacAnalyze(file, ['--bundle', 'all']);
      const unexplained = findings.filter((f) => !accepted.has(f.policy)).map((f) => `${f.resource} ${f.policy}: ${f.message}`);
      expect(unexplained, `${name}: findings the README does not accept`).toEqual([]);
      for (const f of findings) seen.add(f.policy);
    }
    expect(
      [...accepted].filter((p) => !seen.has(p)),
      'README rows no configuration produces',
    ).toEqual([]);
  });
});
