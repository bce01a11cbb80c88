import { describe, expect, it } from 'vitest';
import type { FeatureSpec } from '../../activities/features/spec';
import { EncoderError, encoderFromJSON, encoderStateSchema, fitEncoder, OTHER } from '../../activities/training/encoder';

const spec: FeatureSpec[] = [
  { name: 'replicas', type: 'numeric' },
  { name: 'constant', type: 'numeric' },
  { name: 'kind', type: 'categorical' },
];

const rows = [
  { replicas: 1, constant: 5, kind: 'Deployment' },
  { replicas: 2, constant: 5, kind: 'Service' },
  { replicas: 3, constant: 5, kind: 'Deployment' },
  { replicas: 2, constant: 5, kind: 'Role' },
];

describe('feature encoder', () => {
  it('standardises numeric features with training statistics (std 0 → 1)', () => {
    const encoder = fitEncoder(rows, spec);
    const [replicas, constant] = encoder.state.features;
    expect(replicas).toEqual({ name: 'replicas', type: 'numeric', mean: 2, std: Math.sqrt(0.5) });
    expect(constant).toEqual({ name: 'constant', type: 'numeric', mean: 5, std: 1 });
    const x = encoder.transform({ replicas: 3, constant: 7, kind: 'Deployment' });
    expect(x[0]).toBeCloseTo(1 / Math.sqrt(0.5), 12);
    expect(x[1]).toBe(2);
  });

  it('one-hots the most frequent categories (ties by name), with "other" for the rest', () => {
    const encoder = fitEncoder(rows, spec, { maxCategories: 2 });
    expect(encoder.columns).toEqual(['replicas', 'constant', 'kind=Deployment', 'kind=Role', `kind=${OTHER}`]);
    expect(encoder.transform({ replicas: 2, constant: 5, kind: 'Role' }).slice(2)).toEqual([0, 1, 0]);
    expect(encoder.transform({ replicas: 2, constant: 5, kind: 'Service' }).slice(2)).toEqual([0, 0, 1]);
    expect(encoder.transform({ replicas: 2, constant: 5, kind: 'CronJob' }).slice(2)).toEqual([0, 0, 1]);
  });

  it('imputes a missing numeric value with the training mean and a missing category as other', () => {
    const encoder = fitEncoder(rows, spec);
    expect(encoder.transform({})).toEqual([0, 0, 0, 0, 0, 1]);
    expect(encoder.width).toBe(6);
  });

  it('round-trips through JSON exactly', () => {
    const encoder = fitEncoder(
      rows.map((r, i) => ({ ...r, replicas: r.replicas / 3 + i * 1e-7 })),
      spec,
    );
    const loaded = encoderFromJSON(JSON.parse(JSON.stringify(encoder.toJSON())));
    expect(loaded.toJSON()).toEqual(encoder.toJSON());
    for (const row of [...rows, { replicas: 0.123456789, constant: -1, kind: 'x' }]) {
      expect(loaded.transform(row)).toEqual(encoder.transform(row));
    }
  });

  it('rejects a string for a numeric feature, non-finite numbers and bad states', () => {
    expect(() => fitEncoder([{ replicas: 'two' }], [{ name: 'replicas', type: 'numeric' }])).toThrow(EncoderError);
    expect(() => fitEncoder([{ replicas: Number.NaN }], [{ name: 'replicas', type: 'numeric' }])).toThrow(/finite/);
    expect(() => fitEncoder([], spec)).toThrow(/no rows/);
    expect(() => fitEncoder(rows, [])).toThrow(/spec is empty/);
    expect(() => fitEncoder(rows, [spec[0] as FeatureSpec, spec[0] as FeatureSpec])).toThrow(/appears twice/);
    expect(encoderStateSchema.safeParse({ version: 1, features: [{ name: 'a', type: 'numeric', mean: 0, std: 0 }] }).success).toBe(false);
    expect(encoderStateSchema.safeParse({ version: 2, features: [{ name: 'a', type: 'categorical', categories: [] }] }).success).toBe(
      false,
    );
  });
});
