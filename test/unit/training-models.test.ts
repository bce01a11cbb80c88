import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../activities/training/metrics';
import { DecisionTreeClassifier } from '../../activities/training/ml-libs';
import {
  compactFromCart,
  fitCartClassifier,
  fitCartRegressor,
  fitForestClassifier,
  fitForestRegressor,
  fitLogisticRegression,
  fitRidge,
  ModelError,
  predictModel,
  scoringModelSchema,
  seededRandom,
} from '../../activities/training/models';

/** n rows of d uniform columns; y = 1 when column 0 > 0.5 (column 1 adds a little noise-free signal for nothing) */
function thresholdProblem(n: number, d: number, seed: number) {
  const random = seededRandom(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: d }, () => random()));
  const y = x.map((row) => ((row[0] as number) > 0.5 ? 1 : 0));
  return { x, y };
}

describe('logistic regression (ours)', () => {
  it('learns a linearly separable problem and is deterministic', () => {
    const { x, y } = thresholdProblem(400, 4, 1);
    const model = fitLogisticRegression(x, y, { epochs: 40 });
    const test = thresholdProblem(200, 4, 2);
    const scores = test.x.map((row) => predictModel(model, row));
    expect(rocAuc(scores, test.y.map(Boolean))).toBeGreaterThan(0.99);
    const acc = scores.filter((p, i) => (p >= 0.5 ? 1 : 0) === test.y[i]).length / scores.length;
    expect(acc).toBeGreaterThan(0.9);
    expect(fitLogisticRegression(x, y, { epochs: 40 })).toEqual(model);
  });

  it('is constant for one class and rejects bad input', () => {
    const model = fitLogisticRegression([[1], [2]], [0, 0]);
    expect(predictModel(model, [5])).toBeLessThan(1e-12);
    expect(() => fitLogisticRegression([[1], [2]], [0, 2])).toThrow(/0 or 1/);
    expect(() => fitLogisticRegression([[1], [2, 3]], [0, 1])).toThrow(/row 1 has 2 columns/);
    expect(() => fitLogisticRegression([], [])).toThrow(ModelError);
  });
});

describe('trees', () => {
  it('a compact CART tree gives the class ml-cart predicts', () => {
    const { x, y } = thresholdProblem(150, 3, 3);
    const tree = new DecisionTreeClassifier({ maxDepth: 4, minNumSamples: 3 });
    tree.train(x, y);
    const compact = compactFromCart(tree.root, 'classifier');
    const predicted = tree.predict(x);
    const ours = x.map((row) => predictModel({ type: 'trees', trees: [compact] }, row));
    ours.forEach((p, i) => {
      if (p !== 0.5) expect(p > 0.5 ? 1 : 0).toBe(predicted[i]);
    });
  });

  it('CART and forest learn a threshold problem', () => {
    const { x, y } = thresholdProblem(300, 3, 4);
    const test = thresholdProblem(200, 3, 5);
    for (const model of [fitCartClassifier(x, y), fitForestClassifier(x, y, { trees: 4, maxFeatures: 1 })]) {
      const scores = test.x.map((row) => predictModel(model, row));
      expect(rocAuc(scores, test.y.map(Boolean))).toBeGreaterThan(0.97);
      expect(scoringModelSchema.parse(JSON.parse(JSON.stringify(model)))).toEqual(model);
    }
    // seeded: the same data gives the same trees
    expect(fitForestClassifier(x, y, { trees: 3, seed: 5 })).toEqual(fitForestClassifier(x, y, { trees: 3, seed: 5 }));
    expect(fitCartClassifier(x, y, { maxRows: 100 })).toEqual(fitCartClassifier(x, y, { maxRows: 100 }));
  });

  it('undoes the majority subsample in the leaves (probabilities stay calibrated)', () => {
    // 1 in 10 rows positive where column 0 > 0.9; 3,000 rows subsampled to 600
    const random = seededRandom(6);
    const x = Array.from({ length: 3000 }, () => [random(), random()]);
    const y = x.map((row) => ((row[0] as number) > 0.9 ? 1 : 0));
    const full = fitCartClassifier(x, y, { maxRows: 10_000, maxDepth: 1 });
    const sampled = fitCartClassifier(x, y, { maxRows: 600, maxDepth: 1 });
    // a pure leaf stays pure; the overall mean of the predictions stays near the base rate
    const mean = (m: typeof full) => x.reduce((sum, row) => sum + predictModel(m, row), 0) / x.length;
    const base = y.reduce((a: number, b) => a + b, 0) / y.length;
    expect(mean(full)).toBeCloseTo(base, 3);
    expect(Math.abs(mean(sampled) - base)).toBeLessThan(0.01);
    expect(predictModel(sampled, [0.95, 0.5])).toBe(1);
    expect(predictModel(sampled, [0.1, 0.5])).toBe(0);
  });

  it('maps a leaf share on the subsample back to the full data exactly', () => {
    const random = seededRandom(8);
    const x = Array.from({ length: 2000 }, () => [random()]);
    const y = x.map(() => (random() < 0.1 ? 1 : 0));
    const base = y.reduce((a: number, b) => a + b, 0) / y.length;
    // one leaf (depth 0): its corrected share is the full data's positive rate
    expect(predictModel(fitCartClassifier(x, y, { maxRows: 400, maxDepth: 0 }), [0.5])).toBeCloseTo(base, 12);
    // the mirror image: positives are the majority
    const flipped = y.map((v) => 1 - v);
    expect(predictModel(fitCartClassifier(x, flipped, { maxRows: 400, maxDepth: 0 }), [0.5])).toBeCloseTo(1 - base, 12);
  });

  it('regression trees and forests fit a step function', () => {
    // a little noise: ml-cart's regression tree stops at a split that leaves no error at all
    const random = seededRandom(10);
    const x = Array.from({ length: 60 }, (_, i) => [i / 60]);
    const y = x.map((row) => ((row[0] as number) < 0.5 ? 1 : 3) + (random() - 0.5) * 0.1);
    expect(predictModel(fitCartRegressor(x, y), [0.2])).toBeCloseTo(1, 0);
    expect(predictModel(fitCartRegressor(x, y), [0.8])).toBeCloseTo(3, 0);
    const forest = fitForestRegressor(x, y, { trees: 5, maxFeatures: 1 });
    expect(predictModel(forest, [0.1])).toBeLessThan(1.5);
    expect(predictModel(forest, [0.9])).toBeGreaterThan(2.5);
  });

  it('rejects a tree whose children do not follow their parent', () => {
    const bad = {
      type: 'trees',
      trees: [{ feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [0, -1, -1], right: [2, -1, -1], value: [0, 0, 1] }],
    };
    expect(scoringModelSchema.safeParse(bad).success).toBe(false);
  });
});

describe('ridge regression', () => {
  it('recovers the coefficients of noiseless linear data', () => {
    const random = seededRandom(7);
    const x = Array.from({ length: 100 }, () => [random(), random() * 10, random() - 0.5]);
    const y = x.map(([a, b, c]) => 3 + 2 * (a as number) - 0.5 * (b as number) + 4 * (c as number));
    const model = fitRidge(x, y, 1e-8);
    expect(model.bias).toBeCloseTo(3, 5);
    expect(model.weights[0]).toBeCloseTo(2, 5);
    expect(model.weights[1]).toBeCloseTo(-0.5, 5);
    expect(model.weights[2]).toBeCloseTo(4, 5);
    expect(predictModel(model, [0.5, 2, 0])).toBeCloseTo(3, 5);
  });

  it('shrinks with a large penalty and needs a positive one', () => {
    const x = [[0], [1], [2], [3]];
    const y = [0, 1, 2, 3];
    const shrunk = fitRidge(x, y, 1e6);
    expect(Math.abs(shrunk.weights[0] as number)).toBeLessThan(1e-4);
    expect(shrunk.bias).toBeCloseTo(1.5, 3);
    expect(() => fitRidge(x, y, 0)).toThrow(/lambda must be > 0/);
  });
});
