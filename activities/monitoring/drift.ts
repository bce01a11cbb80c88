/**
 * Drift monitoring, pure and deterministic (no I/O, no clock, no randomness):
 *
 * - `buildReference` profiles the training data once: per numeric feature, quantile bins with their
 *   training shares and a bounded sorted sample for the Kolmogorov–Smirnov test; per categorical
 *   feature, the shares of the top categories plus an "other" bucket; optionally the same numeric
 *   treatment for the model's prediction scores. The result is plain JSON (an MLflow artifact).
 * - `compareToReference` measures current data against that profile and decides, per feature and
 *   overall, whether the data drifted, with human-readable reasons.
 *
 * The statistics are implemented here and exported for reuse and tests: population stability index,
 * two-sample KS (asymptotic p-value; exact p-value for small samples as a cross-check), chi-square
 * test of homogeneity (p-value from the regularised upper incomplete gamma function) and the
 * Jensen–Shannon distance.
 *
 * Conventions
 * - Numeric bins are right-closed. With interior cut points c1 < … < ck the bins are
 *   (-∞, c1], (c1, c2], …, (ck, +∞). Only the interior cuts are stored (JSON has no infinities).
 *   Cuts are training quantiles taken from the data itself (inverse empirical CDF), deduplicated, so
 *   a feature with many ties (counts, flags, a constant) gets fewer, meaningful bins.
 * - Missing values: an absent key, null, undefined, NaN, ±Infinity, '' and anything that is not a
 *   number, string or boolean. Numeric features also read numeric strings ("3.5") and booleans (1/0);
 *   categorical features read numbers and booleans as their string form. Missing values are left out
 *   of the distributions; a rise of the missing share is a drift signal of its own.
 * - A feature drifts when its change is both large (PSI for numeric, Jensen–Shannon distance for
 *   categorical, against a threshold) and statistically significant (KS resp. chi-square p-value below
 *   alpha) — `requireSignificance: false` drops the second condition — or when its missing share rose
 *   by at least `missingShareThreshold`. Requiring both avoids false alarms from small batches (PSI is
 *   noisy with few rows) and from very large ones (tiny, irrelevant shifts are significant).
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Schemas: the reference profile
// ---------------------------------------------------------------------------------------------

export const FEATURE_TYPES = ['numeric', 'categorical'] as const;

export const featureSpecSchema = z.object({
  name: z.string().min(1),
  type: z.enum(FEATURE_TYPES),
});
export type FeatureSpec = z.infer<typeof featureSpecSchema>;
export type FeatureType = FeatureSpec['type'];

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

function sum(xs: readonly number[]): number {
  let total = 0;
  for (const x of xs) total += x;
  return total;
}

/** The training profile of a numeric feature (or of the prediction scores). */
export const numericProfileSchema = z
  .object({
    name: z.string().min(1),
    type: z.literal('numeric'),
    /** usable (finite) values */
    count: countSchema,
    /** missing or unusable values */
    missing: countSchema,
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
    count: countSchema,
    missing: countSchema,
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
type ResolvedCompareOptions = z.output<typeof compareOptionsSchema>;

export const driftSettingsSchema = z.object({
  psiThreshold: z.number(),
  ksAlpha: z.number(),
  categoricalThreshold: z.number(),
  chiSquareAlpha: z.number(),
  driftShareThreshold: z.number(),
  missingShareThreshold: z.number(),
  requireSignificance: z.boolean(),
  psiEpsilon: z.number(),
});
export type DriftSettings = z.infer<typeof driftSettingsSchema>;

export const ksResultSchema = z.object({ statistic: shareSchema, pValue: shareSchema });
export type KsResult = z.infer<typeof ksResultSchema>;

export const chiSquareResultSchema = z.object({ statistic: z.number().min(0), dof: countSchema, pValue: shareSchema });
export type ChiSquareResult = z.infer<typeof chiSquareResultSchema>;

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

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/**
 * Population stability index Σ (c − r)·ln(c / r) over bins, with shares floored at `epsilon` so that
 * empty bins stay finite. Every term is ≥ 0.
 */
export function populationStabilityIndex(reference: readonly number[], current: readonly number[], epsilon = 1e-4): number {
  if (reference.length !== current.length || reference.length === 0) {
    throw new RangeError(`PSI needs two share vectors of the same, non-zero length (got ${reference.length} and ${current.length})`);
  }
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i] as number, epsilon);
    const c = Math.max(current[i] as number, epsilon);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

function normalise(weights: readonly number[], what: string): number[] {
  let total = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`${what}: weights must be finite and non-negative`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError(`${what}: weights must not all be zero`);
  return weights.map((w) => w / total);
}

/**
 * Jensen–Shannon distance in base 2: the square root of the JS divergence, 0 for identical and 1 for
 * disjoint distributions. Inputs are shares or counts (normalised here).
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length || p.length === 0) {
    throw new RangeError(`Jensen–Shannon needs two vectors of the same, non-zero length (got ${p.length} and ${q.length})`);
  }
  const pn = normalise(p, 'Jensen–Shannon');
  const qn = normalise(q, 'Jensen–Shannon');
  let divergence = 0;
  for (let i = 0; i < pn.length; i++) {
    const a = pn[i] as number;
    const b = qn[i] as number;
    const m = (a + b) / 2;
    if (a > 0) divergence += 0.5 * a * Math.log2(a / m);
    if (b > 0) divergence += 0.5 * b * Math.log2(b / m);
  }
  return Math.sqrt(clamp01(divergence));
}

/** The two-sample KS statistic D = sup |F(x) − G(x)| of two sorted samples (ties handled). */
function ksStatisticSorted(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i] as number, b[j] as number);
    while (i < n && (a[i] as number) <= x) i++;
    while (j < m && (b[j] as number) <= x) j++;
    const gap = Math.abs(i / n - j / m);
    if (gap > d) d = gap;
  }
  // once one sample is used up the ECDFs only come closer
  return d;
}

/**
 * Survival function of the Kolmogorov distribution, Q(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2 j² λ²}.
 * For small λ that alternating series converges slowly, so there we use the equivalent
 * theta-function form P(λ) = (√(2π) / λ) Σ_{j≥1} e^{−(2j−1)² π² / (8 λ²)} and return 1 − P.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (Number.isNaN(lambda)) throw new RangeError('kolmogorovSurvival: lambda is NaN');
  if (lambda <= 0) return 1;
  if (lambda < 1.18) {
    const y = -(Math.PI * Math.PI) / (8 * lambda * lambda);
    let series = 0;
    for (let j = 1; j <= 100; j++) {
      const k = 2 * j - 1;
      const term = Math.exp(k * k * y);
      series += term;
      if (term <= 1e-17 * series) break;
    }
    return clamp01(1 - (Math.sqrt(2 * Math.PI) / lambda) * series);
  }
  let q = 0;
  let sign = 1;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    q += sign * term;
    if (term <= 1e-17 * Math.abs(q)) break;
    sign = -sign;
  }
  return clamp01(2 * q);
}

/**
 * Asymptotic p-value of the two-sample KS statistic `d` for sample sizes n and m: Q_KS(λ) with the
 * effective size nₑ = n·m/(n+m) and the small-sample correction λ = (√nₑ + 0.12 + 0.11/√nₑ)·d.
 * For very small samples it is below the exact value (D = 0.5, n = m = 10: 0.111 vs exact 0.168).
 */
export function ksAsymptoticPValue(d: number, n: number, m: number): number {
  if (!(n > 0 && m > 0)) throw new RangeError('ksAsymptoticPValue: sample sizes must be positive');
  if (!(d >= 0 && d <= 1)) throw new RangeError(`ksAsymptoticPValue: statistic must be in [0, 1] (got ${d})`);
  const en = Math.sqrt((n * m) / (n + m));
  return kolmogorovSurvival((en + 0.12 + 0.11 / en) * d);
}

/**
 * Exact p-value P(D ≥ d) of the two-sided two-sample KS statistic under H0, for continuous data (no
 * ties): the share of the C(n+m, n) orderings whose lattice path leaves the band |i/n − j/m| < d.
 * Counts are kept divided by C(i+j, i) so they stay in [0, 1]. O(n·m); meant for small samples and as
 * a check of the asymptotic formula.
 */
export function ksExactPValue(d: number, n: number, m: number): number {
  if (!(Number.isInteger(n) && Number.isInteger(m) && n > 0 && m > 0)) {
    throw new RangeError('ksExactPValue: sample sizes must be positive integers');
  }
  if (n * m > 4_000_000) throw new RangeError('ksExactPValue: n·m is too large for the exact computation');
  if (!(d >= 0 && d <= 1)) throw new RangeError(`ksExactPValue: statistic must be in [0, 1] (got ${d})`);
  if (d === 0) return 1;
  // a point (i, j) is inside the band when |i·m − j·n| < d·n·m; the slack absorbs rounding of d
  const limit = d * n * m - 1e-7;
  const inside = (i: number, j: number) => Math.abs(i * m - j * n) < limit;
  const w = new Float64Array(m + 1);
  w[0] = 1;
  for (let j = 1; j <= m; j++) w[j] = inside(0, j) ? (w[j - 1] as number) : 0;
  for (let i = 1; i <= n; i++) {
    w[0] = inside(i, 0) ? (w[0] as number) : 0;
    for (let j = 1; j <= m; j++) {
      w[j] = inside(i, j) ? ((w[j] as number) * i + (w[j - 1] as number) * j) / (i + j) : 0;
    }
  }
  return clamp01(1 - (w[m] as number));
}

function finiteSorted(values: readonly number[]): number[] {
  return values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((x, y) => x - y);
}

/**
 * Two-sample Kolmogorov–Smirnov test: the statistic and its asymptotic p-value (see
 * `ksAsymptoticPValue`). Non-finite values are ignored; both samples need a finite value.
 */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  const sa = finiteSorted(a);
  const sb = finiteSorted(b);
  if (sa.length === 0 || sb.length === 0) throw new RangeError('ksTwoSample needs two samples with at least one finite value each');
  return ksSorted(sa, sb);
}

function ksSorted(a: readonly number[], b: readonly number[]): KsResult {
  const statistic = clamp01(ksStatisticSorted(a, b));
  return { statistic, pValue: ksAsymptoticPValue(statistic, a.length, b.length) };
}

// Lanczos approximation (g = 7, 9 coefficients), relative error about 1e-15 for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be positive (got ${x})`);
  if (x < 0.5) {
    // reflection: Γ(x) Γ(1 − x) = π / sin(πx)
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let a = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) a += (LANCZOS[i] as number) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const GAMMA_EPS = 1e-15;
const GAMMA_MAX_ITER = 10_000;
const TINY = 1e-300;

/** P(a, x) by its power series; converges quickly for x < a + 1. */
function gammaPSeries(a: number, x: number): number {
  let term = 1 / a;
  let total = term;
  let ap = a;
  for (let n = 0; n < GAMMA_MAX_ITER; n++) {
    ap += 1;
    term *= x / ap;
    total += term;
    if (Math.abs(term) < Math.abs(total) * GAMMA_EPS) break;
  }
  return total * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Q(a, x) by its continued fraction (modified Lentz); converges quickly for x ≥ a + 1. */
function gammaQContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < GAMMA_MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < GAMMA_EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

function checkGammaArgs(a: number, x: number): void {
  if (!(a > 0) || !Number.isFinite(a)) throw new RangeError(`incomplete gamma: a must be positive and finite (got ${a})`);
  if (Number.isNaN(x) || x < 0) throw new RangeError(`incomplete gamma: x must be ≥ 0 (got ${x})`);
}

/** Regularised lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a). */
export function regularizedGammaP(a: number, x: number): number {
  checkGammaArgs(a, x);
  if (x === 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  return clamp01(x < a + 1 ? gammaPSeries(a, x) : 1 - gammaQContinuedFraction(a, x));
}

/** Regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a) = 1 − P(a, x). */
export function regularizedGammaQ(a: number, x: number): number {
  checkGammaArgs(a, x);
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  return clamp01(x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQContinuedFraction(a, x));
}

/** P(X ≥ statistic) for X ~ χ²(dof). */
export function chiSquareSurvival(statistic: number, dof: number): number {
  if (!(dof > 0)) throw new RangeError(`chiSquareSurvival: dof must be positive (got ${dof})`);
  if (Number.isNaN(statistic)) throw new RangeError('chiSquareSurvival: statistic is NaN');
  if (statistic <= 0) return 1;
  return regularizedGammaQ(dof / 2, statistic / 2);
}

/**
 * Chi-square test of homogeneity of two count vectors over the same categories (a 2×k table).
 * Categories empty in both are left out; with fewer than two categories left (or an empty side)
 * there is nothing to test: statistic 0, dof 0, p = 1.
 */
export function chiSquareHomogeneity(reference: readonly number[], current: readonly number[]): ChiSquareResult {
  if (reference.length !== current.length) {
    throw new RangeError(`chi-square needs two count vectors of the same length (got ${reference.length} and ${current.length})`);
  }
  for (const c of [...reference, ...current]) {
    if (!(c >= 0) || !Number.isFinite(c)) throw new RangeError('chi-square: counts must be finite and non-negative');
  }
  const totalA = sum(reference);
  const totalB = sum(current);
  const total = totalA + totalB;
  if (totalA === 0 || totalB === 0) return { statistic: 0, dof: 0, pValue: 1 };
  let statistic = 0;
  let columns = 0;
  for (let i = 0; i < reference.length; i++) {
    const a = reference[i] as number;
    const b = current[i] as number;
    const column = a + b;
    if (column === 0) continue;
    columns++;
    const expectedA = (totalA * column) / total;
    const expectedB = (totalB * column) / total;
    statistic += (a - expectedA) ** 2 / expectedA + (b - expectedB) ** 2 / expectedB;
  }
  const dof = columns - 1;
  if (dof < 1) return { statistic: 0, dof: 0, pValue: 1 };
  return { statistic, dof, pValue: chiSquareSurvival(statistic, dof) };
}

// ---------------------------------------------------------------------------------------------
// Reading values
// ---------------------------------------------------------------------------------------------

/** A finite number (−0 read as 0, so JSON round-trips exactly), or undefined when missing/unusable. */
function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return undefined;
    const parsed = Number(text);
    return Number.isFinite(parsed) ? parsed + 0 : undefined;
  }
  return undefined;
}

function readCategory(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

function checkRows(rows: unknown, what: string): asserts rows is readonly DataRow[] {
  if (!Array.isArray(rows)) throw new TypeError(`${what}: rows must be an array of objects`);
  for (let i = 0; i < rows.length; i++) {
    const row: unknown = rows[i];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new TypeError(`${what}: row ${i} is not an object`);
  }
}

function column(rows: readonly DataRow[], name: string): unknown[] {
  return rows.map((row) => (Object.hasOwn(row, name) ? row[name] : undefined));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${what}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Building the reference
// ---------------------------------------------------------------------------------------------

/** Index of the right-closed bin holding x: the first i with x ≤ cuts[i], or cuts.length. */
function binIndex(cuts: readonly number[], x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cuts[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function binShares(values: readonly number[], cuts: readonly number[]): number[] {
  const counts = new Array<number>(cuts.length + 1).fill(0);
  for (const v of values) {
    const i = binIndex(cuts, v);
    counts[i] = (counts[i] as number) + 1;
  }
  return counts.map((c) => c / values.length);
}

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

function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

/** Mean, sample standard deviation, min and max of sorted, non-empty values (Welford, overflow-safe mean). */
function summarise(sorted: readonly number[]): NumericSummary {
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < sorted.length; i++) {
    const x = sorted[i] as number;
    const delta = x - mean;
    mean += delta / (i + 1);
    m2 += delta * (x - mean);
  }
  const variance = sorted.length > 1 ? m2 / (sorted.length - 1) : 0;
  return {
    mean: finiteOr(mean, 0),
    std: finiteOr(Math.sqrt(Math.max(0, variance)), Number.MAX_VALUE),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}

function readNumbers(raw: readonly unknown[]): number[] {
  const values: number[] = [];
  for (const v of raw) {
    const x = readNumber(v);
    if (x !== undefined) values.push(x);
  }
  return values.sort((a, b) => a - b);
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

function countCategories(raw: readonly unknown[]): { counts: Map<string, number>; missing: number } {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of raw) {
    const c = readCategory(v);
    if (c === undefined) missing++;
    else counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return { counts, missing };
}

/** Entries by count (desc), then value (code-unit order, locale-independent). */
function byFrequency(counts: Map<string, number>): [string, number][] {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
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

// ---------------------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------------------

/** Compact, locale-independent number text for labels and reasons. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return x.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(4)));
}

export function formatPValue(p: number): string {
  if (p === 0) return '0';
  if (p < 1e-3) return p.toExponential(1);
  return p.toFixed(3);
}

export function formatShare(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** Labels of the right-closed bins defined by interior cuts. */
export function binLabels(cuts: readonly number[]): string[] {
  if (cuts.length === 0) return ['(-∞, +∞)'];
  const labels = [`(-∞, ${formatNumber(cuts[0] as number)}]`];
  for (let i = 1; i < cuts.length; i++) labels.push(`(${formatNumber(cuts[i - 1] as number)}, ${formatNumber(cuts[i] as number)}]`);
  labels.push(`(${formatNumber(cuts[cuts.length - 1] as number)}, +∞)`);
  return labels;
}

interface MissingAssessment {
  shares: { reference: number; current: number | null };
  rise: number;
  drifted: boolean;
  text: string | null;
}

function assessMissing(
  refMissing: number,
  refTotal: number,
  curMissing: number,
  curTotal: number,
  opts: ResolvedCompareOptions,
): MissingAssessment {
  const reference = refTotal > 0 ? refMissing / refTotal : 0;
  const current = curTotal > 0 ? curMissing / curTotal : null;
  const rise = current === null ? 0 : current - reference;
  // a tiny slack keeps e.g. 0.3 − 0.1 = 0.19999999999999998 at the threshold 0.2
  const drifted = rise >= opts.missingShareThreshold - 1e-12;
  return {
    shares: { reference, current },
    rise,
    drifted,
    text: drifted ? `missing share rose from ${formatShare(reference)} to ${formatShare(current ?? 0)}` : null,
  };
}

function severityOf(effect: number | null, threshold: number, missing: MissingAssessment, opts: ResolvedCompareOptions): number {
  const fromEffect = effect === null ? 0 : effect / threshold;
  const fromMissing = missing.rise > 0 ? missing.rise / opts.missingShareThreshold : 0;
  return finiteOr(Math.max(fromEffect, fromMissing), Number.MAX_VALUE);
}

/** The verdict text for an effect (magnitude) and its test (significance). */
function verdictText(
  effect: { label: string; value: number; threshold: number },
  test: { label: string; pValue: number; alpha: number; n: number },
  opts: ResolvedCompareOptions,
): { drifted: boolean; text: string } {
  const large = effect.value >= effect.threshold;
  const significant = test.pValue < test.alpha;
  const effectText = `${effect.label} ${effect.value.toFixed(3)} ${large ? '≥' : '<'} ${effect.threshold}`;
  const testText = `${test.label} p = ${formatPValue(test.pValue)} ${significant ? '<' : '≥'} ${test.alpha}`;
  if (!opts.requireSignificance) return { drifted: large, text: `${effectText} (${testText})` };
  if (large && significant) return { drifted: true, text: `${effectText} and ${testText}` };
  if (large) return { drifted: false, text: `${effectText} but ${testText}: not significant with ${test.n} current values` };
  if (significant) return { drifted: false, text: `${testText} but ${effectText}: significant but small` };
  return { drifted: false, text: `${effectText}; ${testText}` };
}

function joinReasons(...parts: (string | null)[]): string {
  return parts.filter((p): p is string => p !== null && p !== '').join('; ');
}

/** `what` names the current values in reasons ("rows" or "predictions"). */
function compareNumeric(profile: NumericProfile, raw: readonly unknown[], opts: ResolvedCompareOptions, what: string): NumericDrift {
  const values = readNumbers(raw);
  const missing = assessMissing(profile.missing, profile.count + profile.missing, raw.length - values.length, raw.length, opts);
  const labels = profile.count > 0 ? binLabels(profile.cuts) : [];
  const currentShares = values.length > 0 ? binShares(values, profile.cuts) : profile.shares.map(() => 0);
  const bins = labels.map((label, i) => ({
    label,
    reference: profile.shares[i] as number,
    current: currentShares[i] as number,
    other: false,
  }));
  const base = {
    name: profile.name,
    type: 'numeric' as const,
    referenceCount: profile.count,
    currentCount: values.length,
    missingShare: missing.shares,
    bins,
    summary: { reference: profile.summary, current: values.length > 0 ? summarise(values) : null },
  };
  if (profile.count === 0) {
    return { ...base, psi: null, ks: null, severity: 0, drifted: false, reason: 'not assessed: the reference has no values' };
  }
  if (raw.length === 0) {
    return { ...base, psi: null, ks: null, severity: 0, drifted: false, reason: `not assessed: no current ${what}` };
  }
  if (values.length === 0) {
    return {
      ...base,
      psi: null,
      ks: null,
      severity: severityOf(null, opts.psiThreshold, missing, opts),
      drifted: missing.drifted,
      reason: joinReasons(missing.text, 'no usable current values'),
    };
  }
  const psi = populationStabilityIndex(profile.shares, currentShares, opts.psiEpsilon);
  const ks = ksSorted(profile.sample, values);
  const verdict = verdictText(
    { label: 'PSI', value: psi, threshold: opts.psiThreshold },
    { label: 'KS', pValue: ks.pValue, alpha: opts.ksAlpha, n: values.length },
    opts,
  );
  return {
    ...base,
    psi,
    ks,
    severity: severityOf(psi, opts.psiThreshold, missing, opts),
    drifted: verdict.drifted || missing.drifted,
    reason: joinReasons(missing.text, verdict.text),
  };
}

const MAX_UNSEEN_LISTED = 10;

function compareCategorical(profile: CategoricalProfile, raw: readonly unknown[], opts: ResolvedCompareOptions): CategoricalDrift {
  const { counts, missing: curMissing } = countCategories(raw);
  const missing = assessMissing(profile.missing, profile.count + profile.missing, curMissing, raw.length, opts);
  const index = new Map(profile.categories.map((c, i) => [c.value, i]));
  const known = new Set(profile.otherValues);
  const k = profile.categories.length;
  const currentCounts = new Array<number>(k + 1).fill(0);
  const unseen = new Map<string, number>();
  for (const [value, c] of counts) {
    const i = index.get(value);
    if (i !== undefined) {
      currentCounts[i] = (currentCounts[i] as number) + c;
      continue;
    }
    currentCounts[k] = (currentCounts[k] as number) + c;
    if (!known.has(value)) unseen.set(value, c);
  }
  const currentCount = raw.length - curMissing;
  const referenceCounts = [...profile.categories.map((c) => c.count), profile.other.count];
  const referenceShares = [...profile.categories.map((c) => c.share), profile.other.share];
  const currentShares = currentCounts.map((c) => (currentCount > 0 ? c / currentCount : 0));
  const bins: BinShare[] = profile.categories.map((c, i) => ({
    label: c.value,
    reference: c.share,
    current: currentShares[i] as number,
    other: false,
  }));
  if (profile.other.count > 0 || (currentCounts[k] as number) > 0) {
    bins.push({ label: 'other', reference: profile.other.share, current: currentShares[k] as number, other: true });
  }
  const unseenCount = sum([...unseen.values()]);
  const base = {
    name: profile.name,
    type: 'categorical' as const,
    referenceCount: profile.count,
    currentCount,
    missingShare: missing.shares,
    bins,
    unseen: {
      count: unseenCount,
      share: currentCount > 0 ? unseenCount / currentCount : 0,
      values: byFrequency(unseen)
        .slice(0, MAX_UNSEEN_LISTED)
        .map((e) => e[0]),
      exact: !profile.otherValuesTruncated,
    },
  };
  if (profile.count === 0) {
    return {
      ...base,
      psi: null,
      chiSquare: null,
      jensenShannon: null,
      severity: 0,
      drifted: false,
      reason: 'not assessed: the reference has no values',
    };
  }
  if (raw.length === 0) {
    return {
      ...base,
      psi: null,
      chiSquare: null,
      jensenShannon: null,
      severity: 0,
      drifted: false,
      reason: 'not assessed: no current rows',
    };
  }
  if (currentCount === 0) {
    return {
      ...base,
      psi: null,
      chiSquare: null,
      jensenShannon: null,
      severity: severityOf(null, opts.categoricalThreshold, missing, opts),
      drifted: missing.drifted,
      reason: joinReasons(missing.text, 'no usable current values'),
    };
  }
  const psi = populationStabilityIndex(referenceShares, currentShares, opts.psiEpsilon);
  const jensenShannon = jensenShannonDistance(referenceShares, currentShares);
  const chiSquare = chiSquareHomogeneity(referenceCounts, currentCounts);
  const verdict = verdictText(
    { label: 'JS distance', value: jensenShannon, threshold: opts.categoricalThreshold },
    { label: 'chi-square', pValue: chiSquare.pValue, alpha: opts.chiSquareAlpha, n: currentCount },
    opts,
  );
  const unseenText =
    unseenCount > 0
      ? `${base.unseen.exact ? 'unseen' : 'unlisted'} categories ${formatShare(base.unseen.share)} (${base.unseen.values.map((v) => JSON.stringify(v)).join(', ')}${unseen.size > MAX_UNSEEN_LISTED ? ', …' : ''})`
      : null;
  return {
    ...base,
    psi,
    chiSquare,
    jensenShannon,
    severity: severityOf(jensenShannon, opts.categoricalThreshold, missing, opts),
    drifted: verdict.drifted || missing.drifted,
    reason: joinReasons(missing.text, verdict.text, unseenText),
  };
}

/** Features ordered for reading: drifted first, then by severity (desc), then by name. */
export function sortBySeverity<T extends { name: string; drifted: boolean; severity: number }>(features: readonly T[]): T[] {
  return features
    .map((feature, index) => ({ feature, index }))
    .sort(
      (a, b) =>
        Number(b.feature.drifted) - Number(a.feature.drifted) ||
        b.feature.severity - a.feature.severity ||
        compareStrings(a.feature.name, b.feature.name) ||
        a.index - b.index,
    )
    .map((e) => e.feature);
}

/**
 * Compares current rows (and optionally the model's current scores, `options.predictions`) to the
 * reference. Never throws on the current data itself (empty, missing or non-finite values, unseen
 * categories); throws on an invalid reference, invalid options or rows that are not objects.
 */
export function compareToReference(reference: DriftReference, currentRows: readonly DataRow[], options: CompareOptions = {}): DriftResult {
  const ref = parseDriftReference(reference);
  const opts = parseOrThrow(compareOptionsSchema, options, 'compareToReference: invalid options');
  checkRows(currentRows, 'compareToReference');
  const rowCount = currentRows.length;

  const features: FeatureDrift[] = ref.features.map((profile) =>
    profile.type === 'numeric'
      ? compareNumeric(profile, column(currentRows, profile.name), opts, 'rows')
      : compareCategorical(profile, column(currentRows, profile.name), opts),
  );
  const prediction =
    ref.prediction !== null && opts.predictions !== undefined
      ? compareNumeric(ref.prediction, opts.predictions, opts, 'predictions')
      : null;

  const totalFeatures = features.length;
  const driftedList = sortBySeverity(features.filter((f) => f.drifted));
  const driftedFeatures = driftedList.length;
  const assessedFeatures = features.filter((f) => f.psi !== null || f.drifted).length;
  const driftShare = rowCount > 0 ? driftedFeatures / totalFeatures : 0;
  const shareDrift = rowCount > 0 && driftShare >= opts.driftShareThreshold;
  const predictionDrift = prediction?.drifted ?? false;
  const drifted = shareDrift || predictionDrift;

  const shareText =
    rowCount > 0
      ? `${driftedFeatures} of ${totalFeatures} features drifted (${formatShare(driftShare)} ${shareDrift ? '≥' : '<'} ${formatShare(opts.driftShareThreshold)})`
      : 'no current rows: feature drift not assessed';
  const predictionText =
    prediction === null
      ? null
      : prediction.drifted
        ? 'prediction scores drifted'
        : prediction.psi === null
          ? 'prediction drift not assessed'
          : 'prediction scores stable';
  const causes = [shareDrift ? shareText : null, predictionDrift ? predictionText : null].filter((c): c is string => c !== null);
  const reasons = [drifted ? `drift detected: ${causes.join('; ')}` : `no drift: ${joinReasons(shareText, predictionText)}`];
  for (const f of driftedList) reasons.push(`feature "${f.name}" drifted: ${f.reason}`);
  if (prediction !== null) reasons.push(`predictions: ${prediction.reason}`);
  else if (ref.prediction !== null) reasons.push('predictions: not assessed: no current predictions were given');
  else if (opts.predictions !== undefined) reasons.push('predictions: not assessed: the reference has no prediction profile');

  return {
    schemaVersion: 1,
    drifted,
    driftShare,
    driftedFeatures,
    totalFeatures,
    assessedFeatures,
    referenceRows: ref.rowCount,
    currentRows: rowCount,
    settings: {
      psiThreshold: opts.psiThreshold,
      ksAlpha: opts.ksAlpha,
      categoricalThreshold: opts.categoricalThreshold,
      chiSquareAlpha: opts.chiSquareAlpha,
      driftShareThreshold: opts.driftShareThreshold,
      missingShareThreshold: opts.missingShareThreshold,
      requireSignificance: opts.requireSignificance,
      psiEpsilon: opts.psiEpsilon,
    },
    features,
    prediction,
    reasons,
  };
}
