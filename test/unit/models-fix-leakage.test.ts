/**
 * The fix-strategy label must not be computable from a feature. `featureLeakage` measures, per
 * feature, the cross-validated accuracy of predicting the right decision from that feature alone
 * (a lookup table); on the simulated failure log every model feature must stay below 0.99. The
 * detector itself is checked on a planted leak, and metrics are split by real and simulated rows.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FIX_FEATURES,
  FIX_FEATURES,
  type FixDecision,
  type FixRecord,
  featureLeakage,
  fixFeatureRow,
  fixMetricsBySource,
  rightDecision,
} from '../../activities/training/fix';
import { fnv1a32 } from '../../activities/training/split';
import { readJsonl } from '../../datasets/load';
import { FAILURE_LOG_FILE } from '../../datasets/paths';
import { failureRecordSchema } from '../../datasets/schemas';

const simulated = readJsonl(FAILURE_LOG_FILE, failureRecordSchema).filter((r) => r.source === 'simulated');

describe('label leakage on the simulated failure log', () => {
  it('is a real set: thousands of simulated rows with both right decisions', () => {
    expect(simulated.length).toBeGreaterThan(3000);
    const changes = simulated.filter((r) => rightDecision(r) === 'policy_change').length;
    expect(changes / simulated.length).toBeGreaterThan(0.15);
    expect(changes / simulated.length).toBeLessThan(0.85);
  });

  it('no single feature predicts the right decision with accuracy ≥ 0.99', () => {
    const names = FIX_FEATURES.map((f) => f.name);
    const leakage = featureLeakage(simulated, { features: names });
    for (const name of names) expect(leakage[name], name).toBeLessThan(0.99);
    // and none is far above what the majority class gets (the strongest, policy_reliability, adds ≈ 0.014)
    for (const name of DEFAULT_FIX_FEATURES) expect((leakage[name] as number) - (leakage.majority as number), name).toBeLessThan(0.05);
  });

  it('the detector flags a feature the label can be computed from', () => {
    // a copy of the label, wrong for ~0.5 % of rows (by a hash of the id)
    const planted = (r: (typeof simulated)[number]) => ({
      planted: (rightDecision(r) === 'policy_change') !== fnv1a32(r.id) % 200 < 1 ? 'yes' : 'no',
    });
    const leakage = featureLeakage(simulated, { features: ['planted', 'fp_score'], extra: planted });
    expect(leakage.planted).toBeGreaterThanOrEqual(0.99);
    expect(leakage.fp_score).toBeLessThan(0.99);
  });

  it('co_denials, which carried the simulated label, is no longer a feature (the check above would catch it)', () => {
    const leakage = featureLeakage(simulated, { features: ['co_denials'], extra: (r) => ({ co_denials: r.co_denials }) });
    expect((leakage.co_denials as number) - (leakage.majority as number)).toBeGreaterThan(0.05);
    const names = FIX_FEATURES.map((f) => f.name);
    expect(names).not.toContain('co_denials');
    expect(names).not.toContain('sole_denial');
    expect(Object.keys(fixFeatureRow(simulated[0] as FixRecord)).sort()).toEqual([...names].sort());
  });
});

describe('metrics by source', () => {
  const row = (id: string, right: FixDecision, source: FixRecord['source']): FixRecord => ({
    id,
    fp_score: 0.2,
    developer_revert_history: 0,
    policy_reliability: 0.9,
    severity: 'low',
    failure_type: 'security_violation',
    resource: 'Deployment a/b',
    decision: right,
    accepted: true,
    source,
  });

  it('reports all rows, real rows (feedback, observed) and simulated rows separately', () => {
    const rows = [
      row('s1', 'manifest_patch', 'simulated'),
      row('s2', 'policy_change', 'simulated'),
      row('f1', 'policy_change', 'feedback'),
      row('o1', 'manifest_patch', 'observed'),
    ];
    const metrics = fixMetricsBySource(rows, ['manifest_patch', 'manifest_patch', 'policy_change', 'policy_change']);
    expect(metrics.accuracy).toBe(0.5);
    expect(metrics).toMatchObject({ real_support: 2, real_accuracy: 0.5, simulated_support: 2, simulated_accuracy: 0.5 });
    expect(metrics.real_precision).toBe(0.5);
    expect(metrics.simulated_recall).toBe(0);
    const none = fixMetricsBySource(rows.slice(0, 2), ['manifest_patch', 'policy_change']);
    expect(none).toMatchObject({ accuracy: 1, real_support: 0, simulated_accuracy: 1 });
    expect(none).not.toHaveProperty('real_accuracy');
  });
});
