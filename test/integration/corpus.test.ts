/**
 * The policy corpus against the real OPA: every policy's own tests pass with ≥ 95 % coverage, every
 * negative fixture is denied by exactly its expected policies, and no positive fixture is denied;
 * labelling generated manifests is deterministic, and the committed fp_score measurement is current.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusEngine } from '../../activities/engine';
import { generateLabelledDataset } from '../../activities/lifecycle/label';
import { opaCheck, opaTest } from '../../activities/opa/opa';
import {
  corpusTestFiles,
  loadNegativeFixtures,
  loadPolicyIndex,
  loadPolicySamples,
  loadPositiveFixtures,
  type NegativeFixture,
  type PositiveFixture,
  readJsonl,
} from '../../datasets/load';
import { FP_SCORES_FILE as FP_SCORES } from '../../datasets/paths';
import { fpMeasurementSchema } from '../../datasets/schemas';
import { measureFpScores } from '../../tools/generate-failures';
import { testConfig } from './harness';

let positives: PositiveFixture[];
let negatives: NegativeFixture[];

beforeAll(() => {
  positives = loadPositiveFixtures();
  negatives = loadNegativeFixtures();
});

describe('policy corpus', () => {
  it('passes opa check --strict', async () => {
    await expect(opaCheck({ opa: testConfig().opa, paths: corpusTestFiles(), strict: true })).resolves.toEqual({ ok: true });
  });

  it('passes its own tests with coverage of at least 95 %', async () => {
    const report = await opaTest({ opa: testConfig().opa, paths: corpusTestFiles(), coverage: true, timeoutMs: 300_000 });
    const failed = report.tests.filter((t) => t.status !== 'pass').map((t) => `${t.fullName}: ${t.status} ${t.error ?? ''}`);
    expect(failed).toEqual([]);
    expect(report.summary.total).toBeGreaterThanOrEqual(loadPolicyIndex().length * 2);
    expect(report.coverage?.percent).toBeGreaterThanOrEqual(95);
  });
});

describe('fixtures against the whole corpus', () => {
  // through the policy engine (activities/engine), the committed corpus alone
  const evaluate = async (manifests: unknown[]) => {
    const engine = await corpusEngine(testConfig(), { threads: 0, includePublished: false });
    try {
      return await engine.evaluate(manifests);
    } finally {
      await engine.close();
    }
  };

  it('denies no positive fixture', async () => {
    const results = await evaluate(positives.map((f) => f.manifest));
    const denied = results.flatMap((r, i) => (Object.keys(r.denied).length ? [`${positives[i]?.name}: ${JSON.stringify(r.denied)}`] : []));
    expect(denied).toEqual([]);
  });

  it('denies every negative fixture by exactly its expected policies', async () => {
    const results = await evaluate(negatives.map((f) => f.manifest));
    const mismatches = results.flatMap((r, i) => {
      const fixture = negatives[i] as NegativeFixture;
      const actual = Object.keys(r.denied).sort();
      const expected = [...fixture.expected.deny].sort();
      return JSON.stringify(actual) === JSON.stringify(expected)
        ? []
        : [`${fixture.name}: expected [${expected.join(', ')}], denied by [${actual.join(', ')}] ${JSON.stringify(r.denied)}`];
    });
    expect(mismatches).toEqual([]);
  });

  it('has a negative fixture for every policy', () => {
    // policies judged only at admission (data.kpc.admission) have their disallowed samples checked in corpus-samples
    const admissionOnly = loadPolicySamples().filter((s) => s.verdict === 'disallowed' && s.admission);
    const covered = new Set([...negatives.flatMap((f) => f.expected.deny), ...admissionOnly.map((s) => s.policy)]);
    const missing = loadPolicyIndex()
      .map((m) => m.id)
      .filter((id) => !covered.has(id));
    expect(missing).toEqual([]);
  });
});

describe('labelled training data', () => {
  it('is deterministic: the same seed gives the same labels and digest, another seed another digest', async () => {
    const config = testConfig();
    const a = await generateLabelledDataset({ config, seed: 42, count: 300 });
    const b = await generateLabelledDataset({ config, seed: 42, count: 300 });
    const c = await generateLabelledDataset({ config, seed: 43, count: 300 });
    expect(b.meta.digest).toBe(a.meta.digest);
    expect(b.jsonl).toBe(a.jsonl);
    expect(c.meta.digest).not.toBe(a.meta.digest);
    // labels are real: a mix of clean and denied manifests, and many different policies fire
    expect(a.meta.deniedRows).toBeGreaterThan(100);
    expect(a.meta.deniedRows).toBeLessThan(300);
    expect(Object.values(a.meta.labelsPerPolicy).filter((n) => n > 0).length).toBeGreaterThan(40);
  });

  it('the committed fp_score measurement matches a fresh one against the current corpus', async () => {
    const fresh = await measureFpScores(testConfig());
    const stored = readJsonl(FP_SCORES, fpMeasurementSchema);
    expect(stored, 'datasets/failures/fp_scores.jsonl is stale: run npm run datasets:failures').toEqual(fresh);
  });
});
