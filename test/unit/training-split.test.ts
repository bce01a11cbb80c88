import { describe, expect, it } from 'vitest';
import { fnv1a32, groupedKFold, groupedSplit, kFold, SplitError, stableUnit, trainTestSplit } from '../../activities/training/split';

const ids = Array.from({ length: 200 }, (_, i) => `gen-42-${i}`);

describe('stable hash', () => {
  it('is FNV-1a (published test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('gives a seeded unit value, different per seed', () => {
    const u = stableUnit('gen-42-1', 1);
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThan(1);
    expect(stableUnit('gen-42-1', 1)).toBe(u);
    expect(stableUnit('gen-42-1', 2)).not.toBe(u);
  });
});

describe('trainTestSplit', () => {
  it('is deterministic, exact in size, disjoint and complete', () => {
    const a = trainTestSplit(ids, 0.2, 7);
    expect(trainTestSplit(ids, 0.2, 7)).toEqual(a);
    expect(a.test).toHaveLength(40);
    expect(a.train).toHaveLength(160);
    expect(new Set([...a.train, ...a.test]).size).toBe(200);
  });

  it('depends on the ids, not their order', () => {
    const a = trainTestSplit(ids, 0.25, 3);
    const reversed = [...ids].reverse();
    const b = trainTestSplit(reversed, 0.25, 3);
    expect(new Set(b.test.map((i) => reversed[i]))).toEqual(new Set(a.test.map((i) => ids[i])));
  });

  it('changes with the seed', () => {
    expect(trainTestSplit(ids, 0.2, 1).test).not.toEqual(trainTestSplit(ids, 0.2, 2).test);
  });

  it('keeps one row on each side and rejects bad input', () => {
    expect(trainTestSplit(['a', 'b'], 0.01, 1).test).toHaveLength(1);
    expect(trainTestSplit(['a', 'b'], 0.99, 1).train).toHaveLength(1);
    expect(() => trainTestSplit(['a', 'a'], 0.5, 1)).toThrow(/appears more than once/);
    expect(() => trainTestSplit(['a'], 0.5, 1)).toThrow(SplitError);
    expect(() => trainTestSplit(ids, 1, 1)).toThrow(/strictly between 0 and 1/);
    expect(() => trainTestSplit(ids, 0.2, 1.5)).toThrow(/seed/);
  });
});

describe('groupedSplit', () => {
  const groups = ids.map((_, i) => `policy-${i % 13}`);

  it('never puts a group on both sides, and is deterministic', () => {
    const split = groupedSplit(groups, 0.3, 5);
    expect(groupedSplit(groups, 0.3, 5)).toEqual(split);
    const trainGroups = new Set(split.train.map((i) => groups[i]));
    const testGroups = new Set(split.test.map((i) => groups[i]));
    expect([...testGroups].filter((g) => trainGroups.has(g))).toEqual([]);
    expect(testGroups.size).toBe(Math.round(13 * 0.3));
    expect(split.train.length + split.test.length).toBe(groups.length);
  });

  it('needs two groups', () => {
    expect(() => groupedSplit(['a', 'a'], 0.5, 1)).toThrow(/at least 2 distinct groups/);
  });
});

describe('k-fold', () => {
  it('puts every id in exactly one test fold, with balanced sizes', () => {
    const folds = kFold(ids.slice(0, 23), 5, 1);
    expect(folds).toHaveLength(5);
    const tested = folds.flatMap((f) => f.test).sort((a, b) => a - b);
    expect(tested).toEqual(Array.from({ length: 23 }, (_, i) => i));
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const fold of folds) {
      expect(fold.train.length + fold.test.length).toBe(23);
      expect(fold.train.filter((i) => fold.test.includes(i))).toEqual([]);
    }
    expect(kFold(ids.slice(0, 23), 5, 1)).toEqual(folds);
  });

  it('grouped: a group is tested in one fold only and never trained on there', () => {
    const groups = ids.map((_, i) => `p${i % 11}`);
    const folds = groupedKFold(groups, 4, 2);
    const foldOfGroup = new Map<string, number>();
    folds.forEach((fold, f) => {
      expect(fold.test.length).toBeGreaterThan(0);
      const testGroups = new Set(fold.test.map((i) => groups[i] as string));
      for (const g of testGroups) {
        expect(foldOfGroup.has(g)).toBe(false);
        foldOfGroup.set(g, f);
      }
      expect(fold.train.some((i) => testGroups.has(groups[i] as string))).toBe(false);
    });
    expect(foldOfGroup.size).toBe(11);
    expect(groupedKFold(groups, 4, 2)).toEqual(folds);
  });

  it('rejects too few rows or groups and a bad k', () => {
    expect(() => kFold(['a', 'b'], 3, 1)).toThrow(/at least k = 3 rows/);
    expect(() => kFold(['a', 'b'], 1, 1)).toThrow(/k must be a whole number ≥ 2/);
    expect(() => kFold(['a', 'a', 'b'], 2, 1)).toThrow(/unique/);
    expect(() => groupedKFold(['a', 'a', 'b'], 3, 1)).toThrow(/at least k = 3 groups/);
  });
});
