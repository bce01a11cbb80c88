/**
 * The comparison: `compareToReference` measures current data against the training reference and
 * decides, per feature and overall, whether the data drifted, with human-readable reasons.
 *
 * - Missing values (an absent key, null, NaN, ±Infinity, '', anything but a number, string or
 *   boolean) are left out of the distributions; a rise of the missing share is a drift signal of
 *   its own.
 * - A feature drifts when its change is both large (PSI for numeric, Jensen–Shannon distance for
 *   categorical, against a threshold) and statistically significant (KS resp. chi-square p-value below
 *   alpha) — `requireSignificance: false` drops the second condition — or when its missing share rose
 *   by at least `missingShareThreshold`. Requiring both avoids false alarms from small batches (PSI is
 *   noisy with few rows) and from very large ones (tiny, irrelevant shifts are significant).
 */
import {
  binShares,
  byFrequency,
  checkRows,
  column,
  compareStrings,
  countCategories,
  finiteOr,
  readNumbers,
  summarise,
} from './distributions';
import { binLabels, formatPValue, formatShare } from './format';
import { parseDriftReference } from './reference';
import {
  type BinShare,
  type CategoricalDrift,
  type CategoricalProfile,
  type CompareOptions,
  compareOptionsSchema,
  type DataRow,
  type DriftReference,
  type DriftResult,
  type FeatureDrift,
  type NumericDrift,
  type NumericProfile,
  parseOrThrow,
  type ResolvedCompareOptions,
} from './schemas';
import { chiSquareHomogeneity, jensenShannonDistance, ksSorted, populationStabilityIndex, sum } from './statistics';

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

/**
 * The verdict of a feature that cannot be measured — no reference values, no current `what`, or no
 * usable current values (then only a rise of the missing share can make it drift) — or undefined
 * when it can be.
 */
function unmeasurable(
  referenceCount: number,
  currentTotal: number,
  currentUsable: number,
  what: string,
  missing: MissingAssessment,
  threshold: number,
  opts: ResolvedCompareOptions,
): { severity: number; drifted: boolean; reason: string } | undefined {
  if (referenceCount === 0) return { severity: 0, drifted: false, reason: 'not assessed: the reference has no values' };
  if (currentTotal === 0) return { severity: 0, drifted: false, reason: `not assessed: no current ${what}` };
  if (currentUsable > 0) return undefined;
  return {
    severity: severityOf(null, threshold, missing, opts),
    drifted: missing.drifted,
    reason: joinReasons(missing.text, 'no usable current values'),
  };
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
  const unmeasured = unmeasurable(profile.count, raw.length, values.length, what, missing, opts.psiThreshold, opts);
  if (unmeasured) return { ...base, psi: null, ks: null, ...unmeasured };
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
  const unmeasured = unmeasurable(profile.count, raw.length, currentCount, 'rows', missing, opts.categoricalThreshold, opts);
  if (unmeasured) return { ...base, psi: null, chiSquare: null, jensenShannon: null, ...unmeasured };
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
  // the settings the result was made with: every resolved option but the current predictions
  const { predictions: _predictions, ...settings } = opts;
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
    settings,
    features,
    prediction,
    reasons,
  };
}
