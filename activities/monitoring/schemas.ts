/**
 * The schemas of drift monitoring: the training reference (per-feature profiles) that
 * `buildReference` writes and the drift result that `compareToReference` returns, with their
 * options. Both are plain JSON (MLflow artifacts), validated when read back.
 */
import { z } from 'zod';
import { chiSquareResultSchema, ksResultSchema, sum } from './statistics';

/** One row of data: feature name → value. Values that cannot be read count as missing. */
export type DataRow = Readonly<Record<string, unknown>>;

const shareSchema = z.number().min(0).max(1);
const countSchema = z.number().int().min(0);

export const numericSummarySchema = z.object({
  mean: z.number(),
  std: z.number().min(0),
  min: z.number(),
  max: z.number(),
});
export type NumericSummary = z.infer<typeof numericSummarySchema>;

const SHARE_SUM_TOLERANCE = 1e-6;

function isStrictlyIncreasing(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (!((xs[i] as number) > (xs[i - 1] as number))) return false;
  return true;
}

function isNonDecreasing(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if ((xs[i] as number) < (xs[i - 1] as number)) return false;
  return true;
}

/** The values a profile was made of. */
const profileCounts = {
  /** usable values (finite numbers; categories) */
  count: countSchema,
  /** missing or unusable values */
  missing: countSchema,
};

/** The training profile of a numeric feature (or of the prediction scores). */
export const numericProfileSchema = z
  .object({
    name: z.string().min(1),
    type: z.literal('numeric'),
    ...profileCounts,
    /** interior bin edges, strictly increasing; the outer edges are -∞ and +∞ */
    cuts: z.array(z.number()),
    /** training share per bin, `cuts.length + 1` entries */
    shares: z.array(shareSchema),
    /** sorted, evenly spaced order statistics of the training values (all of them when few) */
    sample: z.array(z.number()),
    summary: numericSummarySchema.nullable(),
  })
  .refine((p) => isStrictlyIncreasing(p.cuts), { message: 'cuts must be strictly increasing', path: ['cuts'] })
  .refine((p) => isNonDecreasing(p.sample), { message: 'sample must be sorted', path: ['sample'] })
  .refine(
    (p) =>
      p.count === 0
        ? p.cuts.length === 0 && p.shares.length === 0 && p.sample.length === 0 && p.summary === null
        : p.shares.length === p.cuts.length + 1 &&
          Math.abs(sum(p.shares) - 1) < SHARE_SUM_TOLERANCE &&
          p.sample.length > 0 &&
          p.sample.length <= p.count &&
          p.summary !== null,
    { message: 'shares, sample and summary do not match the count and cuts' },
  );
export type NumericProfile = z.infer<typeof numericProfileSchema>;

export const categoryCountSchema = z.object({ value: z.string(), count: countSchema, share: shareSchema });

/** The training profile of a categorical feature: top categories + "other". */
export const categoricalProfileSchema = z
  .object({
    name: z.string().min(1),
    type: z.literal('categorical'),
    ...profileCounts,
    /** the most frequent categories, by count (desc) then value */
    categories: z.array(categoryCountSchema),
    /** all remaining training categories together */
    other: z.object({ count: countSchema, share: shareSchema }),
    /** the training categories folded into "other" (most frequent first), to tell them from unseen ones */
    otherValues: z.array(z.string()),
    /** true when `otherValues` was cut short: "unseen" then means "not among the listed categories" */
    otherValuesTruncated: z.boolean(),
    /** distinct training categories */
    distinct: countSchema,
  })
  .refine((p) => sum(p.categories.map((c) => c.count)) + p.other.count === p.count, {
    message: 'category counts and other.count must add up to count',
  })
  .refine((p) => new Set([...p.categories.map((c) => c.value), ...p.otherValues]).size === p.categories.length + p.otherValues.length, {
    message: 'category values must be unique',
  });
export type CategoricalProfile = z.infer<typeof categoricalProfileSchema>;

export const featureProfileSchema = z.discriminatedUnion('type', [numericProfileSchema, categoricalProfileSchema]);
export type FeatureProfile = z.infer<typeof featureProfileSchema>;

export const referenceSettingsSchema = z.object({
  bins: z.number().int().min(2).max(100),
  sampleSize: z.number().int().min(10).max(100_000),
  topCategories: z.number().int().min(1).max(1000),
  maxOtherValues: z.number().int().min(0).max(100_000),
});
export type ReferenceSettings = z.infer<typeof referenceSettingsSchema>;

export const DRIFT_REFERENCE_KIND = 'kpc.drift-reference';

export const driftReferenceSchema = z
  .object({
    schemaVersion: z.literal(1),
    kind: z.literal(DRIFT_REFERENCE_KIND),
    /** rows of training data profiled */
    rowCount: z.number().int().min(1),
    settings: referenceSettingsSchema,
    features: z.array(featureProfileSchema).min(1),
    /** the model's scores on the training data, when given */
    prediction: numericProfileSchema.nullable(),
  })
  .refine((r) => new Set(r.features.map((f) => f.name)).size === r.features.length, {
    message: 'feature names must be unique',
    path: ['features'],
  });
export type DriftReference = z.infer<typeof driftReferenceSchema>;

const predictionsSchema = z
  .custom<ReadonlyArray<unknown>>((value) => Array.isArray(value), 'predictions must be an array of numbers')
  .optional();

export const buildReferenceOptionsSchema = z.object({
  /** quantile bins per numeric feature (fewer when quantiles tie) */
  bins: z.number().int().min(2).max(100).default(10),
  /** bound of the sorted sample kept per numeric feature for KS */
  sampleSize: z.number().int().min(10).max(100_000).default(2000),
  /** categories kept with their own share; the rest form "other" */
  topCategories: z.number().int().min(1).max(1000).default(20),
  /** bound of the list of categories folded into "other" (used to recognise unseen categories) */
  maxOtherValues: z.number().int().min(0).max(100_000).default(1000),
  /** the model's scores on the training rows (e.g. the ranker's top score per manifest) */
  predictions: predictionsSchema,
});
export type BuildReferenceOptions = z.input<typeof buildReferenceOptionsSchema>;

// ---------------------------------------------------------------------------------------------
// Schemas: the comparison
// ---------------------------------------------------------------------------------------------

export const compareOptionsSchema = z.object({
  /** numeric features and predictions: PSI at or above this is a large change */
  psiThreshold: z.number().positive().default(0.2),
  /** numeric features and predictions: KS p-value below this is significant */
  ksAlpha: z.number().gt(0).lt(1).default(0.01),
  /** categorical features: Jensen–Shannon distance (base 2, in [0, 1]) at or above this is a large change */
  categoricalThreshold: z.number().gt(0).max(1).default(0.1),
  /** categorical features: chi-square p-value below this is significant */
  chiSquareAlpha: z.number().gt(0).lt(1).default(0.01),
  /** the data drifted when at least this share of the features drifted */
  driftShareThreshold: z.number().gt(0).max(1).default(0.3),
  /** a feature drifted when its missing share rose by at least this much (absolute) */
  missingShareThreshold: z.number().gt(0).max(1).default(0.2),
  /** false: a large change is enough, significance is only reported */
  requireSignificance: z.boolean().default(true),
  /** floor for empty bins in PSI */
  psiEpsilon: z.number().gt(0).max(0.01).default(1e-4),
  /** the model's scores on the current rows */
  predictions: predictionsSchema,
});
export type CompareOptions = z.input<typeof compareOptionsSchema>;
export type ResolvedCompareOptions = z.output<typeof compareOptionsSchema>;

/** The settings a drift result was made with: the resolved compare options but the predictions. */
export const driftSettingsSchema = compareOptionsSchema.omit({ predictions: true });
export type DriftSettings = z.infer<typeof driftSettingsSchema>;

/** One bar pair of a chart: a bin (numeric) or a category, with its reference and current share. */
export const binShareSchema = z.object({
  label: z.string(),
  reference: shareSchema,
  current: shareSchema,
  /** the "other" bucket of a categorical feature */
  other: z.boolean(),
});
export type BinShare = z.infer<typeof binShareSchema>;

export const missingSharesSchema = z.object({ reference: shareSchema, current: shareSchema.nullable() });

const featureDriftBase = {
  name: z.string().min(1),
  /** usable reference values */
  referenceCount: countSchema,
  /** usable current values */
  currentCount: countSchema,
  missingShare: missingSharesSchema,
  /** null when not assessed (no reference or no current values) */
  psi: z.number().min(0).nullable(),
  /** reference vs current share per bin or category; current shares are 0 when there are no current values */
  bins: z.array(binShareSchema),
  /** ordering key: the largest of (effect / its threshold, missing-share rise / its threshold) */
  severity: z.number().min(0),
  drifted: z.boolean(),
  reason: z.string(),
};

export const numericDriftSchema = z.object({
  ...featureDriftBase,
  type: z.literal('numeric'),
  ks: ksResultSchema.nullable(),
  summary: z.object({ reference: numericSummarySchema.nullable(), current: numericSummarySchema.nullable() }),
});
export type NumericDrift = z.infer<typeof numericDriftSchema>;

export const unseenCategoriesSchema = z.object({
  /** current values whose category the reference does not know */
  count: countSchema,
  share: shareSchema,
  /** the most frequent of them (at most 10) */
  values: z.array(z.string()),
  /** false when the reference's list of rare categories was truncated (then: "not listed") */
  exact: z.boolean(),
});

export const categoricalDriftSchema = z.object({
  ...featureDriftBase,
  type: z.literal('categorical'),
  chiSquare: chiSquareResultSchema.nullable(),
  jensenShannon: shareSchema.nullable(),
  unseen: unseenCategoriesSchema,
});
export type CategoricalDrift = z.infer<typeof categoricalDriftSchema>;

export const featureDriftSchema = z.discriminatedUnion('type', [numericDriftSchema, categoricalDriftSchema]);
export type FeatureDrift = z.infer<typeof featureDriftSchema>;

export const driftResultSchema = z.object({
  schemaVersion: z.literal(1),
  /** overall verdict: share of drifted features ≥ threshold, or prediction drift */
  drifted: z.boolean(),
  /** drifted features / features (0 when there are no current rows) */
  driftShare: shareSchema,
  driftedFeatures: countSchema,
  totalFeatures: countSchema,
  /** features with a verdict (both reference and current values, or a missing-share rise) */
  assessedFeatures: countSchema,
  referenceRows: countSchema,
  currentRows: countSchema,
  settings: driftSettingsSchema,
  /** in the reference's feature order */
  features: z.array(featureDriftSchema),
  /** null when the reference or the current call has no predictions */
  prediction: numericDriftSchema.nullable(),
  /** the verdict first, then one line per drifted feature (most severe first), then predictions */
  reasons: z.array(z.string()),
});
export type DriftResult = z.infer<typeof driftResultSchema>;

/** `schema.parse` with a readable error naming `what`. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${what}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
