/**
 * Rego features of the real corpus, parsed by the real `opa` of the test configuration: every
 * policy file gives sane counts, and what index.jsonl says about a policy shows in its AST.
 */
import { basename, dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractRegoFeatures, REGO_FEATURES, type RegoFeatures, regoFeaturesOfFile } from '../../activities/features';
import { opaParse } from '../../activities/opa/opa';
import { corpusRegoFiles, loadPolicyIndex } from '../../datasets/load';
import type { Config } from '../../infra/config';
import { testConfig } from './harness';

const index = loadPolicyIndex();
const files = corpusRegoFiles();
const idOf = (file: string) => basename(dirname(file));
const features = new Map<string, RegoFeatures>();
let config: Config;

beforeAll(async () => {
  config = testConfig();
  // a few opa processes at a time: the machine has 2 cores and other tests may be running
  const queue = [...files];
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift())
        features.set(idOf(file), await regoFeaturesOfFile(config, file));
    }),
  );
});

describe('Rego features of the corpus (real opa parse)', () => {
  it('parses every corpus file, the library included', () => {
    expect(files.length).toBe(index.length + 1);
    expect([...features.keys()].sort()).toEqual([...index.map((meta) => meta.id), 'lib'].sort());
  });

  it('gives every feature as a finite, non-negative number', () => {
    const names = REGO_FEATURES.map((spec) => spec.name);
    for (const [id, f] of features) {
      expect(Object.keys(f), id).toEqual(names);
      for (const [name, value] of Object.entries(f)) {
        expect(Number.isFinite(value) && value >= 0, `${id}: ${name}=${value}`).toBe(true);
      }
    }
  });

  it.each(index.map((meta) => [meta.id]))('%s: deny rules, imports, code and a consistent rule count', (id) => {
    const row = features.get(id);
    expect(row).toBeDefined();
    const f = (name: string) => row?.[name] ?? Number.NaN;
    expect(f('deny_rules')).toBeGreaterThanOrEqual(1);
    expect(f('rules')).toBe(f('deny_rules') + f('helper_rules') + f('functions'));
    expect(f('imports')).toBeGreaterThanOrEqual(1); // every policy imports data.kpc.lib.k8s
    expect(f('lines_of_code')).toBeGreaterThan(3);
    expect(f('ast_nodes')).toBeGreaterThan(f('expressions'));
    expect(f('max_nesting_depth')).toBeGreaterThanOrEqual(2);
    expect(f('calls_total')).toBeGreaterThanOrEqual(1); // at least the sprintf of the message
    expect(f('forbidden_calls')).toBe(0);
  });

  it('the library has no deny rule and holds the inventory and parameter helpers', () => {
    const lib = features.get('lib');
    expect(lib?.deny_rules).toBe(0);
    expect(lib?.refs_to_inventory).toBeGreaterThanOrEqual(1);
    expect(lib?.refs_to_params).toBeGreaterThanOrEqual(1);
  });

  it('policies that read the inventory reference it; the others do not', () => {
    const readers = index.filter((meta) => meta.usesInventory);
    expect(readers.length).toBeGreaterThan(0);
    for (const meta of index) {
      const refs = features.get(meta.id)?.refs_to_inventory ?? 0;
      if (meta.usesInventory) expect(refs, meta.id).toBeGreaterThanOrEqual(1);
      else expect(refs, meta.id).toBe(0);
    }
  });

  it('container-level policies reference the container lists, pod-level ones the pod spec', () => {
    expect(features.get('pss-privileged')?.refs_to_containers).toBeGreaterThanOrEqual(1);
    expect(features.get('pss-sysctls')?.refs_to_containers).toBe(0);
    expect(features.get('pss-sysctls')?.refs_to_pod_spec).toBeGreaterThanOrEqual(1);
    expect(features.get('svc-no-nodeport')?.refs_to_containers).toBe(0);
  });

  it('policies with parameters reference data.kpc.params', () => {
    for (const meta of index.filter((m) => m.parameters.length > 0)) {
      expect(features.get(meta.id)?.refs_to_params, meta.id).toBeGreaterThanOrEqual(1);
    }
  });

  it('sees the built-ins a policy uses', () => {
    expect(features.get('secrets-in-env-literal')?.string_calls).toBeGreaterThanOrEqual(5);
    expect(features.get('configmap-no-credentials')?.string_calls).toBeGreaterThanOrEqual(5);
    // the corpus uses no regular expressions (each is compiled on every call in the Wasm engine)
    expect([...features].filter(([, f]) => (f.regex_calls ?? 0) > 0).map(([id]) => id)).toEqual([]);
    expect(features.get('metadata-owner-annotation')?.json_yaml_calls).toBeGreaterThanOrEqual(1);
    expect(features.get('availability-pdb-required')?.every_exprs).toBeGreaterThanOrEqual(1);
    expect(features.get('rbac-secret-read')?.comprehensions).toBeGreaterThanOrEqual(1);
    expect(features.get('pss-privileged')?.some_in).toBeGreaterThanOrEqual(1);
  });

  it('regoFeaturesOfFile agrees with extracting from opaParse output', async () => {
    const file = files.find((f) => idOf(f) === 'pss-seccomp-restricted');
    expect(file).toBeDefined();
    if (!file) return;
    const parsed = await opaParse({ opa: config.opa, path: file });
    const fromAst = extractRegoFeatures(parsed.ast);
    const fromFile = features.get('pss-seccomp-restricted');
    // without the source, lines_of_code falls back to the AST's rows (0: no locations)
    expect({ ...fromAst, lines_of_code: 0 }).toEqual({ ...fromFile, lines_of_code: 0 });
    expect(parsed.ruleNames).toContain('deny');
  });

  it('counts lines from the located AST when there is no source', async () => {
    const file = files.find((f) => idOf(f) === 'pss-privileged');
    if (!file) throw new Error('pss-privileged is missing');
    const parsed = await opaParse({ opa: config.opa, path: file, locations: true });
    const located = extractRegoFeatures(parsed.ast);
    expect(located.lines_of_code).toBeGreaterThanOrEqual(features.get('pss-privileged')?.lines_of_code ?? 0);
    expect(located.deny_rules).toBe(1);
  });
});
