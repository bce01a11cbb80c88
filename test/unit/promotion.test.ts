import { describe, expect, it } from 'vitest';
import { compareVersions, decidePromotion, evaluateGate, QUALITY_GATES } from '../../registry/promotion';

describe('quality gates', () => {
  it('hold the targets for every family', () => {
    expect(QUALITY_GATES.ranker).toEqual([{ metric: 'hit_at_5', op: '>=', threshold: 0.85 }]);
    expect(evaluateGate('fix', { accuracy: 0.8, precision: 0.75 }).passed).toBe(true);
    expect(evaluateGate('latency', { r2: 0.69 }).passed).toBe(false);
  });

  it('names every failed rule and a missing metric', () => {
    expect(evaluateGate('fix', { accuracy: 0.7 }).failures).toEqual(['accuracy 0.7 < 0.8', 'precision missing']);
    expect(evaluateGate('ranker', { hit_at_5: Number.NaN }).failures).toEqual(['hit_at_5 missing']);
  });
});

describe('promotion decision', () => {
  it('makes the first version that passes the gate champion', () => {
    expect(decidePromotion('ranker', { hit_at_5: 0.9, mrr: 0.7 })).toMatchObject({
      alias: 'champion',
      promoted: true,
      reason: 'passed the quality gate; no champion yet',
    });
  });

  it('keeps a version that fails the gate as challenger with the reason, even without a champion', () => {
    const decision = decidePromotion('ranker', { hit_at_5: 0.5 });
    expect(decision.alias).toBe('challenger');
    expect(decision.reason).toBe('quality gate failed: hit_at_5 0.5 < 0.85');
  });

  it('promotes only a version that beats the champion on the same data', () => {
    expect(decidePromotion('fix', { accuracy: 0.9, precision: 0.9, f1: 0.8 }, { accuracy: 0.88, precision: 0.9, f1: 0.9 }).alias).toBe(
      'champion',
    );
    const worse = decidePromotion('fix', { accuracy: 0.86, precision: 0.9 }, { accuracy: 0.88, precision: 0.9 });
    expect(worse.alias).toBe('challenger');
    expect(worse.reason).toMatch(/does not beat the champion: accuracy 0.86 trails champion's 0.88/);
  });

  it('breaks ties on the next metric and treats a full tie as not better', () => {
    expect(compareVersions('ranker', { hit_at_5: 0.9, mrr: 0.8 }, { hit_at_5: 0.9, mrr: 0.7 }).order).toBe(1);
    expect(compareVersions('latency', { r2: 0.8, mae_us: 5 }, { r2: 0.8, mae_us: 4 }).order).toBe(-1);
    expect(decidePromotion('ranker', { hit_at_5: 0.9, mrr: 0.7 }, { hit_at_5: 0.9, mrr: 0.7 }).reason).toMatch(/ties the champion/);
  });
});
