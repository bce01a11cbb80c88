import { describe, expect, it } from 'vitest';
import { compareVersions, decidePromotion, evaluateGate, QUALITY_GATES } from '../../registry/promotion';

describe('quality gates', () => {
  it('hold the targets for every family', () => {
    expect(QUALITY_GATES.ranker).toEqual([
      { metric: 'hit_at_5', op: '>=', threshold: 0.85 },
      { metric: 'mrr', op: '>', baseline: 'popularity' },
    ]);
    expect(evaluateGate('fix', { accuracy_gain: 0.02 }).passed).toBe(true);
    expect(evaluateGate('fix', { accuracy: 0.99, accuracy_gain: 0 }).passed).toBe(false);
    expect(evaluateGate('latency', { r2: 0.6, r2_gain: 0.3 }).passed).toBe(true);
    expect(evaluateGate('latency', { r2: 0.6, r2_gain: 0.05 }).passed).toBe(false);
    expect(evaluateGate('latency', { r2: 0.49, r2_gain: 0.3 }).passed).toBe(false);
  });

  it('names every failed rule and a missing metric', () => {
    expect(evaluateGate('fix', { accuracy: 0.7 }).failures).toEqual(['accuracy_gain missing']);
    expect(evaluateGate('latency', { r2: 0.3, r2_gain: 0 }).failures).toEqual(['r2 0.3 < 0.5', 'r2_gain 0 < 0.1']);
    expect(evaluateGate('ranker', { hit_at_5: Number.NaN }).failures).toEqual(['hit_at_5 missing', 'mrr missing']);
    expect(evaluateGate('ranker', { hit_at_5: 0.9, mrr: 0.8 }).failures).toEqual(['mrr of the popularity baseline missing']);
    expect(evaluateGate('ranker', { hit_at_5: 0.9, mrr: 0.8 }, undefined, { popularity: { mrr: 0.8 } }).failures).toEqual([
      "mrr 0.8 does not beat the popularity baseline's 0.8",
    ]);
  });
});

describe('promotion decision', () => {
  it('makes the first version that passes the gate champion', () => {
    expect(decidePromotion('ranker', { hit_at_5: 0.9, mrr: 0.7 }, undefined, { popularity: { mrr: 0.6 } })).toMatchObject({
      alias: 'champion',
      promoted: true,
      reason: 'passed the quality gate; no champion yet',
    });
  });

  it('keeps a version that fails the gate as challenger with the reason, even without a champion', () => {
    const decision = decidePromotion('ranker', { hit_at_5: 0.5, mrr: 0.5 }, undefined, { popularity: { mrr: 0.4 } });
    expect(decision.alias).toBe('challenger');
    expect(decision.reason).toBe('quality gate failed: hit_at_5 0.5 < 0.85');
  });

  it('promotes only a version that beats the champion on the same data', () => {
    expect(
      decidePromotion('fix', { accuracy: 0.9, accuracy_gain: 0.1, f1: 0.8 }, { accuracy: 0.88, accuracy_gain: 0.08, f1: 0.9 }).alias,
    ).toBe('champion');
    const worse = decidePromotion('fix', { accuracy: 0.86, accuracy_gain: 0.06 }, { accuracy: 0.88, accuracy_gain: 0.08 });
    expect(worse.alias).toBe('challenger');
    expect(worse.reason).toMatch(/does not beat the champion: accuracy 0.86 trails champion's 0.88/);
  });

  it('breaks ties on the next metric and treats a full tie as not better', () => {
    expect(compareVersions('ranker', { hit_at_5: 0.9, mrr: 0.8 }, { hit_at_5: 0.9, mrr: 0.7 }).order).toBe(1);
    expect(compareVersions('latency', { r2: 0.8, mae_us: 5 }, { r2: 0.8, mae_us: 4 }).order).toBe(-1);
    expect(
      decidePromotion('ranker', { hit_at_5: 0.9, mrr: 0.7 }, { hit_at_5: 0.9, mrr: 0.7 }, { popularity: { mrr: 0.6 } }).reason,
    ).toMatch(/ties the champion/);
  });
});
