/** Drift statistics against hand values, tables and enumeration: PSI, KS, gamma, chi-square, Jensen–Shannon. */
import { describe, expect, it } from 'vitest';
import {
  chiSquareHomogeneity,
  chiSquareSurvival,
  jensenShannonDistance,
  kolmogorovSurvival,
  ksAsymptoticPValue,
  ksExactPValue,
  ksTwoSample,
  logGamma,
  populationStabilityIndex,
  regularizedGammaP,
  regularizedGammaQ,
} from '../../activities/monitoring';

describe('statistics', () => {
  it('PSI: 0 for identical shares, the hand value for a known pair, finite for empty bins', () => {
    expect(populationStabilityIndex([0.2, 0.3, 0.5], [0.2, 0.3, 0.5])).toBe(0);
    // (0.25 − 0.5)·ln(0.5) + (0.75 − 0.5)·ln(1.5)
    expect(populationStabilityIndex([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.25 * Math.log(2) + 0.25 * Math.log(1.5), 12);
    const withEmpty = populationStabilityIndex([1, 0], [0, 1], 1e-4);
    expect(withEmpty).toBeCloseTo(2 * (1 - 1e-4) * Math.log(1e4), 9);
    expect(() => populationStabilityIndex([1], [0.5, 0.5])).toThrow(RangeError);
  });

  it('KS statistic by hand, with ties', () => {
    // a = {1,2,3}, b = {2.5,4,5,6}: at x = 3, F_a = 1 and F_b = 1/4
    expect(ksTwoSample([3, 1, 2], [6, 2.5, 5, 4]).statistic).toBeCloseTo(0.75, 12);
    // ties: at x = 1, F_a = 2/3 and F_b = 1/3; at x = 2 both are 1
    expect(ksTwoSample([1, 1, 2], [1, 2, 2]).statistic).toBeCloseTo(1 / 3, 12);
    expect(ksTwoSample([1, 2, 3], [1, 2, 3])).toEqual({ statistic: 0, pValue: 1 });
    expect(ksTwoSample([1, Number.NaN, 2], [1, Number.POSITIVE_INFINITY, 2]).statistic).toBe(0);
    expect(() => ksTwoSample([], [1])).toThrow(RangeError);
  });

  it('KS asymptotic p-value: hand computation for the tiny example', () => {
    // n = 3, m = 4: nₑ = 12/7, λ = (√nₑ + 0.12 + 0.11/√nₑ)·0.75 = 1.134991; Q(λ) = 0.152026
    const { pValue } = ksTwoSample([1, 2, 3], [2.5, 4, 5, 6]);
    expect(pValue).toBeCloseTo(0.152026, 5);
    // the exact value is 8/35 (8 of the 35 orderings reach D ≥ 3/4)
    expect(ksExactPValue(0.75, 3, 4)).toBeCloseTo(8 / 35, 12);
  });

  it('Kolmogorov distribution: known quantiles and both series agree', () => {
    expect(kolmogorovSurvival(1.2238)).toBeCloseTo(0.1, 4);
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 5);
    expect(kolmogorovSurvival(1.6276)).toBeCloseTo(0.01, 5);
    expect(kolmogorovSurvival(1)).toBeCloseTo(0.2699997, 6);
    expect(kolmogorovSurvival(0.5)).toBeCloseTo(0.9639452, 6);
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(0.05)).toBe(1);
    // the two series meet at λ = 1.18
    expect(kolmogorovSurvival(1.18 - 1e-12)).toBeCloseTo(kolmogorovSurvival(1.18), 10);
  });

  it('KS p-value for D = 0.5, n = m = 10: asymptotic 0.111 (with correction), exact 31006/184756', () => {
    // λ = (√5 + 0.12 + 0.11/√5)·0.5 = 1.202631
    expect(ksAsymptoticPValue(0.5, 10, 10)).toBeCloseTo(0.11084, 4);
    expect(ksExactPValue(0.5, 10, 10)).toBeCloseTo(31006 / 184756, 10); // 0.16782, published tables
    expect(ksExactPValue(0.6, 10, 10)).toBeCloseTo(9690 / 184756, 10); // 0.05245, the 5 % critical value 6/10
  });

  it('exact KS p-values match enumeration of all orderings; asymptotic approaches exact for larger samples', () => {
    // every ordering of 4 a's and 5 b's, as bit masks over 9 positions
    const n = 4;
    const m = 5;
    const statistics: number[] = [];
    for (let mask = 0; mask < 1 << (n + m); mask++) {
      let ones = 0;
      for (let k = 0; k < n + m; k++) ones += (mask >> k) & 1;
      if (ones !== n) continue;
      let i = 0;
      let j = 0;
      let d = 0;
      for (let k = 0; k < n + m; k++) {
        if ((mask >> k) & 1) i++;
        else j++;
        d = Math.max(d, Math.abs(i * m - j * n));
      }
      statistics.push(d);
    }
    expect(statistics).toHaveLength(126);
    for (const dInt of new Set(statistics)) {
      const share = statistics.filter((s) => s >= dInt).length / statistics.length;
      expect(ksExactPValue(dInt / (n * m), n, m)).toBeCloseTo(share, 12);
    }
    for (const d of [0.15, 0.2, 0.25]) {
      expect(Math.abs(ksAsymptoticPValue(d, 200, 200) - ksExactPValue(d, 200, 200))).toBeLessThan(0.02);
    }
  });

  it('gamma functions: ln Γ and the regularised incomplete gamma', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 10);
    expect(regularizedGammaQ(1, 2.5)).toBeCloseTo(Math.exp(-2.5), 12);
    for (const [a, x] of [
      [0.5, 0.3],
      [3, 1],
      [3, 10],
      [20, 18],
    ] as const) {
      expect(regularizedGammaP(a, x) + regularizedGammaQ(a, x)).toBeCloseTo(1, 12);
    }
  });

  it('chi-square survival for known statistic/dof pairs (table values)', () => {
    expect(chiSquareSurvival(3.841, 1)).toBeCloseTo(0.05, 4); // 0.050014
    expect(chiSquareSurvival(5.991, 2)).toBeCloseTo(0.05, 4); // e^{−2.9955}
    expect(chiSquareSurvival(7.815, 3)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(18.307, 10)).toBeCloseTo(0.05, 5);
    expect(chiSquareSurvival(6.635, 1)).toBeCloseTo(0.01, 4);
    expect(chiSquareSurvival(0, 4)).toBe(1);
    expect(chiSquareSurvival(200, 3)).toBeLessThan(1e-40);
  });

  it('chi-square test of homogeneity on counts', () => {
    // expected 15 in every cell: 4 · 5²/15 = 6.667 with 1 dof, p = erfc(√(10/3))
    const result = chiSquareHomogeneity([10, 20], [20, 10]);
    expect(result.statistic).toBeCloseTo(20 / 3, 12);
    expect(result.dof).toBe(1);
    expect(result.pValue).toBeCloseTo(0.009823274507519245, 8);
    // a category empty on both sides does not count; nothing to test with one category or an empty side
    expect(chiSquareHomogeneity([10, 0, 20], [20, 0, 10]).dof).toBe(1);
    expect(chiSquareHomogeneity([5, 0], [7, 0])).toEqual({ statistic: 0, dof: 0, pValue: 1 });
    expect(chiSquareHomogeneity([5, 3], [0, 0])).toEqual({ statistic: 0, dof: 0, pValue: 1 });
  });

  it('Jensen–Shannon distance: 0 identical, 1 disjoint, known value, symmetric', () => {
    expect(jensenShannonDistance([0.2, 0.8], [0.2, 0.8])).toBe(0);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(1, 12);
    expect(jensenShannonDistance([1, 0, 0], [0, 3, 1])).toBeCloseTo(1, 12); // counts are normalised
    // p = (1, 0), q = (½, ½): JSD = ½·log₂(4/3) + ½·(½·log₂(2/3) + ½·log₂ 2) = 0.311278
    expect(jensenShannonDistance([1, 0], [0.5, 0.5])).toBeCloseTo(Math.sqrt(0.3112781244591328), 10);
    expect(jensenShannonDistance([0.1, 0.9], [0.6, 0.4])).toBe(jensenShannonDistance([0.6, 0.4], [0.1, 0.9]));
    expect(() => jensenShannonDistance([0, 0], [1, 0])).toThrow(RangeError);
  });
});
