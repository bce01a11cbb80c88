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

describe('policy samples against the whole corpus', () => {
  let denials: Record<string, string[]>[] = [];
  beforeAll(async () => {
    denials = (await evaluate(samples.map((s) => s.manifest))).map((r) => r.denied);
  }, 120_000);

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
