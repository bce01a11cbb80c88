import { describe, expect, it } from 'vitest';
import { loadArtifact, loadArtifactOf, modelArtifactSchema, toArtifact } from '../../activities/training/artifact';
import {
  compareFixLearners,
  crossValidateFix,
  DEFAULT_FIX_FEATURES,
  FixClassifier,
  type FixRecord,
  fitFpRuleThreshold,
  fixFeatureRow,
  fpRule,
  holdoutFix,
  majorityDecision,
  rightDecision,
  trainFixClassifier,
} from '../../activities/training/fix';
import {
  compareLatencyLearners,
  crossValidateLatency,
  holdoutLatency,
  LatencyRegressor,
  type LatencyRow,
  latencyFeatureRow,
  latencyMetrics,
  trainLatencyRegressor,
} from '../../activities/training/latency';
import { summariseFolds } from '../../activities/training/metrics';
import { seededRandom } from '../../activities/training/models';
import { trainRanker } from '../../activities/training/ranker';
import { readJsonl } from '../../datasets/load';
import { FAILURE_LOG_FILE } from '../../datasets/paths';
import { failureRecordSchema } from '../../datasets/schemas';

const FAILURE_TYPES = ['security_violation', 'supply_chain', 'reliability'] as const;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

function record(id: string, fp: number, right: 'manifest_patch' | 'policy_change', extra: Partial<FixRecord> = {}): FixRecord {
  const decision = id.length % 2 === 0 ? 'policy_change' : 'manifest_patch';
  return {
    id,
    fp_score: fp,
    developer_revert_history: 0,
    policy_reliability: 0.9,
    severity: 'medium',
    failure_type: 'security_violation',
    resource: 'Deployment shop/web',
    decision,
    accepted: decision === right,
    ...extra,
  };
}

/** The right decision is policy_change exactly when fp_score > 0.25. */
function fixProblem(n: number, seed: number): FixRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const fp = random() * 0.5;
    const extra = {
      developer_revert_history: Math.floor(random() * 3),
      policy_reliability: 0.7 + random() * 0.3,
      severity: SEVERITIES[Math.floor(random() * 4)] as FixRecord['severity'],
      failure_type: FAILURE_TYPES[Math.floor(random() * 3)] as FixRecord['failure_type'],
    };
    random(); // the draw co_denials (no longer a feature) took: keeps the seeded stream of the rows below
    return record(`r${seed}-${i}`, fp, fp > 0.25 ? 'policy_change' : 'manifest_patch', extra);
  });
}

describe('fix-strategy target and features', () => {
  it('the right decision is the one taken when accepted, the other one when not', () => {
    expect(rightDecision({ decision: 'policy_change', accepted: true })).toBe('policy_change');
    expect(rightDecision({ decision: 'policy_change', accepted: false })).toBe('manifest_patch');
    expect(rightDecision({ decision: 'manifest_patch', accepted: false })).toBe('policy_change');
  });

  it('features never read the decision or its acceptance', () => {
    const a = record('x', 0.3, 'policy_change');
    const row = fixFeatureRow(a);
    expect(row).not.toHaveProperty('decision');
    expect(row).not.toHaveProperty('accepted');
    const flipped: FixRecord = { ...a, decision: 'manifest_patch', accepted: !a.accepted };
    expect(fixFeatureRow(flipped)).toEqual(row);
    expect(row).toMatchObject({ severity: 1, reverted_before: 0, resource_kind: 'Deployment' });
    expect(row).not.toHaveProperty('co_denials');
  });
});

describe('fix baselines', () => {
  const records = [
    record('a1', 0.1, 'manifest_patch'),
    record('a22', 0.2, 'manifest_patch'),
    record('a333', 0.15, 'manifest_patch'),
    record('a4444', 0.3, 'policy_change'),
    record('a55555', 0.4, 'policy_change'),
  ];

  it('majority class and the fp_score rules', () => {
    expect(majorityDecision(records)).toBe('manifest_patch');
    expect(majorityDecision([records[3] as FixRecord])).toBe('policy_change');
    expect(fpRule(0.5)(records[4] as FixRecord)).toBe('manifest_patch');
    expect(fpRule(0.35)(records[4] as FixRecord)).toBe('policy_change');
    expect(fitFpRuleThreshold(records)).toBeCloseTo(0.25, 12);
  });

  it('evaluates model and baselines on the same held-out rows', () => {
    const data = fixProblem(400, 1);
    const evaluation = holdoutFix(data, { learner: 'logistic', seed: 2 });
    expect(evaluation.testRows).toBe(80);
    const test = evaluation.baselines;
    const share = 1 - test.majority.accuracy;
    expect(test.majority.decision).toBe('manifest_patch');
    expect(test.majority).toMatchObject({ precision: 0, recall: 0 });
    expect(test.rule.accuracy).toBeCloseTo(1 - share, 12);
    expect(test.fittedRule.threshold).toBeGreaterThan(0.2);
    expect(test.fittedRule.threshold).toBeLessThan(0.3);
    expect(test.fittedRule.accuracy).toBeGreaterThan(0.95);
  });
});

describe('fix classifier', () => {
  for (const learner of ['logistic', 'cart'] as const) {
    it(`${learner}: learns the known rule and loads back to identical predictions`, () => {
      const classifier = trainFixClassifier({ records: fixProblem(600, 3), learner });
      const test = fixProblem(200, 4);
      const correct = test.filter((r) => classifier.predict(r).decision === rightDecision(r)).length;
      expect(correct / test.length).toBeGreaterThan(0.93);
      const loaded = FixClassifier.fromJSON(JSON.parse(JSON.stringify(classifier.toJSON())));
      for (const r of test) expect(loaded.predict(r)).toEqual(classifier.predict(r));
    });
  }

  it('cross-validation reports the mean and spread per metric', () => {
    const cv = crossValidateFix(fixProblem(300, 5), { learner: 'logistic', k: 3 });
    expect(cv.folds).toHaveLength(3);
    expect(cv.mean.accuracy).toBeGreaterThan(0.9);
    expect(cv.std.accuracy).toBeGreaterThanOrEqual(0);
    expect(cv.mean).toHaveProperty('baseline_majority_accuracy');
    expect(summariseFolds([{ a: 1 }, { a: 3 }])).toEqual({ folds: [{ a: 1 }, { a: 3 }], mean: { a: 2 }, std: { a: 1 } });
  });

  it('compares the learners on the same folds and uses the chosen features only', () => {
    const records = fixProblem(240, 9);
    const comparison = compareFixLearners(records, { k: 3 });
    expect(comparison.table.map((r) => r.learner).sort()).toEqual(['cart', 'logistic']);
    expect(comparison.table[0]?.learner).toBe(comparison.best);
    const [first, second] = comparison.table as [(typeof comparison.table)[0], (typeof comparison.table)[0]];
    expect(first.cv.mean.accuracy).toBeGreaterThanOrEqual(second.cv.mean.accuracy as number);
    expect(DEFAULT_FIX_FEATURES).not.toContain('resource_kind');
    const classifier = trainFixClassifier({ records, learner: 'logistic', features: ['fp_score'] });
    expect(classifier.encoder.columns).toEqual(['fp_score']);
    expect(() => trainFixClassifier({ records, learner: 'logistic', features: ['decision'] })).toThrow(/unknown features decision/);
  });

  it('on the committed failure log, beats the majority baseline on held-out rows by the promotion gate margin', () => {
    const records = readJsonl(FAILURE_LOG_FILE, failureRecordSchema);
    const evaluation = holdoutFix(records, { learner: 'logistic', seed: 1 });
    // the gate (registry/promotion.ts) asks for +0.01 over the best baseline; without the leaking co_denials the margin is small
    expect(evaluation.model.accuracy).toBeGreaterThan(evaluation.baselines.majority.accuracy + 0.01);
  });
});

/** ln ns = 8 + 0.2·rules + 0.5·walks + 0.9·ln items + 0.6·ln(1 + inventory); 20 policies. */
function latencyProblem(): LatencyRow[] {
  const random = seededRandom(11);
  const rows: LatencyRow[] = [];
  for (let p = 0; p < 20; p++) {
    const features = { rules: 1 + Math.floor(random() * 6), walks: Math.floor(random() * 3), lines: 20 + Math.floor(random() * 80) };
    const inventory = p % 4 === 0 ? [10, 100, 1000] : [0];
    for (const items of [1, 4, 16, 64]) {
      for (const inventoryObjects of inventory) {
        const logNs = 8 + 0.2 * features.rules + 0.5 * features.walks + 0.9 * Math.log(items) + 0.6 * Math.log1p(inventoryObjects);
        rows.push({ policy: `p${p}`, features, items, inventoryObjects, nsPerOp: Math.exp(logNs) });
      }
    }
  }
  return rows;
}

const latencySpec = [
  { name: 'rules', type: 'numeric' as const },
  { name: 'walks', type: 'numeric' as const },
  { name: 'lines', type: 'numeric' as const },
];

describe('latency regressor', () => {
  const rows = latencyProblem();

  it('adds the size features and rejects impossible sizes', () => {
    expect(latencyFeatureRow({ features: { rules: 2 }, items: 4, inventoryObjects: 0 })).toEqual({
      rules: 2,
      log_items: Math.log(4),
      log1p_inventory_objects: 0,
    });
    expect(() => latencyFeatureRow({ features: {}, items: 0, inventoryObjects: 0 })).toThrow(/items must be > 0/);
  });

  it('ridge recovers a log-linear law on policies it never saw', () => {
    const evaluation = holdoutLatency({ rows, spec: latencySpec, learner: 'ridge', lambda: 1e-6, seed: 1 });
    const trainPolicies = new Set(rows.filter((r) => evaluation.regressor.predictNs(r) > 0).map((r) => r.policy));
    expect(trainPolicies.size).toBe(20);
    expect(evaluation.test.r2_log).toBeGreaterThan(0.999);
    expect(evaluation.test.r2).toBe(evaluation.test.r2_log);
    expect(evaluation.test.mape).toBeLessThan(0.01);
    expect(evaluation.test.policies).toBe(4);
  });

  it('the forest fits it roughly, and grouped CV gives one result per fold', () => {
    const evaluation = holdoutLatency({ rows, spec: latencySpec, learner: 'forest', forest: { trees: 10 }, seed: 1 });
    expect(evaluation.test.r2_log).toBeGreaterThan(0.6);
    const folds = crossValidateLatency({ rows, spec: latencySpec, learner: 'ridge', k: 4 });
    expect(folds).toHaveLength(4);
    expect(folds.reduce((sum, f) => sum + (f.policies as number), 0)).toBe(20);
  });

  it('compares both learners by grouped CV (r2, then mae_us)', () => {
    const comparison = compareLatencyLearners({ rows, spec: latencySpec, k: 4, lambda: 1e-6, forest: { trees: 5 } });
    expect(comparison.best).toBe('ridge');
    expect(comparison.table.map((r) => r.learner)).toEqual(['ridge', 'forest']);
    expect(comparison.table[0]?.cv.folds).toHaveLength(4);
  });

  it('multiplies ln(items) with the Rego features for the interaction columns', () => {
    const regressor = trainLatencyRegressor({ rows, spec: latencySpec, learner: 'ridge' });
    expect(regressor.model.interactions).toEqual(['rules', 'walks', 'lines']);
    expect(latencyFeatureRow({ features: { rules: 3 }, items: 8, inventoryObjects: 0 }, ['rules'])).toMatchObject({
      log_items_x_rules: 3 * Math.log(8),
    });
    expect(trainLatencyRegressor({ rows, spec: latencySpec, learner: 'ridge', interactions: false }).model.interactions).toEqual([]);
  });

  for (const learner of ['ridge', 'forest'] as const) {
    it(`${learner}: loads back from JSON to identical predictions`, () => {
      const regressor = trainLatencyRegressor({ rows, spec: latencySpec, learner });
      const loaded = LatencyRegressor.fromJSON(JSON.parse(JSON.stringify(regressor.toJSON())));
      for (const r of rows) expect(loaded.predictNs(r)).toBe(regressor.predictNs(r));
      expect(latencyMetrics(loaded, rows)).toEqual(latencyMetrics(regressor, rows));
    });
  }
});

describe('model artifact', () => {
  it('stores every family as one JSON document and loads it back to identical predictions', () => {
    const createdFrom = { datasetDigest: 'a'.repeat(64), rows: 10 };
    const fix = trainFixClassifier({ records: fixProblem(100, 6), learner: 'cart' });
    const latency = trainLatencyRegressor({ rows: latencyProblem(), spec: latencySpec, learner: 'ridge' });
    const ranker = trainRanker({
      examples: [
        { id: 'a', features: { f: 1 }, deny: ['p'] },
        { id: 'b', features: { f: 0 }, deny: [] },
        { id: 'c', features: { f: 1 }, deny: ['p'] },
      ],
      spec: [{ name: 'f', type: 'numeric' }],
      policies: ['p', 'q'],
      learner: 'logistic',
    });
    const stored = [
      toArtifact(fix, createdFrom, { accuracy: 1 }),
      toArtifact(latency, createdFrom, { r2: 1 }),
      toArtifact(ranker, createdFrom, { hit_at_5: 1 }),
    ].map((a) => JSON.parse(JSON.stringify(a)));
    expect(stored.map((a) => a.family)).toEqual(['fix', 'latency', 'ranker']);
    const loadedFix = loadArtifactOf('fix', stored[0]).model;
    for (const r of fixProblem(20, 7)) expect(loadedFix.predict(r)).toEqual(fix.predict(r));
    const loadedLatency = loadArtifactOf('latency', stored[1]).model;
    expect(loadedLatency.predictNs({ features: { rules: 2, walks: 1, lines: 30 }, items: 8, inventoryObjects: 0 })).toBe(
      latency.predictNs({ features: { rules: 2, walks: 1, lines: 30 }, items: 8, inventoryObjects: 0 }),
    );
    const loadedRanker = loadArtifact(stored[2]);
    expect(loadedRanker.family).toBe('ranker');
    expect(loadedRanker.artifact.createdFrom).toEqual(createdFrom);
    expect(() => loadArtifactOf('ranker', stored[0])).toThrow(/expected a ranker artifact, got a fix artifact/);
  });

  it('rejects missing provenance, non-finite metrics and unknown families', () => {
    const fix = trainFixClassifier({ records: fixProblem(50, 8), learner: 'logistic' });
    const artifact = toArtifact(fix, { datasetDigest: 'd' }, { accuracy: 0.9 });
    expect(modelArtifactSchema.safeParse({ ...artifact, createdFrom: {} }).success).toBe(false);
    expect(modelArtifactSchema.safeParse({ ...artifact, metrics: { accuracy: Number.NaN } }).success).toBe(false);
    expect(modelArtifactSchema.safeParse({ ...artifact, family: 'other' }).success).toBe(false);
    expect(modelArtifactSchema.safeParse({ ...artifact, version: 2 }).success).toBe(false);
  });
});
