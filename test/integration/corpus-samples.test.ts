/**
 * Every policy folder's samples against the whole corpus with the real OPA: a disallowed sample is
 * denied by exactly the policies its expected.yaml names, with its policy's message fragment; an
 * allowed sample is not denied by its policy (nor by anything outside its `deny` list), and a
 * `full` one passes the default bundle. Parameters go in through a parameters file read by
 * datasets/params (defaults and overrides), and the default bundle's findings on the positive
 * fixtures and the bare Deployment example are counted.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { evaluateCorpus } from '../../activities/opa/corpus';
import { bundlePolicies, DEFAULT_BUNDLES } from '../../datasets/bundles';
import { corpusRegoFiles, loadPolicyIndex, loadPolicySamples, loadPositiveFixtures, type PolicySample } from '../../datasets/load';
import { loadParams, paramsDataDocument } from '../../datasets/params';
import { INVENTORY_FILE } from '../../datasets/paths';
import { testConfig } from './harness';

const samples = loadPolicySamples();
const index = loadPolicyIndex();
const defaultIds = new Set(bundlePolicies(DEFAULT_BUNDLES, index).map((m) => m.id));
const dir = mkdtempSync(join(tmpdir(), 'pac-corpus-samples-'));

const evaluate = (manifests: readonly unknown[], dataFiles: string[] = [], ids?: string[]) =>
  evaluateCorpus({
    opa: testConfig().opa,
    regoFiles: corpusRegoFiles(undefined, ids),
    dataFiles: [INVENTORY_FILE, ...dataFiles],
    manifests,
  });

/** A parameters file written as YAML, read back through the loader, as OPA data. */
function paramsData(name: string, yaml: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  const dataFile = join(dir, `${name}.json`);
  writeFileSync(dataFile, JSON.stringify(paramsDataDocument(loadParams(file, index))));
  return dataFile;
}

/** A sample judged in an admission request: evaluated alone, with its request as data.kpc.admission. */
async function admissionDenials(sample: PolicySample): Promise<Record<string, string[]>> {
  const file = join(dir, `admission-${sample.policy}-${sample.name}.json`);
  writeFileSync(file, JSON.stringify({ kpc: { admission: sample.admission } }));
  return (await evaluate([sample.manifest], [file]))[0]?.denied ?? {};
}

describe('policy samples against the whole corpus', () => {
  let denials: Record<string, string[]>[] = [];
  /** the same samples in static analysis (no admission request) */
  let staticDenials: Record<string, string[]>[] = [];
  beforeAll(async () => {
    staticDenials = (await evaluate(samples.map((s) => s.manifest))).map((r) => r.denied);
    denials = await Promise.all(samples.map(async (s, i) => (s.admission ? admissionDenials(s) : (staticDenials[i] ?? {}))));
  }, 120_000);

  it('judges admission-only samples only in their admission request, never in static analysis', () => {
    const admission = samples.filter((s) => s.admission && s.verdict === 'disallowed');
    expect(admission.length).toBeGreaterThanOrEqual(3);
    const firedStatically = admission.filter((s) => staticDenials[samples.indexOf(s)]?.[s.policy]).map((s) => `${s.policy}/${s.name}`);
    expect(firedStatically).toEqual([]);
  });

  it('every policy has at least 2 allowed and 3 disallowed samples', () => {
    const short = index.flatMap((meta) => {
      const mine = samples.filter((s) => s.policy === meta.id);
      const allowed = mine.filter((s) => s.verdict === 'allowed').length;
      const disallowed = mine.filter((s) => s.verdict === 'disallowed').length;
      return allowed >= 2 && disallowed >= 3 ? [] : [`${meta.id}: ${allowed} allowed, ${disallowed} disallowed`];
    });
    expect(short).toEqual([]);
  });

  it('denies each disallowed sample by exactly its expected policies, with its message', () => {
    const wrong = samples.flatMap((sample, i) => {
      if (sample.verdict !== 'disallowed') return [];
      const denied = denials[i] ?? {};
      const actual = Object.keys(denied).sort();
      const problems: string[] = [];
      if (JSON.stringify(actual) !== JSON.stringify([...sample.deny].sort()))
        problems.push(`denied by [${actual}], expected [${sample.deny}]`);
      if (!(denied[sample.policy] ?? []).some((m) => m.includes(sample.message ?? '\0'))) {
        problems.push(`no ${sample.policy} message contains "${sample.message}": ${JSON.stringify(denied[sample.policy])}`);
      }
      return problems.map((p) => `${sample.policy}/${sample.name}: ${p}`);
    });
    expect(wrong).toEqual([]);
  });

  it('does not deny an allowed sample by its policy, and full samples pass the default bundle', () => {
    const wrong = samples.flatMap((sample: PolicySample, i) => {
      if (sample.verdict !== 'allowed') return [];
      const actual = Object.keys(denials[i] ?? {}).sort();
      const problems: string[] = [];
      if (actual.includes(sample.policy)) problems.push(`denied by its own policy: ${JSON.stringify(denials[i]?.[sample.policy])}`);
      if (JSON.stringify(actual) !== JSON.stringify([...sample.deny].sort()))
        problems.push(`denied by [${actual}], expected [${sample.deny}]`);
      if (sample.full && actual.some((id) => defaultIds.has(id)))
        problems.push(`claims to be full but the default bundle denies it: [${actual}]`);
      return problems.map((p) => `${sample.policy}/${sample.name}: ${p}`);
    });
    expect(wrong).toEqual([]);
    expect(samples.filter((s) => s.verdict === 'allowed' && s.full).length).toBeGreaterThan(index.length);
  });
});

describe('parameters through the parameters file', () => {
  const containerPolicies = index.filter((m) => m.parameters.some((p) => p.name === 'exempt_images')).map((m) => m.id);
  // the disallowed samples whose denial names a container of the policy's own checks
  const containerSamples = samples.filter(
    (s) => s.verdict === 'disallowed' && containerPolicies.includes(s.policy) && s.message?.startsWith('container "'),
  );

  it('exempt_images exists on every container policy and exempts matching images only', async () => {
    expect(containerPolicies.length).toBeGreaterThanOrEqual(28);
    const all = paramsData('exempt-all', containerPolicies.map((id) => `${id}:\n  exempt_images: ["*"]\n`).join(''));
    const other = paramsData('exempt-other', containerPolicies.map((id) => `${id}:\n  exempt_images: ["example.invalid/*"]\n`).join(''));
    const manifests = containerSamples.map((s) => s.manifest);
    const [exempted, kept] = await Promise.all([evaluate(manifests, [all]), evaluate(manifests, [other])]);
    // pod-level findings (a pod securityContext) stay: only container findings are exempted
    const stillDenied = containerSamples
      .filter((s, i) => (exempted[i]?.denied[s.policy] ?? []).some((m) => m.includes(': container "')))
      .map((s) => `${s.policy}/${s.name}`);
    const lost = containerSamples.filter((s, i) => !kept[i]?.denied[s.policy]).map((s) => `${s.policy}/${s.name}`);
    expect(stillDenied).toEqual([]);
    expect(lost).toEqual([]);
    expect(new Set(containerSamples.map((s) => s.policy)).size).toBe(containerPolicies.length);
  }, 120_000);

  it('maximums, ranges and allow-lists change verdicts on the samples (defaults first, then overrides)', async () => {
    const deployment = parse(readFileSync(join(INVENTORY_FILE, '..', 'positive', 'deployment-cart.yaml'), 'utf8'));
    const params = paramsData(
      'overrides',
      [
        'resources-cpu-limits: {max: "500m"}',
        'resources-memory-requests: {max: 128Mi}',
        'replicas-minimum: {max: 2}',
        'pss-run-as-non-root-user: {run_as_user: {min: 20000}}',
        'pod-run-as-root-group: {fs_group: {max: 1000}}',
        'metadata-owner-annotation: {required_annotations: {Deployment: [kube-pac.io/runbook]}}',
      ].join('\n'),
    );
    const [defaults, overridden] = await Promise.all([evaluate([deployment]), evaluate([deployment], [params])]);
    expect(Object.keys(defaults[0]?.denied ?? {})).toEqual([]);
    expect(Object.keys(overridden[0]?.denied ?? {}).sort()).toEqual([
      'metadata-owner-annotation',
      'pod-run-as-root-group',
      'pss-run-as-non-root-user',
      'replicas-minimum',
      'resources-cpu-limits',
      'resources-memory-requests',
    ]);
  }, 120_000);
});

describe('parameters of the issue-15 policies through the parameters file', () => {
  const fixture = (name: string) => parse(readFileSync(join(INVENTORY_FILE, '..', 'positive', `${name}.yaml`), 'utf8'));
  const sample = (policy: string, name: string) => {
    const found = samples.find((s) => s.policy === policy && s.name === name);
    if (!found) throw new Error(`no sample ${policy}/${name}`);
    return found.manifest;
  };

  it('turn on stricter checks the defaults leave off, and off checks the defaults run', async () => {
    const cases: [manifest: unknown, params: string, denied: string[]][] = [
      [fixture('role-ci-deployer'), 'rbac-create-pods: {include_workload_controllers: true}', ['rbac-create-pods']],
      [fixture('deployment-ledger'), 'secrets-env-secret-ref: {allow_secret_key_refs: false}', ['secrets-env-secret-ref']],
      [fixture('deployment-gateway'), 'container-privileged-ports: {allow_with_net_bind_service: false}', ['container-privileged-ports']],
      [fixture('deployment-ledger'), 'availability-priority-class: {required_namespaces: [pay*]}', ['availability-priority-class']],
      [fixture('statefulset-postgres'), 'storage-class-allowed: {allowed_storage_classes: [standard-rwo]}', ['storage-class-allowed']],
      [
        sample('rbac-anonymous-binding', 'clusterrolebinding-public-info-viewer'),
        'rbac-anonymous-binding: {deny_authenticated: true, allowed_cluster_roles: []}',
        ['rbac-anonymous-binding'],
      ],
      [sample('probes-port-exposed', 'deployment-numeric-drift'), 'probes-port-exposed: {check_numeric_ports: false}', []],
      [sample('availability-priority-class', 'daemonset-unset'), 'availability-priority-class: {required_kinds: []}', []],
      [sample('pss-host-probes', 'deployment-metadata-host'), 'pss-host-probes: {allowed_hosts: [169.254.169.254]}', []],
      [sample('availability-spread', 'deployment-no-spread'), 'availability-spread: {min_replicas: 4}', []],
    ];
    const results = await Promise.all(
      cases.map(async ([manifest, params], i) => {
        const [defaults, overridden] = await Promise.all([
          evaluate([manifest]),
          evaluate([manifest], [paramsData(`issue15-${i}`, params)]),
        ]);
        return [Object.keys(defaults[0]?.denied ?? {}).sort(), Object.keys(overridden[0]?.denied ?? {}).sort()];
      }),
    );
    // the stricter settings deny what passes at the defaults; the relaxed ones let the samples' own denial go
    expect(results.map(([, overridden]) => overridden)).toEqual(cases.map(([, , denied]) => denied));
    const relaxed = [
      [],
      [],
      [],
      [],
      [],
      [],
      ['probes-port-exposed'],
      ['availability-priority-class'],
      ['pss-host-probes'],
      ['availability-spread'],
    ];
    expect(results.map(([defaults]) => defaults)).toEqual(relaxed);
  }, 120_000);
});

describe('the default bundle', () => {
  it('gives no finding on the positive fixtures and at most 5 on the bare Deployment example', async () => {
    const ids = [...defaultIds];
    const positives = loadPositiveFixtures();
    const bare = parse(readFileSync(new URL('../../examples/manifests/bare-deployment.yaml', import.meta.url), 'utf8'));
    const results = await evaluate([...positives.map((f) => f.manifest), bare], [], ids);
    const findings = (r: { denied: Record<string, string[]> } | undefined) => Object.values(r?.denied ?? {}).flat();
    expect(results.slice(0, -1).flatMap(findings)).toEqual([]);
    const bareFindings = findings(results.at(-1));
    expect(bareFindings.length).toBeLessThanOrEqual(5);
    // the whole corpus finds far more on it: the bundle is what keeps the default quiet
    const everything = await evaluate([bare]);
    expect(findings(everything[0]).length).toBeGreaterThan(bareFindings.length + 5);
  }, 120_000);
});
