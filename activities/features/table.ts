/**
 * Feature rows as a polars DataFrame, and a plain-JSON summary of one.
 *
 *   const df = featureFrame(manifests.map(extractManifestFeatures), MANIFEST_FEATURES);
 *   const summary = describeFrame(df); // {rows, columns: [{name, type, mean, std, …} | {name, type, top, …}]}
 *
 * Columns follow the spec's order: numeric features are Float64, categorical ones String (polars
 * names the type String; `pl.Utf8` is its older alias). A value of the wrong type becomes null.
 */
import pl from 'nodejs-polars';
import type { FeatureSpec } from './spec';

export type FeatureRow = Record<string, number | string>;

/** A DataFrame with one column per feature of `spec`, in its order. */
export function featureFrame(rows: readonly Readonly<FeatureRow>[], spec: readonly Pick<FeatureSpec, 'name' | 'type'>[]): pl.DataFrame {
  const columns = spec.map((feature) => {
    if (feature.type === 'numeric') {
      const values = rows.map((row) => {
        const value = row[feature.name];
        return typeof value === 'number' && !Number.isNaN(value) ? value : null;
      });
      return pl.Series(feature.name, values, pl.Float64);
    }
    const values = rows.map((row) => {
      const value = row[feature.name];
      return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
    });
    return pl.Series(feature.name, values, pl.String);
  });
  return pl.DataFrame(columns);
}

export interface NumericSummary {
  name: string;
  type: 'numeric';
  /** non-null values */
  count: number;
  nulls: number;
  /** null when there are no values (std: fewer than two) */
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
}

export interface CategoricalSummary {
  name: string;
  type: 'categorical';
  count: number;
  nulls: number;
  distinct: number;
  /** the most frequent values, most frequent first (ties by value) */
  top: { value: string; count: number }[];
}

export type ColumnSummary = NumericSummary | CategoricalSummary;

export interface FrameSummary {
  rows: number;
  columns: ColumnSummary[];
}

const NUMERIC_VARIANTS = new Set(['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64', 'Float32', 'Float64']);

const finite = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Per-column summary as plain JSON: mean/std/min/max of numeric columns, top values of the others. */
export function describeFrame(df: pl.DataFrame, options: { top?: number } = {}): FrameSummary {
  const topN = options.top ?? 5;
  const names = df.columns;
  const dtypes = df.dtypes;
  const numeric = names.filter((_, i) => NUMERIC_VARIANTS.has(dtypes[i]?.variant ?? ''));
  // frame-wide aggregations take milliseconds; per-column calls (getColumn, a select of
  // expressions per column) cost about 1 ms per column each through the native binding
  const first = (frame: pl.DataFrame): Record<string, unknown> => (frame.toRecords()[0] ?? {}) as Record<string, unknown>;
  const nullCounts = first(df.nullCount());
  const numericFrame = df.select(...numeric);
  const [mean, std, min, max] =
    numeric.length === 0 ? [{}, {}, {}, {}] : [numericFrame.mean(), numericFrame.std(), numericFrame.min(), numericFrame.max()].map(first);
  const columns = names.map((name): ColumnSummary => {
    const nulls = Number(nullCounts[name] ?? 0);
    const count = df.height - nulls;
    if (numeric.includes(name)) {
      return {
        name,
        type: 'numeric',
        count,
        nulls,
        mean: count > 0 ? finite(mean?.[name]) : null,
        std: count > 1 ? finite(std?.[name]) : null,
        min: count > 0 ? finite(min?.[name]) : null,
        max: count > 0 ? finite(max?.[name]) : null,
      };
    }
    const counts = new Map<string, number>();
    for (const value of df.getColumn(name).cast(pl.String).toArray()) {
      if (value === null || value === undefined) continue;
      const key = String(value);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const top = [...counts]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, topN)
      .map(([value, n]) => ({ value, count: n }));
    return { name, type: 'categorical', count, nulls, distinct: counts.size, top };
  });
  return { rows: df.height, columns };
}
