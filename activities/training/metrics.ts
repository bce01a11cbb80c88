/**
 * Evaluation metrics for the three model families, pure and deterministic:
 *
 * - ranking (policy ranker): hit@k, precision@k, recall@k, MRR, per-label ROC AUC and macro AUC;
 * - classification (fix-strategy classifier): accuracy, precision / recall / F1 of a named positive
 *   class, confusion matrix;
 * - regression (latency regressor): MAE, R², MAPE; and percentile() for latency summaries.
 *
 * Every function rejects empty or mismatched input with a MetricError that says what was wrong.
 */

export class MetricError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricError';
  }
}

function requireSameLength(what: string, a: { length: number }, b: { length: number }): void {
  if (a.length !== b.length) throw new MetricError(`${what}: expected inputs of the same length, got ${a.length} and ${b.length}`);
}

function requireNonEmpty(what: string, a: { length: number }): void {
  if (a.length === 0) throw new MetricError(`${what}: empty input`);
}

function requireK(what: string, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new MetricError(`${what}: k must be a whole number ≥ 1, got ${k}`);
}

function requireFinite(what: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new MetricError(`${what}: value ${i} is not a finite number (${values[i]})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Ranking
// ---------------------------------------------------------------------------------------------

/** One manifest's ranked ids (best first) and the ids that are truly relevant (e.g. deny it). */
export interface RankedCase {
  ranked: readonly string[];
  relevant: readonly string[];
}

/** A ranking metric averaged over the manifests that have at least one relevant id. */
export interface RankingValue {
  value: number;
  /** manifests the average is over (≥ 1 relevant id) */
  evaluated: number;
  /** manifests left out because nothing is relevant to them (e.g. denied by no policy) */
  excludedNoLabels: number;
}

function averageOverLabelled(
  what: string,
  cases: readonly RankedCase[],
  perCase: (c: RankedCase, relevant: ReadonlySet<string>) => number,
): RankingValue {
  requireNonEmpty(what, cases);
  let sum = 0;
  let evaluated = 0;
  for (const c of cases) {
    const relevant = new Set(c.relevant);
    if (relevant.size === 0) continue;
    sum += perCase(c, relevant);
    evaluated++;
  }
  if (evaluated === 0) throw new MetricError(`${what}: none of the ${cases.length} cases has a relevant id`);
  return { value: sum / evaluated, evaluated, excludedNoLabels: cases.length - evaluated };
}

function relevantInTopK(c: RankedCase, relevant: ReadonlySet<string>, k: number): number {
  let hits = 0;
  const top = Math.min(k, c.ranked.length);
  for (let i = 0; i < top; i++) if (relevant.has(c.ranked[i] as string)) hits++;
  return hits;
}

/** Share of labelled manifests with at least one relevant id among the top k. */
export function hitAtK(cases: readonly RankedCase[], k: number): RankingValue {
  requireK('hit@k', k);
  return averageOverLabelled(`hit@${k}`, cases, (c, relevant) => (relevantInTopK(c, relevant, k) > 0 ? 1 : 0));
}

/** Mean share of the top k that is relevant (the denominator is always k, also when fewer are ranked). */
export function precisionAtK(cases: readonly RankedCase[], k: number): RankingValue {
  requireK('precision@k', k);
  return averageOverLabelled(`precision@${k}`, cases, (c, relevant) => relevantInTopK(c, relevant, k) / k);
}

/** Mean share of the relevant ids found among the top k. */
export function recallAtK(cases: readonly RankedCase[], k: number): RankingValue {
  requireK('recall@k', k);
  return averageOverLabelled(`recall@${k}`, cases, (c, relevant) => relevantInTopK(c, relevant, k) / relevant.size);
}

/** Mean reciprocal rank of the first relevant id (0 for a manifest whose relevant ids are not ranked at all). */
export function meanReciprocalRank(cases: readonly RankedCase[]): RankingValue {
  return averageOverLabelled('MRR', cases, (c, relevant) => {
    const index = c.ranked.findIndex((id) => relevant.has(id));
    return index < 0 ? 0 : 1 / (index + 1);
  });
}

/**
 * ROC AUC from scores and binary truth, rank-based (Mann-Whitney U): the probability that a random
 * positive scores above a random negative, ties counting one half (average ranks).
 */
export function rocAuc(scores: ArrayLike<number>, truth: ArrayLike<boolean>): number {
  requireSameLength('ROC AUC', scores, truth);
  requireNonEmpty('ROC AUC', scores);
  requireFinite('ROC AUC', scores);
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (truth[i]) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) {
    throw new MetricError(`ROC AUC: needs both classes, got ${positives} positive and ${negatives} negative`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSumPositives = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    const value = scores[order[start] as number] as number;
    while (end + 1 < n && scores[order[end + 1] as number] === value) end++;
    // ranks start..end (1-based start+1..end+1) are tied: each gets their average
    const averageRank = (start + end + 2) / 2;
    for (let i = start; i <= end; i++) if (truth[order[i] as number]) rankSumPositives += averageRank;
    start = end + 1;
  }
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface LabelAucs {
  /** AUC per label; null when the label has only one class in the data (AUC undefined) */
  perLabel: Record<string, number | null>;
  /** unweighted mean over the labels with a defined AUC */
  macro: number;
  evaluatedLabels: number;
  /** labels without a defined AUC (never or always relevant) */
  skippedLabels: string[];
}

/**
 * Per-label ROC AUC (one-vs-rest) and the macro average. `scores[i][label]` is case i's score for
 * the label (missing = 0); `relevant[i]` lists case i's true labels.
 */
export function perLabelAuc(
  labels: readonly string[],
  scores: readonly Readonly<Record<string, number>>[],
  relevant: readonly (readonly string[])[],
): LabelAucs {
  requireNonEmpty('per-label AUC (labels)', labels);
  requireNonEmpty('per-label AUC (cases)', scores);
  requireSameLength('per-label AUC', scores, relevant);
  const truthSets = relevant.map((ids) => new Set(ids));
  const perLabel: Record<string, number | null> = {};
  const skippedLabels: string[] = [];
  let sum = 0;
  let evaluated = 0;
  for (const label of labels) {
    const truth = truthSets.map((set) => set.has(label));
    const positives = truth.filter(Boolean).length;
    if (positives === 0 || positives === truth.length) {
      perLabel[label] = null;
      skippedLabels.push(label);
      continue;
    }
    const auc = rocAuc(
      scores.map((row) => row[label] ?? 0),
      truth,
    );
    perLabel[label] = auc;
    sum += auc;
    evaluated++;
  }
  if (evaluated === 0) throw new MetricError('per-label AUC: no label has both relevant and irrelevant cases');
  return { perLabel, macro: sum / evaluated, evaluatedLabels: evaluated, skippedLabels };
}

export interface RankingReport {
  cases: number;
  evaluated: number;
  excludedNoLabels: number;
  hitAt: Record<number, number>;
  precisionAt: Record<number, number>;
  recallAt: Record<number, number>;
  mrr: number;
}

/** hit@k, precision@k and recall@k for each k, and MRR, in one pass of the API above. */
export function rankingReport(cases: readonly RankedCase[], ks: readonly number[] = [1, 3, 5]): RankingReport {
  const mrr = meanReciprocalRank(cases);
  const report: RankingReport = {
    cases: cases.length,
    evaluated: mrr.evaluated,
    excludedNoLabels: mrr.excludedNoLabels,
    hitAt: {},
    precisionAt: {},
    recallAt: {},
    mrr: mrr.value,
  };
  for (const k of ks) {
    report.hitAt[k] = hitAtK(cases, k).value;
    report.precisionAt[k] = precisionAtK(cases, k).value;
    report.recallAt[k] = recallAtK(cases, k).value;
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------------------------

export interface ConfusionMatrix<C extends string = string> {
  /** class order of the rows and columns */
  classes: C[];
  /** matrix[actual][predicted]: counts, rows = actual class, columns = predicted class */
  matrix: number[][];
}

/**
 * Confusion matrix; `classes` fixes the order (default: the classes seen, sorted). A label outside
 * the given classes is an error.
 */
export function confusionMatrix<C extends string>(
  actual: readonly C[],
  predicted: readonly C[],
  classes?: readonly C[],
): ConfusionMatrix<C> {
  requireSameLength('confusion matrix', actual, predicted);
  requireNonEmpty('confusion matrix', actual);
  const order = classes ? [...classes] : [...new Set([...actual, ...predicted])].sort();
  if (new Set(order).size !== order.length) throw new MetricError('confusion matrix: classes must be distinct');
  const index = new Map(order.map((c, i) => [c, i]));
  const matrix = order.map(() => order.map(() => 0));
  for (let i = 0; i < actual.length; i++) {
    const a = index.get(actual[i] as C);
    const p = index.get(predicted[i] as C);
    if (a === undefined)
      throw new MetricError(`confusion matrix: actual label "${actual[i]}" (row ${i}) is not one of ${order.join(', ')}`);
    if (p === undefined)
      throw new MetricError(`confusion matrix: predicted label "${predicted[i]}" (row ${i}) is not one of ${order.join(', ')}`);
    (matrix[a] as number[])[p] = ((matrix[a] as number[])[p] as number) + 1;
  }
  return { classes: order, matrix };
}

export interface ClassificationReport<C extends string = string> {
  accuracy: number;
  /** of the positive class; 0 when nothing is predicted positive */
  precision: number;
  /** of the positive class; 0 when nothing is positive */
  recall: number;
  /** harmonic mean of precision and recall; 0 when both are 0 */
  f1: number;
  positive: C;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  support: number;
  confusion: ConfusionMatrix<C>;
}

/** Accuracy, and precision / recall / F1 of the named positive class, with the confusion matrix. */
export function classificationReport<C extends string>(
  actual: readonly C[],
  predicted: readonly C[],
  positive: C,
  classes?: readonly C[],
): ClassificationReport<C> {
  const confusion = confusionMatrix(actual, predicted, classes);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] === positive;
    const p = predicted[i] === positive;
    if (actual[i] === predicted[i]) correct++;
    if (a && p) tp++;
    else if (!a && p) fp++;
    else if (a && !p) fn++;
    else tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    accuracy: correct / actual.length,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    positive,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    support: tp + fn,
    confusion,
  };
}

export function accuracy<C extends string>(actual: readonly C[], predicted: readonly C[]): number {
  requireSameLength('accuracy', actual, predicted);
  requireNonEmpty('accuracy', actual);
  let correct = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] === predicted[i]) correct++;
  return correct / actual.length;
}

// ---------------------------------------------------------------------------------------------
// Regression
// ---------------------------------------------------------------------------------------------

function regressionInput(what: string, actual: ArrayLike<number>, predicted: ArrayLike<number>): void {
  requireSameLength(what, actual, predicted);
  requireNonEmpty(what, actual);
  requireFinite(`${what} (actual)`, actual);
  requireFinite(`${what} (predicted)`, predicted);
}

/** Mean absolute error. */
export function meanAbsoluteError(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  regressionInput('MAE', actual, predicted);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs((actual[i] as number) - (predicted[i] as number));
  return sum / actual.length;
}

/** Coefficient of determination 1 − SS_res / SS_tot (can be negative); undefined (an error) when every target is equal. */
export function rSquared(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  regressionInput('R²', actual, predicted);
  let mean = 0;
  for (let i = 0; i < actual.length; i++) mean += actual[i] as number;
  mean /= actual.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    residual += ((actual[i] as number) - (predicted[i] as number)) ** 2;
    total += ((actual[i] as number) - mean) ** 2;
  }
  if (total === 0) throw new MetricError('R²: every target is equal, so R² is undefined');
  return 1 - residual / total;
}

export interface MapeValue {
  /** mean of |actual − predicted| / |actual| over the non-zero targets (a share: 0.1 = 10 %) */
  value: number;
  evaluated: number;
  skippedZeroTargets: number;
}

/** Mean absolute percentage error as a share, skipping zero targets (counted separately). */
export function meanAbsolutePercentageError(actual: ArrayLike<number>, predicted: ArrayLike<number>): MapeValue {
  regressionInput('MAPE', actual, predicted);
  let sum = 0;
  let evaluated = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    if (a === 0) continue;
    sum += Math.abs(a - (predicted[i] as number)) / Math.abs(a);
    evaluated++;
  }
  if (evaluated === 0) throw new MetricError('MAPE: every target is zero');
  return { value: sum / evaluated, evaluated, skippedZeroTargets: actual.length - evaluated };
}

/**
 * The p-th percentile (0 ≤ p ≤ 100) with linear interpolation between closest ranks (the same
 * definition as numpy's default): p50 of [1, 2, 3, 4] is 2.5, p100 is the maximum.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  requireNonEmpty('percentile', values);
  requireFinite('percentile', values);
  if (!(p >= 0 && p <= 100)) throw new MetricError(`percentile: p must be within 0..100, got ${p}`);
  const sorted = Float64Array.from(values).sort();
  const position = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] as number;
  const b = sorted[upper] as number;
  return a + (b - a) * (position - lower);
}

// ---------------------------------------------------------------------------------------------
// Cross-validation summaries
// ---------------------------------------------------------------------------------------------

export interface CrossValidation {
  folds: Record<string, number>[];
  mean: Record<string, number>;
  std: Record<string, number>;
}

/** Mean and standard deviation (population) of each metric over the folds. */
export function summariseFolds(folds: readonly Record<string, number>[]): CrossValidation {
  if (folds.length === 0) throw new MetricError('summariseFolds: no folds');
  const names = Object.keys(folds[0] as Record<string, number>);
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  for (const name of names) {
    const values = folds.map((f) => {
      const v = f[name];
      if (v === undefined) throw new MetricError(`summariseFolds: a fold has no "${name}"`);
      return v;
    });
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[name] = m;
    std[name] = Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length);
  }
  return { folds: [...folds], mean, std };
}
