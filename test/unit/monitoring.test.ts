import { describe, expect, it } from 'vitest';
import {
  buildReference,
  chiSquareHomogeneity,
  chiSquareSurvival,
  compareToReference,
  type DataRow,
  type DriftReportMetaInput,
  driftReportJson,
  driftReportSchema,
  driftResultSchema,
  type FeatureSpec,
  jensenShannonDistance,
  kolmogorovSurvival,
  ksAsymptoticPValue,
  ksExactPValue,
  ksTwoSample,
  logGamma,
  parseDriftReference,
  populationStabilityIndex,
  regularizedGammaP,
  regularizedGammaQ,
  renderDriftReportHtml,
} from '../../activities/monitoring';

// --- a tiny seeded PRNG (mulberry32) and samplers: tests never use Math.random ---

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalSampler(seed: number): (mean?: number, sd?: number) => number {
  const uniform = prng(seed);
  return (mean = 0, sd = 1) => {
    const u = 1 - uniform(); // (0, 1]
    const v = uniform();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

function pick<T>(uniform: () => number, items: readonly T[], weights: readonly number[]): T {
  let r = uniform() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < items.length; i++) {
    r -= weights[i] as number;
    if (r < 0) return items[i] as T;
  }
  return items[items.length - 1] as T;
}

const SPEC: FeatureSpec[] = [
  { name: 'cpu', type: 'numeric' },
  { name: 'replicas', type: 'numeric' },
  { name: 'kind', type: 'categorical' },
];
const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

function makeRows(seed: number, n: number, shape: { cpuMean?: number; kindWeights?: number[] } = {}): DataRow[] {
  const normal = normalSampler(seed);
  const uniform = prng(seed + 1000);
  const rows: DataRow[] = [];
  for (let i = 0; i < n; i++) {
    rows.push({
      cpu: normal(shape.cpuMean ?? 0, 1),
      replicas: Math.floor(uniform() * 5) + 1,
      kind: pick(uniform, KINDS, shape.kindWeights ?? [0.6, 0.3, 0.1]),
    });
  }
  return rows;
}

const META: DriftReportMetaInput = {
  title: 'Drift of the policy ranker',
  model: 'kpc-policy-ranker',
  version: '3',
  createdAt: '2024-05-01T12:00:00.000Z',
  referenceRows: 4000,
  currentRows: 1500,
};

const reference = buildReference(makeRows(1, 4000), SPEC);

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

describe('buildReference', () => {
  it('profiles numeric features into quantile bins, shares and a bounded sorted sample', () => {
    const cpu = reference.features[0];
    if (cpu?.type !== 'numeric') throw new Error('cpu is numeric');
    expect(cpu.cuts).toHaveLength(9);
    expect(cpu.shares).toHaveLength(10);
    for (const share of cpu.shares) expect(share).toBeCloseTo(0.1, 6);
    expect(cpu.sample).toHaveLength(2000);
    expect([...cpu.sample].sort((a, b) => a - b)).toEqual(cpu.sample);
    expect(cpu.count).toBe(4000);
    expect(cpu.summary?.mean).toBeCloseTo(0, 1);
    expect(cpu.summary?.std).toBeCloseTo(1, 1);
  });

  it('deduplicates tied quantiles (discrete values) into fewer bins', () => {
    const replicas = reference.features[1];
    if (replicas?.type !== 'numeric') throw new Error('replicas is numeric');
    expect(replicas.cuts).toEqual([1, 2, 3, 4, 5]);
    expect(replicas.shares).toHaveLength(6);
    expect(replicas.shares[5]).toBe(0);
  });

  it('profiles categorical features as top categories plus other', () => {
    const rows = makeRows(5, 1000).map((row, i) => ({ ...row, image: i % 10 === 0 ? `rare-${i}` : 'nginx' }));
    const ref = buildReference(rows, [{ name: 'image', type: 'categorical' }], { topCategories: 1 });
    const image = ref.features[0];
    if (image?.type !== 'categorical') throw new Error('image is categorical');
    expect(image.categories).toEqual([{ value: 'nginx', count: 900, share: 0.9 }]);
    expect(image.other).toEqual({ count: 100, share: 0.1 });
    expect(image.otherValues).toHaveLength(100);
    expect(image.distinct).toBe(101);
  });

  it('round-trips through JSON and is deterministic', () => {
    const again = buildReference(makeRows(1, 4000), SPEC);
    expect(JSON.stringify(again)).toBe(JSON.stringify(reference));
    const restored = parseDriftReference(JSON.parse(JSON.stringify(reference)));
    expect(restored).toEqual(reference);
    const current = makeRows(2, 500, { cpuMean: 1 });
    expect(compareToReference(restored, current)).toEqual(compareToReference(reference, current));
    const signed = buildReference([{ x: -0 }, { x: '-0' }, { x: 1 }], [{ name: 'x', type: 'numeric' }]);
    expect(JSON.parse(JSON.stringify(signed))).toEqual(signed);
  });

  it('rejects truly invalid input with a clear error', () => {
    expect(() => buildReference([], SPEC)).toThrow(/no rows/);
    expect(() => buildReference(makeRows(1, 10), [])).toThrow(/feature spec/);
    expect(() =>
      buildReference(makeRows(1, 10), [
        { name: 'cpu', type: 'numeric' },
        { name: 'cpu', type: 'categorical' },
      ]),
    ).toThrow(/listed twice/);
    expect(() => buildReference([{ cpu: 1 }, null as unknown as DataRow], SPEC)).toThrow(/row 1 is not an object/);
    expect(() => compareToReference({} as never, [])).toThrow(/invalid drift reference/);
    const broken = JSON.parse(JSON.stringify(reference));
    broken.features[0].cuts.reverse();
    expect(() => parseDriftReference(broken)).toThrow(/strictly increasing/);
  });
});

describe('compareToReference', () => {
  it('finds no drift between two samples of the same distribution', () => {
    const result = compareToReference(reference, makeRows(2, 2000));
    expect(result.drifted).toBe(false);
    expect(result.driftedFeatures).toBe(0);
    for (const f of result.features) {
      expect(f.drifted).toBe(false);
      expect(f.psi).toBeLessThan(0.02);
    }
    expect(result.reasons[0]).toMatch(/^no drift: 0 of 3 features drifted/);
    // the training rows themselves: PSI exactly 0
    const self = compareToReference(reference, makeRows(1, 4000));
    for (const f of self.features) expect(f.psi).toBeCloseTo(0, 12);
  });

  it('detects a mean shift of one standard deviation', () => {
    const result = compareToReference(reference, makeRows(3, 1500, { cpuMean: 1 }));
    const cpu = result.features.find((f) => f.name === 'cpu');
    if (cpu?.type !== 'numeric' || cpu.ks === null) throw new Error('cpu is numeric and assessed');
    expect(cpu.psi).toBeGreaterThan(0.2);
    expect(cpu.ks.statistic).toBeGreaterThan(0.3);
    expect(cpu.ks.pValue).toBeLessThan(0.01);
    expect(cpu.drifted).toBe(true);
    expect(cpu.reason).toMatch(/^PSI \d\.\d{3} ≥ 0\.2 and KS p = .* < 0\.01$/);
    expect(result.driftShare).toBeCloseTo(1 / 3, 12);
    expect(result.drifted).toBe(true); // 1/3 ≥ 0.3
    expect(result.reasons[0]).toMatch(/^drift detected: 1 of 3 features drifted/);
    expect(result.reasons[1]).toMatch(/^feature "cpu" drifted: PSI/);
    expect(compareToReference(reference, makeRows(3, 1500, { cpuMean: 1 }), { driftShareThreshold: 0.5 }).drifted).toBe(false);
  });

  it('detects a categorical shift with chi-square and Jensen–Shannon', () => {
    const result = compareToReference(reference, makeRows(4, 1000, { kindWeights: [0.2, 0.3, 0.5] }));
    const kind = result.features.find((f) => f.name === 'kind');
    if (kind?.type !== 'categorical' || kind.chiSquare === null || kind.jensenShannon === null) throw new Error('kind is assessed');
    expect(kind.jensenShannon).toBeGreaterThan(0.1);
    expect(kind.chiSquare.dof).toBe(2);
    expect(kind.chiSquare.pValue).toBeLessThan(1e-10);
    expect(kind.drifted).toBe(true);
    expect(kind.bins.map((b) => b.label)).toEqual(KINDS);
  });

  it('puts unseen categories into "other" and names them', () => {
    const current = makeRows(6, 300).map((row, i) => (i % 5 === 0 ? { ...row, kind: i % 10 === 0 ? 'CronJob' : '<Job>' } : row));
    const result = compareToReference(reference, current);
    const kind = result.features.find((f) => f.name === 'kind');
    if (kind?.type !== 'categorical') throw new Error('kind is categorical');
    expect(kind.unseen.count).toBe(60);
    expect(kind.unseen.share).toBeCloseTo(0.2, 12);
    expect(kind.unseen.values.sort()).toEqual(['<Job>', 'CronJob']);
    expect(kind.unseen.exact).toBe(true);
    const other = kind.bins.find((b) => b.other);
    expect(other).toMatchObject({ label: 'other', reference: 0, current: 0.2 });
    expect(kind.drifted).toBe(true);
    expect(kind.reason).toContain('unseen categories 20.0%');

    // categories folded into "other" in training are known, not unseen
    const rows = makeRows(5, 200).map((row, i) => ({ ...row, kind: i % 4 === 0 ? 'Job' : 'Deployment' }));
    const ref = buildReference(rows, [{ name: 'kind', type: 'categorical' }], { topCategories: 1 });
    const again = compareToReference(ref, [{ kind: 'Job' }, { kind: 'Pod' }]);
    const k = again.features[0];
    if (k?.type !== 'categorical') throw new Error('kind is categorical');
    expect(k.unseen).toEqual({ count: 1, share: 0.5, values: ['Pod'], exact: true });
  });

  it('handles a constant feature', () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ tier: 5, flag: i % 2 }));
    const spec: FeatureSpec[] = [
      { name: 'tier', type: 'numeric' },
      { name: 'flag', type: 'numeric' },
    ];
    const ref = buildReference(rows, spec);
    const tier = ref.features[0];
    if (tier?.type !== 'numeric') throw new Error('tier is numeric');
    expect(tier.cuts).toEqual([5]);
    expect(tier.shares).toEqual([1, 0]);
    expect(tier.summary).toEqual({ mean: 5, std: 0, min: 5, max: 5 });

    const same = compareToReference(ref, rows.slice(0, 100));
    expect(same.features[0]).toMatchObject({ psi: 0, ks: { statistic: 0, pValue: 1 }, drifted: false });
    const moved = compareToReference(
      ref,
      rows.slice(0, 100).map((r) => ({ ...r, tier: 6 })),
    );
    expect(moved.features[0]).toMatchObject({ ks: { statistic: 1 }, drifted: true });
    expect(moved.features[0]?.psi).toBeGreaterThan(10);
  });

  it('handles empty current data without crashing', () => {
    const result = compareToReference(reference, []);
    expect(result.drifted).toBe(false);
    expect(result.driftShare).toBe(0);
    expect(result.currentRows).toBe(0);
    expect(result.assessedFeatures).toBe(0);
    for (const f of result.features) {
      expect(f.psi).toBeNull();
      expect(f.reason).toBe('not assessed: no current rows');
    }
    expect(result.reasons[0]).toBe('no drift: no current rows: feature drift not assessed');
  });

  it('treats NaN, infinities, null and junk as missing, and flags a rise of the missing share', () => {
    const rows: DataRow[] = [
      ...makeRows(7, 400),
      { cpu: Number.NaN, replicas: Number.POSITIVE_INFINITY, kind: '' },
      { cpu: null, replicas: 'three', kind: null },
    ];
    const ref = buildReference(rows, SPEC);
    expect(ref.features.map((f) => f.missing)).toEqual([2, 2, 2]);
    expect(ref.features.map((f) => f.count)).toEqual([400, 400, 400]);

    const mostlyMissing = makeRows(8, 100).map((row, i) => (i % 2 === 0 ? { ...row, cpu: Number.NaN } : row));
    const result = compareToReference(ref, mostlyMissing);
    const cpu = result.features[0];
    expect(cpu?.missingShare.current).toBeCloseTo(0.5, 12);
    expect(cpu?.drifted).toBe(true);
    expect(cpu?.reason).toMatch(/^missing share rose from 0\.5% to 50\.0%/);

    const allMissing = compareToReference(
      ref,
      makeRows(8, 50).map((row) => ({ ...row, kind: undefined })),
    );
    expect(allMissing.features[2]).toMatchObject({ psi: null, chiSquare: null, jensenShannon: null, currentCount: 0, drifted: true });

    // numeric strings and booleans are read as numbers
    const parsed = compareToReference(ref, [{ cpu: '0.5', replicas: true, kind: 'Deployment' }]);
    expect(parsed.features[0]?.currentCount).toBe(1);
    expect(parsed.features[1]?.currentCount).toBe(1);

    // a feature without any reference values is reported, not assessed
    const empty = buildReference([{ a: 1 }, { a: 2 }], [{ name: 'nothing', type: 'numeric' }]);
    const none = compareToReference(empty, [{ nothing: 3 }]);
    expect(none.features[0]).toMatchObject({ psi: null, drifted: false, reason: 'not assessed: the reference has no values' });
  });

  it('does not alarm on a small batch from the same distribution', () => {
    const result = compareToReference(reference, makeRows(9, 15));
    expect(result.drifted).toBe(false);
    const loose = compareToReference(reference, makeRows(9, 15), { requireSignificance: false, psiThreshold: 0.05 });
    expect(loose.features.filter((f) => f.drifted).length).toBeGreaterThan(0);
  });

  it('measures prediction drift, which alone makes the data drifted', () => {
    const scores = (seed: number, n: number, shift: number) => {
      const uniform = prng(seed);
      return Array.from({ length: n }, () => Math.min(1, uniform() ** 2 + shift));
    };
    const ref = buildReference(makeRows(1, 2000), SPEC, { predictions: scores(11, 2000, 0) });
    expect(ref.prediction?.count).toBe(2000);

    const stable = compareToReference(ref, makeRows(2, 800), { predictions: scores(12, 800, 0) });
    expect(stable.prediction?.drifted).toBe(false);
    expect(stable.drifted).toBe(false);
    expect(stable.reasons.at(-1)).toMatch(/^predictions: PSI/);

    const shifted = compareToReference(ref, makeRows(2, 800), { predictions: [...scores(13, 800, 0.25), Number.NaN] });
    expect(shifted.prediction?.drifted).toBe(true);
    expect(shifted.prediction?.ks?.pValue).toBeLessThan(0.01);
    expect(shifted.driftedFeatures).toBe(0);
    expect(shifted.drifted).toBe(true);
    expect(shifted.reasons[0]).toBe('drift detected: prediction scores drifted');

    expect(compareToReference(ref, makeRows(2, 10)).reasons.at(-1)).toBe('predictions: not assessed: no current predictions were given');
  });

  it('returns a JSON-serialisable result that validates against its schema, deterministically', () => {
    const current = makeRows(3, 700, { cpuMean: 1, kindWeights: [0.3, 0.3, 0.4] });
    const result = compareToReference(reference, current);
    expect(driftResultSchema.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
    expect(JSON.stringify(compareToReference(reference, current))).toBe(JSON.stringify(result));
  });
});

describe('drift report', () => {
  const nastySpec: FeatureSpec[] = [
    { name: 'cpu <limit> & "req"', type: 'numeric' },
    { name: 'image', type: 'categorical' },
    { name: 'steady', type: 'numeric' },
  ];
  const nastyRows = (seed: number, n: number, shifted = false): DataRow[] => {
    const normal = normalSampler(seed);
    const uniform = prng(seed + 7);
    return Array.from({ length: n }, () => ({
      'cpu <limit> & "req"': normal(shifted ? 1.5 : 0, 1),
      image: pick(uniform, ['nginx', '<script>alert(1)</script>', "o'brien"], shifted ? [0.2, 0.6, 0.2] : [0.7, 0.2, 0.1]),
      steady: normal(10, 2),
    }));
  };
  const ref = buildReference(nastyRows(21, 1500), nastySpec, { predictions: Array.from({ length: 1500 }, (_, i) => (i % 100) / 100) });
  const result = compareToReference(ref, nastyRows(22, 600, true), {
    predictions: Array.from({ length: 600 }, (_, i) => 0.5 + (i % 50) / 100),
  });
  const html = renderDriftReportHtml(result, META);

  it('escapes feature names and categories', () => {
    expect(html).toContain('cpu &lt;limit&gt; &amp; &quot;req&quot;');
    expect(html).not.toContain('cpu <limit>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('o&#39;brien');
  });

  it('is self-contained: no scripts, no external resources', () => {
    expect(html.toLowerCase()).not.toContain('<script');
    expect(html).not.toContain('http');
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/<link|@import|url\(/i);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('shows the verdict, the features by severity and the charts', () => {
    expect(result.drifted).toBe(true);
    expect(html).toContain('Drift detected');
    expect(html).toContain('2 of 3 features drifted');
    const order = ['cpu &lt;limit&gt;', '<td class="name">image</td>', '<td class="name">steady</td>'].map((s) => html.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    const table = html.slice(html.indexOf('<table>'));
    expect(table.indexOf('<td class="name">steady</td>')).toBeGreaterThan(table.indexOf('<td class="name">image</td>'));
    expect(html.match(/<svg /g)).toHaveLength(3); // two drifted features + predictions
    expect(html).toContain('Prediction drift');
  });

  it('is deterministic', () => {
    const again = compareToReference(ref, nastyRows(22, 600, true), {
      predictions: Array.from({ length: 600 }, (_, i) => 0.5 + (i % 50) / 100),
    });
    expect(renderDriftReportHtml(again, META)).toBe(html);
  });

  it('renders the JSON report with features most severe first', () => {
    const report = driftReportJson(result, { ...META, version: 3, createdAt: new Date('2024-05-01T12:00:00Z') });
    expect(driftReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.meta).toMatchObject({ version: '3', createdAt: '2024-05-01T12:00:00.000Z' });
    expect(report.summary).toMatchObject({ drifted: true, driftedFeatures: 2, totalFeatures: 3, predictionDrifted: true });
    expect(report.features.map((f) => f.drifted)).toEqual([true, true, false]);
    expect(report.features[2]?.name).toBe('steady');
  });

  it('renders empty current data', () => {
    const empty = renderDriftReportHtml(compareToReference(ref, []), { ...META, currentRows: 0 });
    expect(empty).toContain('No drift');
    expect(empty).toContain('not assessed');
  });
});
