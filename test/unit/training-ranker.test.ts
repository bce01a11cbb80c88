import { describe, expect, it } from 'vitest';
import type { FeatureSpec } from '../../activities/features/spec';
import { rocAuc } from '../../activities/training/metrics';
import { seededRandom } from '../../activities/training/models';
import {
  evaluateRanker,
  heuristicRanker,
  measureRankLatency,
  PolicyRanker,
  RANKER_LEARNERS,
  type RankerExample,
  selectRankerLearner,
  trainRanker,
} from '../../activities/training/ranker';

const KINDS = ['Deployment', 'Deployment', 'Service', 'Service', 'Role'];
const spec: FeatureSpec[] = [
  { name: 'kind', type: 'categorical' },
  { name: 'f1', type: 'numeric' },
  { name: 'f2', type: 'numeric' },
  { name: 'f3', type: 'numeric' },
  { name: 'noise', type: 'numeric' },
];
const policies = ['flag-one', 'svc-flag-two', 'role-flag-three', 'never'];

/** Labels with a known answer: flag-one ⇔ f1; svc-flag-two ⇔ Service ∧ f2; role-flag-three ⇔ Role ∧ f3; never. */
function examples(n: number, seed: number): RankerExample[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const kind = KINDS[Math.floor(random() * KINDS.length)] as string;
    const f = [random() < 0.3 ? 1 : 0, random() < 0.4 ? 1 : 0, random() < 0.5 ? 1 : 0];
    const deny: string[] = [];
    if (f[0]) deny.push('flag-one');
    if (kind === 'Service' && f[1]) deny.push('svc-flag-two');
    if (kind === 'Role' && f[2]) deny.push('role-flag-three');
    return { id: `ex-${seed}-${i}`, features: { kind, f1: f[0] as number, f2: f[1] as number, f3: f[2] as number, noise: random() }, deny };
  });
}

const train = examples(500, 1);
const test = examples(300, 2);

describe('heuristic ranker', () => {
  const heuristic = [
    { id: 'a', kinds: ['Deployment'], reliability: 0.9, relevant: ['f1', 'f2'] },
    { id: 'b', kinds: ['*'], reliability: 0.5, relevant: ['f3'] },
    { id: 'c', kinds: ['Service'], reliability: 1, relevant: ['kind'] },
  ];

  it('adds kind match, the share of relevant numeric features set, and a reliability bonus', () => {
    const ranker = heuristicRanker(heuristic);
    const scores = ranker.scores({ kind: 'Deployment', f1: 1, f2: 0, f3: 0 });
    expect(scores[0]).toBeCloseTo(1 + 0.5 + 0.09, 12);
    expect(scores[1]).toBeCloseTo(1 + 0 + 0.05, 12);
    // "kind" is not numeric: it does not count as a relevant feature
    expect(scores[2]).toBeCloseTo(0.1, 12);
    expect(ranker.rank({ kind: 'Deployment', f1: 1, f2: 0, f3: 0 }).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(ranker.rank({ kind: 'Service', f3: 1 }, 1)).toEqual([{ id: 'b', score: 1 + 1 + 0.05 }]);
  });

  it('with a spec, a missing relevant numeric feature counts as not set', () => {
    const ranker = heuristicRanker(heuristic, { spec });
    expect(ranker.scores({ kind: 'Deployment', f1: 1 })[0]).toBeCloseTo(1.59, 12);
  });
});

describe('learned ranker', () => {
  for (const learner of RANKER_LEARNERS) {
    it(`${learner}: learns policies whose label is a feature flag (AUC ≈ 1) and scores a never-denied policy 0`, () => {
      const ranker = trainRanker({ examples: train, spec, policies, learner });
      const scores = test.map((e) => ranker.scores(e.features));
      const auc = rocAuc(
        scores.map((s) => s[0] as number),
        test.map((e) => e.deny.includes('flag-one')),
      );
      expect(auc).toBeGreaterThan(0.99);
      expect(scores.every((s) => s[3] === 0)).toBe(true);
      const { metrics, aucPerPolicy } = evaluateRanker(ranker, test);
      expect(metrics.hit_at_1).toBeGreaterThan(0.9);
      expect(aucPerPolicy.never).toBeNull();
      expect(aucPerPolicy['svc-flag-two']).toBeGreaterThan(0.95);
    });

    it(`${learner}: loads back from JSON to identical scores and rankings`, () => {
      const ranker = trainRanker({ examples: train.slice(0, 200), spec, policies, learner });
      const loaded = PolicyRanker.fromJSON(JSON.parse(JSON.stringify(ranker.toJSON())));
      expect(loaded.learner).toBe(learner);
      for (const e of test.slice(0, 100)) {
        expect(loaded.scores(e.features)).toEqual(ranker.scores(e.features));
        expect(loaded.rank(e.features)).toEqual(ranker.rank(e.features));
      }
    });
  }

  it('rejects labels of unknown policies and duplicate policy ids', () => {
    expect(() => trainRanker({ examples: train, spec, policies: ['flag-one'], learner: 'logistic' })).toThrow(
      /is denied by unknown policy/,
    );
    expect(() => trainRanker({ examples: train, spec, policies: [...policies, 'never'], learner: 'logistic' })).toThrow(/unique/);
    expect(() => PolicyRanker.fromJSON({ encoder: {}, model: {} })).toThrow();
  });

  it('ranks 65 policies for one manifest well under a millisecond (sanity bound only)', () => {
    const random = seededRandom(9);
    const many = Array.from({ length: 65 }, (_, i) => `p${i}`);
    const manySpec: FeatureSpec[] = [{ name: 'kind', type: 'categorical' }, ...many.map((p) => ({ name: p, type: 'numeric' as const }))];
    const rows = Array.from({ length: 300 }, (_, i) => {
      const features: Record<string, number | string> = { kind: KINDS[i % KINDS.length] as string };
      for (const p of many) features[p] = random() < 0.1 ? 1 : 0;
      return { id: `m${i}`, features, deny: many.filter((p) => features[p] === 1) };
    });
    const ranker = trainRanker({
      examples: rows,
      spec: manySpec,
      policies: many,
      learner: 'logistic',
      options: { logistic: { epochs: 5 } },
    });
    const latency = measureRankLatency(
      ranker,
      rows.map((r) => r.features),
      { repeats: 3 },
    );
    expect(latency.samples).toBe(900);
    // the real benchmark is in bench/; this only catches something grossly slow
    expect(latency.p99Us).toBeLessThan(5000);
  });
});

describe('selectRankerLearner', () => {
  it('trains every candidate on one split and orders them by hit@5, MRR, then p99', () => {
    const selection = selectRankerLearner({
      examples: train,
      spec,
      policies,
      heuristic: [
        { id: 'flag-one', kinds: ['*'], reliability: 0.9, relevant: ['f1'] },
        { id: 'svc-flag-two', kinds: ['Service'], reliability: 0.9, relevant: ['f2'] },
        { id: 'role-flag-three', kinds: ['Role'], reliability: 0.9, relevant: ['f3'] },
        { id: 'never', kinds: ['Namespace'], reliability: 0.9, relevant: [] },
      ],
      seed: 3,
    });
    expect(selection.table.map((r) => r.learner).sort()).toEqual(['cart', 'forest', 'heuristic', 'logistic']);
    expect(selection.trainRows + selection.validationRows).toBe(train.length);
    const learned = selection.table.filter((r) => r.learner !== 'heuristic');
    expect(learned[0]?.learner).toBe(selection.best);
    expect(selection.ranker.learner).toBe(selection.best);
    for (let i = 1; i < learned.length; i++) {
      const [a, b] = [learned[i - 1], learned[i]] as [(typeof learned)[0], (typeof learned)[0]];
      expect(a.hitAt5 > b.hitAt5 || (a.hitAt5 === b.hitAt5 && (a.mrr > b.mrr || (a.mrr === b.mrr && a.p99Us <= b.p99Us)))).toBe(true);
    }
  });
});
