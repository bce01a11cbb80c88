/** The drift reference (buildReference) and the comparison against it (compareToReference). */
import { describe, expect, it } from 'vitest';
import type { FeatureSpec } from '../../activities/features/spec';
import { buildReference, compareToReference, type DataRow, driftResultSchema, parseDriftReference } from '../../activities/monitoring';
import { KINDS, makeRows, prng, SPEC } from './helpers/drift-data';

const reference = buildReference(makeRows(1, 4000), SPEC);

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
