import { describe, expect, it } from 'vitest';
import {
  accuracy,
  classificationReport,
  confusionMatrix,
  hitAtK,
  MetricError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanReciprocalRank,
  percentile,
  perLabelAuc,
  precisionAtK,
  type RankedCase,
  rankingReport,
  recallAtK,
  rocAuc,
  rSquared,
} from '../../activities/training/metrics';

const cases: RankedCase[] = [
  // first relevant at rank 3
  { ranked: ['a', 'b', 'c', 'd', 'e', 'f'], relevant: ['c'] },
  // one of two relevant ids at rank 2, the other not ranked at all; fewer than 5 ranked
  { ranked: ['b', 'a', 'c'], relevant: ['a', 'x'] },
  // nothing relevant: excluded and counted
  { ranked: ['a', 'b'], relevant: [] },
  // relevant but not ranked
  { ranked: ['d', 'e'], relevant: ['z'] },
];

describe('ranking metrics', () => {
  it('hit@k counts a manifest with any relevant id in the top k and excludes manifests without labels', () => {
    expect(hitAtK(cases, 1)).toEqual({ value: 0, evaluated: 3, excludedNoLabels: 1 });
    expect(hitAtK(cases, 3).value).toBeCloseTo(2 / 3, 12);
    expect(hitAtK(cases, 5).value).toBeCloseTo(2 / 3, 12);
  });

  it('precision@k divides by k, recall@k by the relevant ids', () => {
    expect(precisionAtK(cases, 3).value).toBeCloseTo((1 / 3 + 1 / 3 + 0) / 3, 12);
    expect(precisionAtK(cases, 5).value).toBeCloseTo((1 / 5 + 1 / 5 + 0) / 3, 12);
    expect(recallAtK(cases, 3).value).toBeCloseTo((1 + 1 / 2 + 0) / 3, 12);
    expect(recallAtK(cases, 1).value).toBe(0);
  });

  it('MRR uses the first relevant rank and 0 when none is ranked', () => {
    expect(meanReciprocalRank(cases).value).toBeCloseTo((1 / 3 + 1 / 2 + 0) / 3, 12);
  });

  it('rankingReport gathers them per k', () => {
    const report = rankingReport(cases, [1, 3]);
    expect(report.cases).toBe(4);
    expect(report.evaluated).toBe(3);
    expect(report.excludedNoLabels).toBe(1);
    expect(report.hitAt[1]).toBe(0);
    expect(report.hitAt[3]).toBeCloseTo(2 / 3, 12);
    expect(report.mrr).toBeCloseTo(5 / 18, 12);
  });

  it('rejects empty input, a bad k and data without any label', () => {
    expect(() => hitAtK([], 5)).toThrow(MetricError);
    expect(() => hitAtK(cases, 0)).toThrow(/k must be a whole number/);
    expect(() => precisionAtK(cases, 1.5)).toThrow(MetricError);
    expect(() => meanReciprocalRank([{ ranked: ['a'], relevant: [] }])).toThrow(/none of the 1 cases has a relevant id/);
  });
});

describe('ROC AUC', () => {
  it('matches the hand-computed value', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75, 12);
    expect(rocAuc([3, 2, 1], [true, false, false])).toBe(1);
    expect(rocAuc([1, 2, 3], [true, false, false])).toBe(0);
  });

  it('counts ties as one half', () => {
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [true, false, true, false])).toBe(0.5);
    // positives 2 and 3, negatives 1 and 2: 1 + 0.5 + 1 + 1 of 4 pairs
    expect(rocAuc([1, 2, 2, 3], [false, true, false, true])).toBeCloseTo(0.875, 12);
  });

  it('needs both classes, equal lengths and finite scores', () => {
    expect(() => rocAuc([1, 2], [true, true])).toThrow(/needs both classes/);
    expect(() => rocAuc([1, 2], [true])).toThrow(/same length/);
    expect(() => rocAuc([], [])).toThrow(/empty/);
    expect(() => rocAuc([Number.NaN, 1], [true, false])).toThrow(/finite/);
  });

  it('per label, skipping labels with one class, and the macro mean', () => {
    const scores: Record<string, number>[] = [
      { p: 0.9, q: 0.1, r: 0.2 },
      { p: 0.2, q: 0.8, r: 0.3 },
      { p: 0.1, q: 0.7 },
      { p: 0.6, q: 0.2, r: 0.9 },
    ];
    const relevant = [['p'], ['q'], [], ['p', 'q']];
    const aucs = perLabelAuc(['p', 'q', 'r'], scores, relevant);
    expect(aucs.perLabel.p).toBe(1);
    // q: positives 0.8, 0.2; negatives 0.1, 0.7 → (1 + 1 + 1 + 0) / 4
    expect(aucs.perLabel.q).toBeCloseTo(0.75, 12);
    expect(aucs.perLabel.r).toBeNull();
    expect(aucs.skippedLabels).toEqual(['r']);
    expect(aucs.macro).toBeCloseTo(0.875, 12);
    expect(() => perLabelAuc(['r'], scores, relevant)).toThrow(/no label has both/);
    expect(() => perLabelAuc(['p'], scores, relevant.slice(1))).toThrow(/same length/);
  });
});

describe('classification metrics', () => {
  const actual = ['P', 'P', 'P', 'N', 'N', 'N', 'N'];
  const predicted = ['P', 'N', 'P', 'P', 'N', 'N', 'N'];

  it('accuracy, precision, recall and F1 of the named class, with the confusion matrix', () => {
    const report = classificationReport(actual, predicted, 'P', ['N', 'P']);
    expect(report.accuracy).toBeCloseTo(5 / 7, 12);
    expect(report.precision).toBeCloseTo(2 / 3, 12);
    expect(report.recall).toBeCloseTo(2 / 3, 12);
    expect(report.f1).toBeCloseTo(2 / 3, 12);
    expect([report.truePositives, report.falsePositives, report.falseNegatives, report.trueNegatives]).toEqual([2, 1, 1, 3]);
    expect(report.confusion).toEqual({
      classes: ['N', 'P'],
      matrix: [
        [3, 1],
        [1, 2],
      ],
    });
    expect(accuracy(actual, predicted)).toBeCloseTo(5 / 7, 12);
  });

  it('defines precision and F1 as 0 when nothing is predicted positive', () => {
    const report = classificationReport(['P', 'N'], ['N', 'N'], 'P');
    expect(report).toMatchObject({ precision: 0, recall: 0, f1: 0, accuracy: 0.5 });
  });

  it('orders classes by name by default and rejects unknown labels and mismatched input', () => {
    expect(confusionMatrix(['b', 'a'], ['a', 'a']).classes).toEqual(['a', 'b']);
    expect(() => confusionMatrix(['a', 'c'], ['a', 'a'], ['a', 'b'])).toThrow(/actual label "c"/);
    expect(() => confusionMatrix(['a'], ['a', 'b'])).toThrow(/same length/);
    expect(() => accuracy([], [])).toThrow(/empty/);
  });
});

describe('regression metrics', () => {
  const actual = [1, 2, 3, 4];
  const predicted = [1.5, 2, 2, 5];

  it('MAE, R² and MAPE', () => {
    expect(meanAbsoluteError(actual, predicted)).toBeCloseTo(0.625, 12);
    expect(rSquared(actual, predicted)).toBeCloseTo(1 - 2.25 / 5, 12);
    expect(rSquared(actual, actual)).toBe(1);
    expect(meanAbsolutePercentageError(actual, predicted).value).toBeCloseTo((0.5 + 0 + 1 / 3 + 0.25) / 4, 12);
  });

  it('MAPE skips zero targets and says how many', () => {
    expect(meanAbsolutePercentageError([0, 2], [1, 1])).toEqual({ value: 0.5, evaluated: 1, skippedZeroTargets: 1 });
    expect(() => meanAbsolutePercentageError([0, 0], [1, 1])).toThrow(/every target is zero/);
  });

  it('R² is undefined for constant targets, and input must match', () => {
    expect(() => rSquared([2, 2], [1, 3])).toThrow(/every target is equal/);
    expect(() => meanAbsoluteError([1], [1, 2])).toThrow(/same length/);
    expect(() => meanAbsoluteError([], [])).toThrow(/empty/);
    expect(() => meanAbsoluteError([Number.POSITIVE_INFINITY], [1])).toThrow(/finite/);
  });

  it('percentile interpolates linearly between closest ranks', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
    expect(percentile([1, 2, 3, 4], 100)).toBe(4);
    expect(percentile([1, 2, 3, 4], 99)).toBeCloseTo(3.97, 12);
    expect(percentile([7], 99)).toBe(7);
    expect(() => percentile([], 50)).toThrow(/empty/);
    expect(() => percentile([1], 101)).toThrow(/within 0..100/);
  });
});
