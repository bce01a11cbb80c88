/**
 * The training reference: `buildReference` profiles the training data once — per numeric feature,
 * quantile bins with their training shares and a bounded sorted sample for the Kolmogorov–Smirnov
 * test; per categorical feature, the shares of the top categories plus an "other" bucket;
 * optionally the same numeric treatment for the model's prediction scores. The result is plain
 * JSON (an MLflow artifact); `parseDriftReference` validates one read back.
 *
 * Numeric bins are right-closed. With interior cut points c1 < … < ck the bins are
 * (-∞, c1], (c1, c2], …, (ck, +∞). Only the interior cuts are stored (JSON has no infinities).
 * Cuts are training quantiles taken from the data itself (inverse empirical CDF), deduplicated, so
 * a feature with many ties (counts, flags, a constant) gets fewer, meaningful bins.
 */
import { z } from 'zod';
import { type FeatureSpec, featureSpecSchema } from '../features/spec';
import { binShares, byFrequency, checkRows, column, countCategories, readNumbers, summarise } from './distributions';
import {
  type BuildReferenceOptions,
  buildReferenceOptionsSchema,
  type CategoricalProfile,
  type DataRow,
  DRIFT_REFERENCE_KIND,
  type DriftReference,
  driftReferenceSchema,
  type NumericProfile,
  parseOrThrow,
  type ReferenceSettings,
} from './schemas';
import { sum } from './statistics';

/** Interior cut points at the quantiles i/bins (inverse empirical CDF: actual data values), deduplicated. */
function quantileCuts(sorted: readonly number[], bins: number): number[] {
  const n = sorted.length;
  const cuts: number[] = [];
  for (let i = 1; i < bins; i++) {
    const rank = Math.ceil((i * n) / bins); // exact: i·n is an integer
    const value = sorted[Math.max(0, rank - 1)] as number;
    if (cuts.length === 0 || value > (cuts[cuts.length - 1] as number)) cuts.push(value);
  }
  return cuts;
}

/** k evenly spaced order statistics (the midpoints of k equal rank slices); all values when n ≤ k. */
function evenSample(sorted: readonly number[], k: number): number[] {
  const n = sorted.length;
  if (n <= k) return sorted.slice();
  const sample = new Array<number>(k);
  for (let i = 0; i < k; i++) sample[i] = sorted[Math.floor(((2 * i + 1) * n) / (2 * k))] as number;
  return sample;
}

function profileNumeric(name: string, raw: readonly unknown[], settings: ReferenceSettings): NumericProfile {
  const values = readNumbers(raw);
  const missing = raw.length - values.length;
  if (values.length === 0) return { name, type: 'numeric', count: 0, missing, cuts: [], shares: [], sample: [], summary: null };
  const cuts = quantileCuts(values, settings.bins);
  return {
    name,
    type: 'numeric',
    count: values.length,
    missing,
    cuts,
    shares: binShares(values, cuts),
    sample: evenSample(values, settings.sampleSize),
    summary: summarise(values),
  };
}

function profileCategorical(name: string, raw: readonly unknown[], settings: ReferenceSettings): CategoricalProfile {
  const { counts, missing } = countCategories(raw);
  const entries = byFrequency(counts);
  const count = raw.length - missing;
  const top = entries.slice(0, settings.topCategories);
  const rest = entries.slice(settings.topCategories);
  const otherCount = sum(rest.map((e) => e[1]));
  return {
    name,
    type: 'categorical',
    count,
    missing,
    categories: top.map(([value, c]) => ({ value, count: c, share: c / count })),
    other: { count: otherCount, share: count > 0 ? otherCount / count : 0 },
    otherValues: rest.slice(0, settings.maxOtherValues).map((e) => e[0]),
    otherValuesTruncated: rest.length > settings.maxOtherValues,
    distinct: entries.length,
  };
}

/**
 * Profiles the training rows (and optionally the model's scores on them) into a JSON-serialisable
 * reference. Throws on invalid input: no rows, no or duplicate features, rows that are not objects.
 */
export function buildReference(
  rows: readonly DataRow[],
  spec: readonly FeatureSpec[],
  options: BuildReferenceOptions = {},
): DriftReference {
  checkRows(rows, 'buildReference');
  if (rows.length === 0) throw new Error('buildReference: the reference has no rows');
  const features = parseOrThrow(z.array(featureSpecSchema).min(1), spec, 'buildReference: invalid feature spec');
  const seen = new Set<string>();
  for (const f of features) {
    if (seen.has(f.name)) throw new Error(`buildReference: feature "${f.name}" is listed twice`);
    seen.add(f.name);
  }
  const opts = parseOrThrow(buildReferenceOptionsSchema, options, 'buildReference: invalid options');
  const settings: ReferenceSettings = {
    bins: opts.bins,
    sampleSize: opts.sampleSize,
    topCategories: opts.topCategories,
    maxOtherValues: opts.maxOtherValues,
  };
  const reference: DriftReference = {
    schemaVersion: 1,
    kind: DRIFT_REFERENCE_KIND,
    rowCount: rows.length,
    settings,
    features: features.map((f) =>
      f.type === 'numeric'
        ? profileNumeric(f.name, column(rows, f.name), settings)
        : profileCategorical(f.name, column(rows, f.name), settings),
    ),
    prediction: opts.predictions === undefined ? null : profileNumeric('prediction', opts.predictions, settings),
  };
  return reference;
}

/** Validates a reference, e.g. one read back from JSON; throws a readable error when it is not one. */
export function parseDriftReference(value: unknown): DriftReference {
  return parseOrThrow(driftReferenceSchema, value, 'invalid drift reference');
}
