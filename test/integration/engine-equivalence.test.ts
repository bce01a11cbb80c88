/**
 * The engine equals `opa eval`: verdicts AND messages of the wasm engine against the real opa
 * (activities/opa/corpus.ts, the oracle, batched) on every fixture, on 10,000 generated manifests
 * (fixed seed), with policy parameters, and with a policy selection. Zero differences allowed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusEngine, type PolicyEngine } from '../../activities/engine';
import { evaluateCorpus } from '../../activities/opa/corpus';
import { corpusRegoFiles, loadNegativeFixtures, loadPositiveFixtures, policyFolders } from '../../datasets/load';
import { INVENTORY_FILE } from '../../datasets/paths';
import { generateManifests } from '../../datasets/synthetic/manifests';
import { testConfig } from './harness';

const SEED = 20261129;
const GENERATED = 10_000;

let engine: PolicyEngine;

beforeAll(async () => {
  engine = await corpusEngine(testConfig(), { threads: 2, sampleTimingEvery: 50 });
}, 180_000);

afterAll(async () => {
  await engine?.close();
});

const oracle = (manifests: readonly unknown[], dataFiles = [INVENTORY_FILE]) =>
  evaluateCorpus({ opa: testConfig().opa, regoFiles: corpusRegoFiles(), dataFiles, manifests, chunkSize: 1000 });

/** Every manifest whose verdict or messages differ, described (empty when equal). */
function differences(
  names: readonly string[],
  expected: { denied: Record<string, string[]> }[],
  actual: { denied: Record<string, string[]> }[],
) {
  expect(actual).toHaveLength(expected.length);
  const out: string[] = [];
  expected.forEach((e, i) => {
    const want = JSON.stringify(e.denied);
    const got = JSON.stringify(actual[i]?.denied);
    if (want !== got) out.push(`${names[i]}:\n  opa eval: ${want}\n  engine:   ${got}`);
  });
  return out;
}

describe('the engine against opa eval', () => {
  it('has one policy per corpus policy folder', () => {
    expect([...engine.policyIds].sort()).toEqual(policyFolders());
  });

  it('gives the same verdicts and messages on every fixture', async () => {
    const fixtures = [...loadPositiveFixtures(), ...loadNegativeFixtures()];
    const manifests = fixtures.map((f) => f.manifest);
    const [expected, actual] = await Promise.all([oracle(manifests), engine.evaluate(manifests)]);
    expect(
      differences(
        fixtures.map((f) => f.name),
        expected,
        actual,
      ),
    ).toEqual([]);
    // not a vacuous comparison: the negative fixtures are denied, with messages
    expect(actual.filter((v) => Object.keys(v.denied).length > 0).length).toBeGreaterThan(100);
  });

  it(`gives the same verdicts and messages on ${GENERATED} generated manifests`, async () => {
    const manifests = generateManifests(SEED, GENERATED, { shift: 0 });
    const expected = await oracle(manifests);
    const actual = await engine.evaluate(manifests);
    expect(
      differences(
        manifests.map((_, i) => `generated #${i}`),
        expected,
        actual,
      ),
    ).toEqual([]);
    const denials = actual.reduce((n, v) => n + Object.keys(v.denied).length, 0);
    expect(denials).toBeGreaterThan(GENERATED / 2);
    // timings are sampled (1 in 50) and cover every policy
    const sampled = actual.filter((v) => v.timingsUs);
    expect(sampled.length).toBeGreaterThanOrEqual(GENERATED / 50 - 1);
    expect(Object.keys(sampled[0]?.timingsUs ?? {}).sort()).toEqual([...engine.policyIds].sort());
  }, 600_000);

  it('gives the same verdicts with policy parameters (data.kpc.params) and the inventory', async () => {
    const params = {
      'resources-limit-request-ratio': { max_cpu_ratio: 1, max_memory_ratio: 1 },
      'replicas-minimum': { min: 5 },
      'image-allowed-registries': { registries: ['docker.io'] },
    };
    const dir = await mkdtemp(join(tmpdir(), 'pac-engine-params-'));
    try {
      const file = join(dir, 'params.json');
      await writeFile(file, JSON.stringify({ kpc: { params } }));
      const manifests = [...loadNegativeFixtures().map((f) => f.manifest), ...generateManifests(SEED + 1, 500, { shift: 0 })];
      const [expected, actual] = await Promise.all([oracle(manifests, [INVENTORY_FILE, file]), engine.evaluate(manifests, { params })]);
      expect(
        differences(
          manifests.map((_, i) => `#${i}`),
          expected,
          actual,
        ),
      ).toEqual([]);
      // the parameters changed something (else this would not test them)
      const without = await engine.evaluate(manifests);
      expect(JSON.stringify(without.map((v) => v.denied))).not.toBe(JSON.stringify(actual.map((v) => v.denied)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('restricts to a policy selection, through per-policy entrypoints and through the aggregate', async () => {
    const manifests = loadNegativeFixtures().map((f) => f.manifest);
    const all = await engine.evaluate(manifests);
    const few = ['image-no-latest-tag', 'pss-privileged'];
    const many = engine.policyIds.filter((id) => id !== 'image-no-latest-tag');
    for (const selection of [few, many]) {
      const selected = await engine.evaluate(manifests, { policies: selection });
      const expected = all.map((v) => Object.fromEntries(Object.entries(v.denied).filter(([id]) => selection.includes(id))));
      expect(selected.map((v) => v.denied)).toEqual(expected);
    }
    await expect(engine.evaluate(manifests, { policies: ['no-such-policy'] })).rejects.toThrow(/unknown policy id\(s\): no-such-policy/);
  });

  it('keeps the input order on the calling thread and across threads', async () => {
    const manifests = generateManifests(SEED + 2, 300, { shift: 0 });
    const local = await corpusEngine(testConfig(), { threads: 0 });
    try {
      expect((await local.evaluate(manifests)).map((v) => v.denied)).toEqual((await engine.evaluate(manifests)).map((v) => v.denied));
    } finally {
      await local.close();
    }
  });
});
