/**
 * The ranker's honest parts, without engines: calibration (Platt per policy), kind gating and
 * severity, the per-kind popularity baseline, the every-row metrics (clean manifests count), the
 * tie share, the time-based grouped holdout, the training mix and the promotion gate against a
 * baseline.
 */
import { describe, expect, it } from 'vitest';
import type { FeatureSpec } from '../../activities/features/spec';
import { simulatedRows } from '../../activities/lifecycle/ingest-ranker';
import { seededRandom, sigmoid } from '../../activities/training/models';
import { PolicyRanker, type Ranker, type RankerExample, rankerModelSchema, trainRanker } from '../../activities/training/ranker';
import { calibrateRanker, fitPlatt, plattRanker, popularityRanker, rankerQuality } from '../../activities/training/ranker-quality';
import { groupedSplit, timeGroupedHoldout } from '../../activities/training/split';
import { decidePromotion, evaluateGate } from '../../registry/promotion';

const spec: FeatureSpec[] = [
  { name: 'kind', type: 'categorical' },
  { name: 'f1', type: 'numeric' },
  { name: 'f2', type: 'numeric' },
  { name: 'noise', type: 'numeric' },
];
const KINDS = ['Deployment', 'Service', 'Role'];
const INFO = [
  { id: 'deploy-f1', kinds: ['Deployment'], severity: 'high' },
  { id: 'deploy-f2', kinds: ['Deployment', 'StatefulSet'], severity: 'medium' },
  { id: 'svc-f2', kinds: ['Service'], severity: 'low' },
  { id: 'any-noise', kinds: ['*'], severity: 'medium' },
];

/** deploy-f1 ⇔ Deployment ∧ f1; deploy-f2 ⇔ Deployment ∧ f2; svc-f2 ⇔ Service ∧ f2; any-noise: 30 % of every kind, at random (unlearnable). */
function examples(n: number, seed: number): RankerExample[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const kind = KINDS[Math.floor(random() * KINDS.length)] as string;
    const f1 = random() < 0.5 ? 1 : 0;
    const f2 = random() < 0.5 ? 1 : 0;
    const deny: string[] = [];
    if (kind === 'Deployment' && f1) deny.push('deploy-f1');
    if (kind === 'Deployment' && f2) deny.push('deploy-f2');
    if (kind === 'Service' && f2) deny.push('svc-f2');
    if (random() < 0.3) deny.push('any-noise');
    return { id: `r-${seed}-${i}`, features: { kind, f1, f2, noise: random() }, deny };
  });
}

const train = examples(900, 1);
const validation = examples(400, 2);
const test = examples(600, 3);
const ids = INFO.map((p) => p.id);

describe('Platt scaling', () => {
  it('recovers the slope and intercept of logistic data', () => {
    const random = seededRandom(7);
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const xi = random() * 8 - 4;
      x.push(xi);
      y.push(random() < sigmoid(2 * xi - 1) ? 1 : 0);
    }
    const { a, b } = fitPlatt(x, y, { prior: 0 });
    expect(a).toBeCloseTo(2, 1);
    expect(b).toBeCloseTo(-1, 1);
  });

  it('never maps to exactly 0 or 1, and with few rows stays near the identity', () => {
    const separable = fitPlatt([-5, -4, 4, 5], [0, 0, 1, 1]);
    expect(sigmoid(separable.a * 5 + separable.b)).toBeLessThan(1);
    expect(sigmoid(separable.a * -5 + separable.b)).toBeGreaterThan(0);
    expect(separable.a).toBeLessThan(3);
    expect(() => fitPlatt([1, 2], [1])).toThrow(/2 scores but 1 labels/);
  });
});

describe('kind gating, severity and calibration', () => {
  const raw = trainRanker({ examples: train, spec, policies: ids, learner: 'cart', policyInfo: INFO });
  const calibrated = calibrateRanker(raw, validation);

  it('ranks only the policies that apply to the kind, with their severity; others score 0', () => {
    const service = { kind: 'Service', f1: 1, f2: 1, noise: 0.5 };
    expect(calibrated.rank(service).map((r) => r.id)).toEqual(['svc-f2', 'any-noise']);
    expect(calibrated.rank(service)[0]).toMatchObject({ id: 'svc-f2', severity: 'low' });
    expect(calibrated.scores(service)[0]).toBe(0);
    expect(calibrated.rank({ kind: 'ConfigMap', f1: 1, f2: 1, noise: 0 }).map((r) => r.id)).toEqual(['any-noise']);
  });

  it('gives probabilities that are not saturated: no top of tied scores, a lower Brier score than the raw tree', () => {
    const before = rankerQuality(raw, test);
    const after = rankerQuality(calibrated, test);
    // a CART leaf gives 1.000 to every policy it learnt: a Deployment denied by both has a tied top
    const both = { kind: 'Deployment', f1: 1, f2: 1, noise: 0.5 };
    const rawTop = raw.rank(both, 2).map((r) => Math.round(r.score * 10_000));
    expect(rawTop).toEqual([10_000, 10_000]);
    const top = calibrated.rank(both, 2).map((r) => Math.round(r.score * 10_000));
    expect(top[0]).not.toBe(top[1]);
    expect(after.tie_share_top5).toBeLessThan(before.tie_share_top5 as number);
    expect(after.tie_share_top5).toBeLessThanOrEqual(0.2);
    expect(after.brier).toBeLessThanOrEqual((before.brier as number) + 1e-9);
    // the unlearnable policy is calibrated to its rate, not to the tree's overfit leaves
    const noise = test.map((e) => calibrated.scores(e.features)[ids.indexOf('any-noise')] as number);
    expect(noise.reduce((a, b) => a + b, 0) / noise.length).toBeGreaterThan(0.2);
    expect(noise.reduce((a, b) => a + b, 0) / noise.length).toBeLessThan(0.4);
    expect(after.hit_at_1).toBeGreaterThan(0.9);
  });

  it('loads back to the same scores, and an artifact without kinds or calibration still ranks every policy', () => {
    const again = PolicyRanker.fromJSON(JSON.parse(JSON.stringify(calibrated.toJSON())));
    const row = test[0]?.features ?? {};
    expect(Array.from(again.scores(row))).toEqual(Array.from(calibrated.scores(row)));
    const state = raw.toJSON();
    const old = new PolicyRanker(
      raw.encoder,
      rankerModelSchema.parse({
        learner: state.model.learner,
        policies: state.model.policies.map(({ id, prior, model }) => ({ id, prior, model })),
      }),
    );
    expect(old.rank({ kind: 'Service', f1: 0, f2: 0, noise: 0 })).toHaveLength(INFO.length);
  });
});

describe('per-kind popularity baseline', () => {
  const popularity = popularityRanker(train, INFO);

  it('scores each policy by its rate among the rows of the kind, only where it applies', () => {
    const deployments = train.filter((e) => e.features.kind === 'Deployment');
    const rate = deployments.filter((e) => e.deny.includes('deploy-f1')).length;
    const overall = train.filter((e) => e.deny.includes('deploy-f1')).length / train.length;
    const scores = popularity.scores({ kind: 'Deployment' });
    expect(scores[0]).toBeCloseTo((rate + overall) / (deployments.length + 1), 12);
    expect(scores[2]).toBe(0);
    expect(popularity.rank({ kind: 'Role' }).map((r) => r.id)).toEqual(['any-noise']);
    // the same ranking for every row of a kind: no features at all
    expect(popularity.rank({ kind: 'Service', f2: 0 })).toEqual(popularity.rank({ kind: 'Service', f2: 1 }));
  });

  it('is beaten on MRR by a model that reads the features, and the gate says so', () => {
    const model = rankerQuality(
      calibrateRanker(trainRanker({ examples: train, spec, policies: ids, learner: 'logistic', policyInfo: INFO }), validation),
      test,
    );
    const baseline = rankerQuality(popularity, test);
    expect(model.mrr).toBeGreaterThan(baseline.mrr as number);
    expect(evaluateGate('ranker', { ...model, hit_at_5: 1 }, undefined, { popularity: baseline }).passed).toBe(true);
    const worse = decidePromotion('ranker', { hit_at_5: 0.99, mrr: (baseline.mrr as number) - 0.01 }, undefined, { popularity: baseline });
    expect(worse.alias).toBe('challenger');
    expect(worse.reason).toMatch(/does not beat the popularity baseline's/);
  });
});

describe('rankerQuality', () => {
  /** A fixed ranker: scores per kind from a table. */
  const fixed = (table: Record<string, number[]>): Ranker => ({
    policies: ['a', 'b', 'c'],
    scores: (row) => Float64Array.from(table[String(row.kind)] ?? [0, 0, 0]),
    rank(row, k) {
      const s = table[String(row.kind)] ?? [0, 0, 0];
      return ['a', 'b', 'c']
        .map((id, i) => ({ id, score: s[i] as number }))
        .sort((x, y) => y.score - x.score || x.id.localeCompare(y.id))
        .slice(0, k);
    },
  });

  it('counts clean manifests in precision and recall over every row, and the tie share of the top k', () => {
    const ranker = fixed({ X: [0.9, 0.6, 0.1], Y: [0.7, 0.7, 0.7], Z: [0.2, 0.1, 0] });
    const rows: RankerExample[] = [
      { id: '1', features: { kind: 'X' }, deny: ['a'] },
      { id: '2', features: { kind: 'Y' }, deny: [] },
      { id: '3', features: { kind: 'Z' }, deny: ['c'] },
    ];
    const q = rankerQuality(ranker, rows, { k: 2 });
    // predicted (top 2, p ≥ 0.5): X a, b; Y a, b (clean: both false); Z none → 1 of 4 right
    expect(q.precision_all_at_2).toBeCloseTo(1 / 4, 12);
    expect(q.recall_all_at_2).toBeCloseTo(1 / 2, 12);
    expect(q.clean_flagged_share).toBe(1);
    expect(q.clean_rows).toBe(1);
    expect(q.tie_share_top2).toBeCloseTo(1 / 3, 12);
    const brier = ((0.9 - 1) ** 2 + 0.6 ** 2 + 0.1 ** 2 + 3 * 0.7 ** 2 + 0.2 ** 2 + 0.1 ** 2 + 1) / 9;
    expect(q.brier).toBeCloseTo(brier, 12);
    // the labelled-only metrics leave the clean row out
    expect(q.evaluated).toBe(2);
    expect(q.mrr).toBeCloseTo((1 + 1 / 3) / 2, 12);
  });

  it('maps any scores to probabilities with one Platt scaling (the heuristic baseline)', () => {
    const base = fixed({ X: [3, 2, 1] });
    const rows: RankerExample[] = Array.from({ length: 50 }, (_, i) => ({ id: `${i}`, features: { kind: 'X' }, deny: i % 2 ? ['a'] : [] }));
    const platt = plattRanker(base, rows);
    const [a] = platt.rank({ kind: 'X' }, 1);
    expect(a?.id).toBe('a');
    expect(a?.score).toBeGreaterThan(0);
    expect(a?.score).toBeLessThan(1);
  });
});

describe('time-based grouped holdout', () => {
  it('holds out the newest groups of timed rows, keeps every group on one side, splits untimed groups by hash', () => {
    const rows = [
      ...Array.from({ length: 600 }, (_, i) => ({ group: `g${i % 300}`, time: i })),
      ...Array.from({ length: 200 }, (_, i) => ({ group: `s${i}`, time: null })),
    ];
    const split = timeGroupedHoldout(rows, 0.2, 1, 500);
    expect(split.mode).toBe('time');
    const side = new Map<string, 'train' | 'test'>();
    for (const part of ['train', 'test'] as const)
      for (const i of split[part]) {
        const group = rows[i]?.group as string;
        expect(side.get(group) ?? part).toBe(part);
        side.set(group, part);
      }
    const testTimed = split.test.filter((i) => rows[i]?.time !== null);
    expect(testTimed).toHaveLength(120);
    const newestTrain = Math.max(...split.train.map((i) => rows[i]?.time ?? -1));
    expect(Math.min(...testTimed.map((i) => rows[i]?.time as number))).toBeGreaterThan(newestTrain - 300);
    expect(split.test.filter((i) => rows[i]?.time === null)).toHaveLength(40);
  });

  it('below the threshold of timed rows, splits every group by hash', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ group: `g${i % 40}`, time: i }));
    const split = timeGroupedHoldout(rows, 0.2, 1, 500);
    expect(split.mode).toBe('hash');
    const groups = rows.map((r) => r.group);
    expect(split).toMatchObject(groupedSplit(groups, 0.2, 1));
  });
});

describe('the training mix', () => {
  it('takes the configured share of simulated rows when observations exist, all of them otherwise', () => {
    expect(simulatedRows(0, 0.5, 2000)).toBe(2000);
    expect(simulatedRows(300, 0.5, 2000)).toBe(300);
    expect(simulatedRows(300, 0.25, 2000)).toBe(100);
    expect(simulatedRows(300, 0, 2000)).toBe(0);
    expect(simulatedRows(5000, 0.5, 2000)).toBe(2000);
    expect(simulatedRows(10, 1, 2000)).toBe(2000);
  });
});
