/**
 * Troubleshooting against the real engines: the minimiser and the fix recommender with the real
 * `opa` (every claim re-checked here with a separate evaluation of the whole corpus), the
 * troubleshoot workflow end to end on the Temporal dev server, and the CLI on files.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { minimiseCounterexample, removablePaths, removePaths } from '../../activities/troubleshooting/minimise';
import { evaluateDenials } from '../../activities/troubleshooting/oracle';
import { applyPatch } from '../../activities/troubleshooting/patch';
import { recommendFixes } from '../../activities/troubleshooting/recommend';
import { loadNegativeFixtures, loadPositiveFixtures, type NegativeFixture } from '../../datasets/load';
import type { Config } from '../../infra/config';
import { createWorker } from '../../workers/main';
import { temporalClient } from '../../workers/temporal';
import { troubleshoot, troubleshootStatusQuery } from '../../workflows';
import { testConfig, testEnv, uniqueName } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
let config: Config;
const negatives = loadNegativeFixtures();
const fixture = (name: string): NegativeFixture => {
  const found = negatives.find((f) => f.name === name);
  if (!found) throw new Error(`no negative fixture ${name}`);
  return found;
};
const policyOf = (f: NegativeFixture) => f.name.split('--')[0] as string;

/** Different kinds, container lists, pod-level and metadata problems, RBAC, Services, Ingresses. */
const SAMPLE = [
  'container-readonly-rootfs--deployment-sidecar-false',
  'container-readonly-rootfs--job-init-unset',
  'pss-privileged--pod-ephemeral-debugger',
  'pss-capabilities-restricted--daemonset-add-chown',
  'pss-host-namespaces--cronjob-host-ipc',
  'resources-memory-limits--statefulset-init-restore',
  'probes-readiness--replicaset-adapter',
  'image-no-latest-tag--job-init-latest',
  'cronjob-concurrency-policy--cronjob-allow',
  'svc-no-nodeport--type-nodeport',
  'rbac-wildcard-verbs--role-deployments',
  'ingress-tls-required--no-tls',
  'configmap-no-credentials--db-password',
];

beforeAll(() => {
  config = testConfig();
});

function sampleFixtures(): NegativeFixture[] {
  return SAMPLE.map(fixture);
}

describe('counterexample minimiser (real OPA)', () => {
  it('returns manifests that are still denied and 1-minimal: removing any one remaining node makes them allowed', async () => {
    for (const f of sampleFixtures().slice(0, 8)) {
      const policy = policyOf(f);
      const result = await minimiseCounterexample(config, { manifest: f.manifest, policy });
      const minimal = result.minimal as Record<string, unknown>;
      expect(minimal.apiVersion, f.name).toBe(f.manifest.apiVersion);
      expect(minimal.kind, f.name).toBe(f.manifest.kind);
      expect((minimal.metadata as Record<string, unknown>).name, f.name).toBe(f.manifest.metadata.name);
      expect(result.after.nodes, f.name).toBeLessThan(result.before.nodes);

      const paths = removablePaths(minimal);
      const candidates = [minimal, ...paths.map((p) => removePaths(minimal, [p]))];
      const denials = await evaluateDenials({ config, manifests: candidates, policies: [policy] });
      expect(denials[0]?.[policy]?.length ?? 0, `${f.name}: the minimal manifest is denied`).toBeGreaterThan(0);
      paths.forEach((path, i) => {
        expect(denials[i + 1]?.[policy], `${f.name}: removing ${path.join('.')} still denied`).toBeUndefined();
      });
    }
  });

  it('refuses a manifest the policy does not deny', async () => {
    const positive = loadPositiveFixtures()[0];
    await expect(minimiseCounterexample(config, { manifest: positive?.manifest, policy: 'pss-privileged' })).rejects.toThrow(
      /does not deny/,
    );
  });
});

describe('fix recommender (real OPA)', () => {
  it('every recommended patch verifies: the target allows and no other policy starts denying', async () => {
    for (const f of sampleFixtures()) {
      const policy = policyOf(f);
      const rec = await recommendFixes(config, { manifest: f.manifest, policy, strategy: 'manifest_patch' });
      expect(rec.fixes.length, `${f.name}: at least one verified fix`).toBeGreaterThan(0);
      const sizes = rec.fixes.map((x) => x.size);
      expect(sizes, `${f.name}: ranked by size`).toEqual([...sizes].sort((a, b) => a - b));
      const patched = rec.fixes.map((fix) => applyPatch(f.manifest, fix.patch));
      const [before, ...after] = await evaluateDenials({ config, manifests: [f.manifest, ...patched] });
      after.forEach((d, i) => {
        expect(d[policy], `${f.name} fix ${i}: ${policy} still denies`).toBeUndefined();
        const added = Object.keys(d).filter((p) => !(p in (before ?? {})));
        expect(added, `${f.name} fix ${i}: new denials`).toEqual([]);
      });
    }
  });

  it('proposes a verified parameter change when the strategy is policy_change', async () => {
    const f = negatives.find((x) => policyOf(x) === 'image-allowed-registries') as NegativeFixture;
    const rec = await recommendFixes(config, { manifest: f.manifest, policy: 'image-allowed-registries', strategy: 'policy_change' });
    const change = rec.policyChanges.find((c) => c.kind === 'parameter');
    expect(change?.verified).toBe(true);
    // who decided is named: the MLflow fix-strategy champion, or the fp_score rule when there is none
    expect(change?.reason).toMatch(/P\(policy_change\)=\d|the fp_score rule/);
    const [withParams] = await evaluateDenials({ config, manifests: [f.manifest], params: change?.params });
    expect(withParams?.['image-allowed-registries']).toBeUndefined();
  });

  it('offers an exemption, marked unverified, for a policy without parameters', async () => {
    const f = fixture('container-readonly-rootfs--deployment-sidecar-false');
    const rec = await recommendFixes(config, { manifest: f.manifest, policy: 'container-readonly-rootfs', strategy: 'policy_change' });
    expect(rec.policyChanges).toHaveLength(1);
    expect(rec.policyChanges[0]).toMatchObject({ kind: 'exemption', verified: false });
    expect(rec.policyChanges[0]?.rego).toContain('k8s.name == "search"');
  });
});

describe('troubleshoot workflow (real Temporal)', () => {
  let client: Client;
  beforeAll(async () => {
    client = await temporalClient(config);
  });
  afterAll(async () => {
    await client?.connection.close();
  });

  it('runs classify → counterexample → fix → verify end to end and answers the status query', async () => {
    const taskQueue = uniqueName('ts');
    const worker = await createWorker(config, { taskQueue });
    const running = worker.run();
    try {
      const f = fixture('pss-privileged--daemonset-profiler-agent');
      const handle = await client.workflow.start(troubleshoot, {
        taskQueue,
        workflowId: uniqueName('troubleshoot'),
        args: [{ manifest: f.manifest }],
      });
      const result = await handle.result();
      expect(result.diagnosis.policy).toBe(f.expected.deny.slice().sort()[0]);
      expect(result.diagnosis.classification.label).toBe('policy_violation');
      expect(result.counterexample?.after.nodes).toBeLessThan(result.counterexample?.before.nodes ?? 0);
      expect(result.recommendation?.fixes.length).toBeGreaterThan(0);
      expect(result.verification).toMatchObject({ targetAllows: true, newDenials: [] });
      const status = await handle.query(troubleshootStatusQuery);
      expect(status).toMatchObject({ step: 'done', policy: result.diagnosis.policy, classification: 'policy_violation', verified: true });
      expect(status.minimisationRatio).toBeLessThan(1);

      // a manifest nothing denies: done after classify, nothing to fix
      const positive = loadPositiveFixtures()[0];
      const ok = await client.workflow.execute(troubleshoot, {
        taskQueue,
        workflowId: uniqueName('troubleshoot-ok'),
        args: [{ manifest: positive?.manifest }],
      });
      expect(ok.diagnosis.policy).toBeUndefined();
      expect(ok.counterexample).toBeUndefined();

      // a policy that does not deny the manifest: fails at once, no retries
      const bad = client.workflow.execute(troubleshoot, {
        taskQueue,
        workflowId: uniqueName('troubleshoot-bad'),
        args: [{ manifest: positive?.manifest, policy: 'pss-privileged' }],
      });
      await expect(bad).rejects.toThrow(WorkflowFailedError);
    } finally {
      await worker.shutdown();
      await running;
    }
  });
});

describe('pac troubleshoot | autofix | lint | ci-log', () => {
  const pac = (args: string[]) =>
    spawnSync(process.execPath, [join(root, 'bin/pac.js'), ...args], { cwd: root, env: testEnv(), encoding: 'utf8', timeout: 120_000 });

  it('autofix --write fixes the file, keeps its comments, and the result is allowed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pac-autofix-'));
    try {
      const file = join(dir, 'deploy.yaml');
      copyFileSync(fixture('container-readonly-rootfs--deployment-sidecar-false').file, file);
      const original = readFileSync(file, 'utf8').replace('kind: Deployment', 'kind: Deployment # the search API');
      writeFileSync(file, original);
      const run = pac(['autofix', file, '--write', '--json']);
      expect(run.status, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.written).toBe(true);
      expect(report.resources[0].applied[0].policy).toBe('container-readonly-rootfs');
      const written = readFileSync(file, 'utf8');
      expect(written).toContain('kind: Deployment # the search API');
      const [after] = await evaluateDenials({ config, manifests: [parse(written)] });
      expect(after).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('troubleshoot --json reports the denial and a verified fix; exit code 3', () => {
    const run = pac(['troubleshoot', fixture('svc-no-nodeport--type-nodeport').file, '--json']);
    expect(run.status, run.stderr).toBe(3);
    const { results } = JSON.parse(run.stdout);
    expect(results[0].diagnosis.policy).toBe('svc-no-nodeport');
    expect(results[0].verification).toMatchObject({ targetAllows: true });
  });

  it('lint exits 3 on errors (findings), 0 on a clean policy; ci-log names the root cause; bad input names file:line', () => {
    expect(pac(['lint', 'test/fixtures/lint/svc-no-nodeport']).status).toBe(3);
    expect(pac(['lint', 'datasets/policies/pss-privileged']).status).toBe(0);
    const ci = pac(['ci-log', 'datasets/ci-logs/logs/helm-nil-pointer.log', '--json']);
    expect(ci.status, ci.stderr).toBe(0);
    expect(JSON.parse(ci.stdout).root_cause).toBe('helm_template_error');
    const dir = mkdtempSync(join(tmpdir(), 'pac-bad-'));
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: [a\n');
      const bad = pac(['troubleshoot', file]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
