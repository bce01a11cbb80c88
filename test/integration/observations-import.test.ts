/**
 * `pac ingest` as a library call: a `kubectl get -A -o yaml` dump (a List, with server-side noise
 * and a broken document in the same stream), `-o json`, `helm template` output on standard input,
 * and a GitOps repository directory — each object an observation with source `import`, read back
 * from the Parquet segments the import compacts into.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeWriters, importManifests, observationCounts, readObservations } from '../../activities/observations';
import { type Config, loadConfig } from '../../infra/config';

let dir: string;
let config: Config;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pac-obs-import-'));
  // an explicit import writes even with recording off
  config = loadConfig({ ...process.env, PAC_STATE_DIR: dir, PAC_OBSERVATIONS_DIR: join(dir, 'store'), PAC_OBSERVE: 'off' });
});

afterEach(() => {
  closeWriters();
  rmSync(dir, { recursive: true, force: true });
});

const noise = (i: number) => `    creationTimestamp: "2025-0${(i % 9) + 1}-01T08:00:00Z"
    resourceVersion: "10${i}"
    uid: 4f9a6c2e-0000-4000-8000-00000000000${i}
    managedFields:
    - manager: kube-controller-manager
      operation: Update`;

const dumpList = (names: string[]) => `apiVersion: v1
items:
${names
  .map(
    (name, i) => `- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: ${name}
    namespace: shop
${noise(i)}
    annotations:
      kubectl.kubernetes.io/last-applied-configuration: '{"env":"DB_PASSWORD=${name}-pw-in-clear"}'
  spec:
    replicas: 2
    selector:
      matchLabels: {app: ${name}}
    template:
      metadata:
        creationTimestamp: null
        labels: {app: ${name}}
      spec:
        containers:
        - name: app
          image: ghcr.io/shop/${name}:1.4.${i}
          env:
          - name: DB_PASSWORD
            value: ${name}-pw-in-clear
  status:
    availableReplicas: 2
    observedGeneration: 3`,
  )
  .join('\n')}
kind: List
metadata:
  resourceVersion: ""`;

describe('importManifests', () => {
  it('imports a List dump, reports the broken document with file and line, keeps the rest', () => {
    const broken = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  key: [unclosed, list\n';
    const text = `${dumpList(['cart', 'checkout', 'search'])}\n---\n${broken}---\n${dumpList(['payments', 'ledger'])}\n`;
    const file = join(dir, 'cluster-dump.yaml');
    writeFileSync(file, text);
    const brokenStart = text.split('\n').indexOf('  key: [unclosed, list') + 1;
    // two days ago, to the second (inside the default window and retention whenever the test runs)
    const time = new Date(Math.floor(Date.now() / 1000) * 1000 - 2 * 86_400_000);
    const report = importManifests(config, [file], { time });
    expect(report.imported).toBe(5);
    expect(report.distinct).toBe(5);
    expect(report.byKind).toEqual({ Deployment: 5 });
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]?.source).toBe(file);
    // the error is on the unclosed list's line or the document's end, inside the broken document
    expect(report.problems[0]?.line).toBeGreaterThanOrEqual(brokenStart);
    expect(report.problems[0]?.line).toBeLessThanOrEqual(brokenStart + 2);
    expect(report.compaction).toMatchObject({ records: 5, skipped: 0 });

    const observations = readObservations(config);
    expect(observations.map((o) => o.name).sort()).toEqual(['cart', 'checkout', 'ledger', 'payments', 'search']);
    const cart = observations.find((o) => o.name === 'cart');
    expect(cart).toMatchObject({
      source: 'import',
      time: time.toISOString(),
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'shop',
      createdAt: '2025-01-01T08:00:00Z',
      denied: null,
      ranker: null,
      origin: `${file}:1#items[0]`,
    });
    const stored = JSON.stringify(observations);
    // server-side noise is gone, the secret is redacted (in env and in the last-applied copy)
    for (const gone of ['managedFields', 'resourceVersion', '"uid"', 'availableReplicas', 'last-applied', 'pw-in-clear'])
      expect(stored).not.toContain(gone);
    expect(cart?.manifest.spec).toMatchObject({ replicas: 2 });
  });

  it('imports `kubectl get -o json`, `helm template` output on stdin and a GitOps repository', () => {
    const json = join(dir, 'dump.json');
    writeFileSync(
      json,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'x' }, status: { phase: 'Active' } },
          { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: 'shop' } },
        ],
      }),
    );
    const helm = `---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: release-web
spec:
  ports: [{port: 80, targetPort: http}]
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;
    const repo = join(dir, 'gitops');
    for (const sub of ['.git', 'apps/shop', 'charts/web/templates', 'ci']) mkdirSync(join(repo, sub), { recursive: true });
    writeFileSync(join(repo, '.git', 'config.yaml'), 'kind: NotAnObject\n');
    writeFileSync(join(repo, 'charts/web/Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
    writeFileSync(
      join(repo, 'charts/web/templates/deployment.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n',
    );
    writeFileSync(
      join(repo, 'apps/shop/kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\n',
    );
    writeFileSync(join(repo, 'apps/shop/values.yaml'), 'replicaCount: 2\n');
    writeFileSync(join(repo, 'ci/pipeline.yml'), 'stages: [build]\n');
    writeFileSync(
      join(repo, 'apps/shop/app.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop-config\ndata:\n  DB_PASSWORD: plain-text-in-git\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: shop\n',
    );
    const report = importManifests(config, [json, '-', repo], { stdin: () => helm });
    expect(report.imported).toBe(6);
    expect(report.byKind).toEqual({ ConfigMap: 1, Deployment: 1, Namespace: 1, Service: 2, ServiceAccount: 1 });
    expect(report.problems).toEqual([]);
    expect(report.ignored.map((i) => [i.source.slice(repo.length + 1), i.line])).toEqual([
      ['apps/shop/kustomization.yaml', 1],
      ['apps/shop/values.yaml', 1],
      ['ci/pipeline.yml', 1],
    ]);
    expect(report.skippedDirs.map((d) => d.path.slice(repo.length + 1))).toEqual(['.git', 'charts/web']);
    const read = readObservations(config);
    expect(read.map((o) => o.origin).sort()).toEqual(
      [`${json}:1#items[0]`, `${json}:1#items[1]`, '-:3', '-:11', `${repo}/apps/shop/app.yaml:1`, `${repo}/apps/shop/app.yaml:8`].sort(),
    );
    expect(JSON.stringify(read)).not.toContain('plain-text-in-git');
    expect(observationCounts(config, { by: ['source', 'kind'] }).rows.every((r) => r.source === 'import')).toBe(true);
  });

  it('treats a non-object named on the command line as a problem, and refuses a missing path', () => {
    const values = join(dir, 'values.yaml');
    writeFileSync(values, 'replicaCount: 2\n');
    const report = importManifests(config, [values], { compact: false });
    expect(report.imported).toBe(0);
    expect(report.problems).toEqual([{ source: values, line: 1, message: expect.stringMatching(/not a Kubernetes object/) }]);
    expect(() => importManifests(config, [join(dir, 'missing.yaml')])).toThrow(/missing\.yaml: no such file or directory/);
    expect(() => importManifests(config, [])).toThrow(/nothing to import/);
  });
});
