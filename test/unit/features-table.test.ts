/** Feature rows as polars tables and their plain-JSON summary. */
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { describeFrame, featureFrame, MANIFEST_FEATURE_NAMES, MANIFEST_FEATURES } from '../../activities/features';
import { positives } from './helpers/feature-fixtures';

describe('feature tables', () => {
  const spec = [
    { name: 'count', type: 'numeric', description: 'a count' },
    { name: 'kind', type: 'categorical', description: 'a kind' },
    { name: 'ratio', type: 'numeric', description: 'a ratio' },
  ] as const;

  it('builds Float64 and String columns in spec order', () => {
    const df = featureFrame(
      [
        { kind: 'Pod', count: 1, ratio: 0.5, extra: 9 },
        { count: 3, kind: 'Pod', ratio: 'x' },
        { count: 2, kind: 'Service' },
      ],
      spec,
    );
    expect(df.columns).toEqual(['count', 'kind', 'ratio']);
    expect(df.height).toBe(3);
    expect(pl.Float64.equals(df.getColumn('count').dtype)).toBe(true);
    expect(df.getColumn('kind').dtype.variant).toBe('String');
    expect(df.getColumn('ratio').toArray()).toEqual([0.5, null, null]);
  });

  it('builds an empty frame with the right columns', () => {
    const df = featureFrame([], MANIFEST_FEATURES);
    expect(df.height).toBe(0);
    expect(df.columns).toEqual(MANIFEST_FEATURE_NAMES);
    expect(describeFrame(df).columns.every((c) => c.count === 0)).toBe(true);
  });

  it('describes numeric and categorical columns as plain JSON', () => {
    const df = featureFrame(
      [
        { count: 1, kind: 'Pod', ratio: 2 },
        { count: 2, kind: 'Service', ratio: 2 },
        { count: 3, kind: 'Pod' },
        { count: 6, kind: 'Deployment', ratio: 2 },
      ],
      spec,
    );
    const summary = describeFrame(df, { top: 2 });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(summary.rows).toBe(4);
    const [count, kind, ratio] = summary.columns;
    expect(count).toMatchObject({ name: 'count', type: 'numeric', count: 4, nulls: 0, mean: 3, min: 1, max: 6 });
    expect(count?.type === 'numeric' && count.std).toBeCloseTo(Math.sqrt(14 / 3));
    expect(kind).toEqual({
      name: 'kind',
      type: 'categorical',
      count: 4,
      nulls: 0,
      distinct: 3,
      top: [
        { value: 'Pod', count: 2 },
        { value: 'Deployment', count: 1 },
      ],
    });
    expect(ratio).toMatchObject({ count: 3, nulls: 1, mean: 2, std: 0 });
  });

  it('summarises manifest features of the fixtures', () => {
    const df = featureFrame(
      positives.map((f) => f.x),
      MANIFEST_FEATURES,
    );
    const summary = describeFrame(df);
    const kind = summary.columns.find((c) => c.name === 'kind');
    expect(kind?.type).toBe('categorical');
    expect(kind?.type === 'categorical' && kind.top[0]?.value).toBe('Deployment');
    const privileged = summary.columns.find((c) => c.name === 'privileged_count');
    expect(privileged).toMatchObject({ type: 'numeric', mean: 0, max: 0 });
  });
});
