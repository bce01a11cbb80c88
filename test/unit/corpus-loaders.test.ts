/**
 * The corpus as folders: index.jsonl generated from policy.yaml files and current, samples matched to
 * their expectations, bundles, the parameters file (validated with each policy's JSON schema, errors
 * with file:line, policy and parameter) and the inventory format and loader.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BundleError, bundlePolicies, bundleTable, DEFAULT_BUNDLES } from '../../datasets/bundles';
import { buildInventory, inventoryObjects, loadInventory } from '../../datasets/inventory';
import {
  DatasetError,
  loadNegativeFixtures,
  loadPolicyFolders,
  loadPolicyIndex,
  loadPolicySamples,
  policyIndexText,
} from '../../datasets/load';
import { effectiveParams, loadParams, paramsDataDocument, parseParams } from '../../datasets/params';
import { INVENTORY_FILE, POLICIES_DIR, POLICY_INDEX_FILE } from '../../datasets/paths';

const index = loadPolicyIndex();
const tmp = () => mkdtempSync(join(tmpdir(), 'pac-corpus-'));

describe('policy folders', () => {
  it('index.jsonl is the generated view of the policy.yaml files and is up to date', () => {
    expect(readFileSync(POLICY_INDEX_FILE, 'utf8'), 'datasets/policies/index.jsonl is out of date: run npm run datasets:index').toBe(
      policyIndexText(),
    );
    expect(loadPolicyFolders().map((m) => m.id)).toEqual(index.map((m) => m.id));
  });

  it('every policy documents its parameters with a JSON schema whose defaults it accepts', () => {
    for (const meta of index) {
      expect(meta.parameters.map((p) => p.name).sort(), meta.id).toEqual(Object.keys(meta.parameterSchema?.properties ?? {}).sort());
      // the Rego reads each parameter with k8s.param(<id>, <name>, <default>)
      const rego = readFileSync(join(POLICIES_DIR, meta.id, 'policy.rego'), 'utf8');
      for (const p of meta.parameters.filter((p) => p.name !== 'exempt_images')) {
        expect(rego, `${meta.id} reads ${p.name}`).toContain(`"${p.name}"`);
      }
    }
  });

  it('names a bad policy.yaml field with its file and line', () => {
    const dir = tmp();
    cpSync(join(POLICIES_DIR, 'pss-privileged'), join(dir, 'pss-privileged'), { recursive: true });
    const file = join(dir, 'pss-privileged', 'policy.yaml');
    const text = readFileSync(file, 'utf8').replace(/^severity: .*$/m, 'severity: extreme');
    writeFileSync(file, text);
    const line = text.split('\n').findIndex((l) => l.startsWith('severity:')) + 1;
    expect(() => loadPolicyFolders(dir)).toThrow(new RegExp(`policy\\.yaml:${line}: severity: `));
    writeFileSync(file, text.replace('severity: extreme', 'severity: high').replace('id: pss-privileged', 'id: pss-other'));
    expect(() => loadPolicyFolders(dir)).toThrow(/id: "pss-other" must equal the folder name "pss-privileged"/);
    rmSync(dir, { recursive: true });
  });

  it('refuses a sample without an entry in expected.yaml, and an entry without a sample', () => {
    const dir = tmp();
    cpSync(join(POLICIES_DIR, 'pss-privileged'), join(dir, 'pss-privileged'), { recursive: true });
    const disallowed = join(dir, 'pss-privileged', 'samples', 'disallowed');
    writeFileSync(join(disallowed, 'stray.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n');
    expect(() => loadPolicySamples(dir, ['pss-privileged'])).toThrow(/disallowed\/stray\.yaml has no entry under disallowed:/);
    rmSync(join(disallowed, 'stray.yaml'));
    rmSync(join(disallowed, 'daemonset-profiler-agent.yaml'));
    expect(() => loadPolicySamples(dir, ['pss-privileged'])).toThrow(
      /disallowed\.daemonset-profiler-agent: no file disallowed\/daemonset-profiler-agent\.yaml/,
    );
    rmSync(dir, { recursive: true });
  });

  it('reads the admission request of admission-only samples and keeps them out of the negative fixtures', () => {
    const samples = loadPolicySamples(POLICIES_DIR, ['sa-name-unchanged-on-update']);
    const update = samples.find((s) => s.name === 'deployment-to-backfill-account');
    expect(update?.admission?.operation).toBe('UPDATE');
    expect(update?.admission?.old_object?.kind).toBe('Deployment');
    expect(samples.find((s) => s.name === 'deployment-create')?.admission).toEqual({ operation: 'CREATE' });
    const negatives = loadNegativeFixtures();
    expect(negatives.filter((f) => f.name.startsWith('sa-name-unchanged-on-update--'))).toEqual([]);
    expect(negatives.length).toBeGreaterThan(200);

    const dir = tmp();
    cpSync(join(POLICIES_DIR, 'sa-name-unchanged-on-update'), join(dir, 'sa-name-unchanged-on-update'), { recursive: true });
    rmSync(join(dir, 'sa-name-unchanged-on-update', 'samples', 'old', 'cronjob-to-auth-account.yaml'));
    expect(() => loadPolicySamples(dir, ['sa-name-unchanged-on-update'])).toThrow(
      /disallowed\.cronjob-to-auth-account\.admission\.old: no file old\/cronjob-to-auth-account\.yaml/,
    );
    const expected = join(dir, 'sa-name-unchanged-on-update', 'samples', 'expected.yaml');
    writeFileSync(expected, readFileSync(expected, 'utf8').replace('operation: CREATE', 'operation: PATCH'));
    expect(() => loadPolicySamples(dir, ['sa-name-unchanged-on-update'])).toThrow(/admission\.operation/);
    rmSync(dir, { recursive: true });
  }, 30_000);
});

describe('bundles', () => {
  it('puts every policy in a named bundle; restricted includes baseline; the default is pss-baseline + rbac', () => {
    const table = bundleTable(index);
    expect(table.all.length).toBe(index.length);
    const named = new Set([...table['pss-baseline'], ...table['pss-restricted'], ...table.rbac, ...table['best-practices']]);
    expect(named.size).toBe(index.length);
    expect(table['pss-restricted']).toEqual(expect.arrayContaining(table['pss-baseline']));
    expect(table.rbac.every((id) => id.startsWith('rbac-'))).toBe(true);
    expect([...DEFAULT_BUNDLES]).toEqual(['pss-baseline', 'rbac']);
    expect(bundlePolicies(undefined, index).map((m) => m.id)).toEqual(bundlePolicies(['pss-baseline', 'rbac'], index).map((m) => m.id));
    // every Baseline control is in pss-baseline, every Restricted control in pss-restricted
    for (const meta of index) {
      if (meta.pss.some((c) => c.startsWith('baseline.'))) expect(meta.bundles, meta.id).toContain('pss-baseline');
      if (meta.pss.length) expect(meta.bundles, meta.id).toContain('pss-restricted');
    }
  });

  it('refuses an unknown bundle and lists the known ones', () => {
    expect(() => bundlePolicies(['pss-basline'], index)).toThrow(BundleError);
    expect(() => bundlePolicies(['pss-basline'], index)).toThrow(
      /unknown bundle "pss-basline"; known bundles: pss-baseline, pss-restricted, rbac, best-practices, all/,
    );
  });
});

describe('the parameters file', () => {
  it('accepts overrides and keeps them as data.kpc.params', () => {
    const params = parseParams(
      [
        'pss-host-ports:',
        '  allowed_host_ports: [9100, {min: 9200, max: 9299}]',
        '  exempt_images: ["registry.internal.example/platform/*"]',
        'resources-cpu-limits: {max: 1500m}',
        'namespace-pss-labels: {exempt_namespaces: [kube-system, ingress-nginx]}',
      ].join('\n'),
      'params.yaml',
      index,
    );
    expect(params['pss-host-ports']?.allowed_host_ports).toEqual([9100, { min: 9200, max: 9299 }]);
    expect(paramsDataDocument(params).kpc.params['resources-cpu-limits']).toEqual({ max: '1500m' });
    expect(parseParams('', 'empty.yaml', index)).toEqual({});
  });

  it('gives the default of policy.yaml for every parameter the file does not set', () => {
    const meta = index.find((m) => m.id === 'namespace-pss-labels');
    if (!meta) throw new Error('namespace-pss-labels missing');
    expect(effectiveParams(meta)).toEqual({
      allowed_levels: ['baseline', 'restricted'],
      exempt_namespaces: ['kube-system', 'kube-public', 'kube-node-lease'],
    });
    expect(effectiveParams(meta, { 'namespace-pss-labels': { exempt_namespaces: [] } }).exempt_namespaces).toEqual([]);
  });

  it('names the file, line, policy and parameter of a bad value', () => {
    const text = [
      '# site parameters',
      'pss-host-ports:',
      '  allowed_host_ports: [9100, "http"]',
      'resources-cpu-limits:',
      '  max: lots',
    ].join('\n');
    let error: unknown;
    try {
      parseParams(text, 'params.yaml', index);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetError);
    const message = (error as Error).message;
    expect(message).toMatch(/params\.yaml:3: policy "pss-host-ports", parameter "allowed_host_ports"\[1\]: /);
    expect(message).toMatch(/params\.yaml:5: policy "resources-cpu-limits", parameter "max": /);
  });

  it('refuses unknown policies, unknown parameters and parameters of a policy that has none', () => {
    expect(() => parseParams('pss-privilegd: {}\n', 'p.yaml', index)).toThrow(
      /p\.yaml:1: policy "pss-privilegd": unknown policy "pss-privilegd"/,
    );
    expect(() => parseParams('replicas-minimum:\n  minimum: 3\n', 'p.yaml', index)).toThrow(
      /p\.yaml:2: policy "replicas-minimum", parameter "minimum": unknown parameter \(known: min, max\)/,
    );
    expect(() => parseParams('rbac-pod-exec: {x: 1}\n', 'p.yaml', index)).toThrow(
      /policy "rbac-pod-exec": policy "rbac-pod-exec" has no parameters/,
    );
    expect(() => parseParams('a: [1\n', 'p.yaml', index)).toThrow(/p\.yaml:\d+: not valid YAML/);
    expect(() => loadParams('/nonexistent/params.yaml', index)).toThrow(/cannot read the parameters file/);
  });
});

describe('the inventory', () => {
  it('reads the fixture inventory and files manifests into the same layout', () => {
    const fixture = loadInventory(INVENTORY_FILE);
    expect(Object.keys(fixture.namespace)).toEqual(expect.arrayContaining(['shop', 'payments', 'platform', 'data', 'observability']));
    const rebuilt = buildInventory(inventoryObjects(fixture).map((manifest) => ({ manifest })));
    expect(rebuilt).toEqual(fixture);
  });

  it('builds it from a directory of manifests (multi-document, List, nested folders), namespaced or not', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'apps'));
    writeFileSync(
      join(dir, 'apps', 'web.yaml'),
      'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n',
    );
    writeFileSync(
      join(dir, 'cluster.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }] }),
    );
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
    const inventory = loadInventory(dir);
    expect(Object.keys(inventory.namespace.shop?.ServiceAccount ?? {})).toEqual(['web']);
    expect(Object.keys(inventory.namespace.default?.ConfigMap ?? {})).toEqual(['settings']);
    expect(Object.keys(inventory.cluster.Namespace ?? {})).toEqual(['shop']);
    writeFileSync(join(dir, 'dup.yaml'), 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n');
    expect(() => loadInventory(dir)).toThrow(/dup\.yaml:1: ServiceAccount shop\/web is already in the inventory \(from .*web\.yaml:1\)/);
    rmSync(dir, { recursive: true });
  });

  it('names the line of an object filed under the wrong key in an inventory document', () => {
    const dir = tmp();
    const file = join(dir, 'inventory.yaml');
    writeFileSync(
      file,
      [
        'inventory:',
        '  namespace:',
        '    shop:',
        '      ServiceAccount:',
        '        web:',
        '          apiVersion: v1',
        '          kind: ConfigMap',
        '          metadata: {name: web}',
      ].join('\n'),
    );
    expect(() => loadInventory(file)).toThrow(
      /inventory\.yaml:7: inventory\.namespace\.shop\.ServiceAccount\.web\.kind: expected kind "ServiceAccount"/,
    );
    rmSync(dir, { recursive: true });
  });
});
