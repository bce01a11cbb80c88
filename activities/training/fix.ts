/**
 * Fix-strategy classifier: for a policy denial, should the manifest be patched or the policy
 * changed? Learned from failure records (`failureRecordSchema`): the simulated failure log
 * (datasets/failures/failure_log.jsonl, `source: simulated`) and the real rows the lifecycle adds at
 * ingest — explicit feedback (`pac feedback`, POST /v1/feedback: `source: feedback`) and implicit
 * feedback read from the observations (`source: observed`, activities/observations/feedback-labels.ts).
 *
 * Target: the RIGHT decision for a row — the decision taken if the reviewer accepted it, the other
 * one if not. Features are what is known when the denial happens (never `decision` / `accepted`):
 * fp_score, developer_revert_history (+ whether > 0), policy_reliability, severity (ordinal),
 * failure_type (one-hot) and optionally the resource's kind.
 *
 * `co_denials` (how many other policies deny the same resource) is NOT a feature any more: in the
 * simulation it carried the answer — spurious denials were drawn from acceptable variants of good
 * manifests (one policy denies them), real ones from generated manifests (several usually do) — so
 * a model reading it learnt the generator, not the reviewers (CART 5-fold accuracy 0.939 with it,
 * 0.763 without, majority class 0.724). `featureLeakage` measures, for every feature, how well it
 * predicts the label on its own; a unit test keeps every feature below 0.99.
 *
 * Models: our logistic regression or an ml-cart tree, over the shared encoder; baselines: the
 * majority class and one-line fp_score rules. Metrics: accuracy, precision / recall / F1 of
 * policy_change, confusion matrix, on all rows and separately on real and simulated rows
 * (`fixReportsBySource`); k-fold cross-validation reports the spread.
 */
import { z } from 'zod';
import type { FailureRecord } from '../../datasets/schemas';
import { categoricalFeature as c, type DescribedFeature, numericFeature as n } from '../features/spec';
import { EncodedModel, encodedStateSchema, loadEncodedModel } from './encoded-model';
import { type FeatureEncoder, type FeatureRow, fitEncoder } from './encoder';
import { type ClassificationReport, type CrossValidation, classificationReport, summariseFolds } from './metrics';
import {
  fitCartClassifier,
  fitLogisticRegression,
  type LogisticOptions,
  ModelError,
  predictModel,
  scoringModelSchema,
  type TreeOptions,
} from './models';
import { kFold, splitRows, trainTestSplit } from './split';

export const FIX_DECISIONS = ['manifest_patch', 'policy_change'] as const;
export type FixDecision = (typeof FIX_DECISIONS)[number];
/** The class precision / recall / F1 are reported for. */
export const FIX_POSITIVE: FixDecision = 'policy_change';

/** What the classifier reads: the parts of a failure record known when the denial happens. */
export type FixInput = Pick<
  FailureRecord,
  'fp_score' | 'developer_revert_history' | 'policy_reliability' | 'severity' | 'failure_type' | 'resource'
>;

/** Where a failure record came from: the simulation, or real (explicit feedback, observed outcomes). */
export const FIX_SOURCES = ['simulated', 'feedback', 'observed'] as const;
export type FixSource = (typeof FIX_SOURCES)[number];
export const REAL_FIX_SOURCES: readonly FixSource[] = ['feedback', 'observed'];
export const isRealSource = (source: FixSource | undefined): boolean => source !== undefined && REAL_FIX_SOURCES.includes(source);

/** The decision that was right for the row: the one taken when accepted, otherwise the other. */
export function rightDecision(record: Pick<FailureRecord, 'decision' | 'accepted'>): FixDecision {
  if (record.accepted) return record.decision;
  return record.decision === 'policy_change' ? 'manifest_patch' : 'policy_change';
}

export const SEVERITY_ORDINAL: Record<FailureRecord['severity'], number> = { low: 0, medium: 1, high: 2, critical: 3 };

export const FIX_FEATURES: readonly DescribedFeature[] = [
  n('fp_score', 'how often the policy denies manifests reviewers accept (0-1)'),
  n('developer_revert_history', "earlier fixes of this policy's denials on the same app that developers reverted"),
  n('reverted_before', 'developers reverted an earlier patch of this policy on this app'),
  n('policy_reliability', "the policy's reliability prior from index.jsonl"),
  n('severity', 'severity, ordinal (low 0 … critical 3)'),
  c('failure_type', 'what kind of problem the denial reports'),
  c('resource_kind', 'the kind of the denied resource'),
];

/**
 * The features used unless told otherwise: all but resource_kind. What it carries on the simulated
 * failure log is the simulation's kind mix (spurious denials come from the positive fixtures'
 * kinds), not a reason a denial is spurious.
 */
export const DEFAULT_FIX_FEATURES: readonly string[] = FIX_FEATURES.filter((f) => f.name !== 'resource_kind').map((f) => f.name);

export function fixFeatureRow(input: FixInput): FeatureRow {
  return {
    fp_score: input.fp_score,
    developer_revert_history: input.developer_revert_history,
    reverted_before: input.developer_revert_history > 0 ? 1 : 0,
    policy_reliability: input.policy_reliability,
    severity: SEVERITY_ORDINAL[input.severity],
    failure_type: input.failure_type,
    resource_kind: input.resource.split(' ')[0] ?? '',
  };
}

export const FIX_LEARNERS = ['logistic', 'cart'] as const;
export type FixLearner = (typeof FIX_LEARNERS)[number];

export const fixModelSchema = z.object({
  learner: z.enum(FIX_LEARNERS),
  /** P(policy_change) at or above this → policy_change */
  threshold: z.number().min(0).max(1),
  scorer: scoringModelSchema,
});
export type FixModel = z.infer<typeof fixModelSchema>;

export const fixStateSchema = encodedStateSchema(fixModelSchema);
export type FixState = z.infer<typeof fixStateSchema>;

export interface FixPrediction {
  decision: FixDecision;
  /** P(policy_change) */
  probability: number;
}

export class FixClassifier extends EncodedModel<FixModel> {
  constructor(encoder: FeatureEncoder, model: FixModel) {
    super(encoder, model, [['fix classifier: the model', model.scorer]]);
  }

  probability(input: FixInput): number {
    return predictModel(this.model.scorer, this.encoder.transform(fixFeatureRow(input)));
  }

  predict(input: FixInput): FixPrediction {
    const probability = this.probability(input);
    return { decision: probability >= this.model.threshold ? 'policy_change' : 'manifest_patch', probability };
  }

  static fromJSON(json: unknown): FixClassifier {
    return loadEncodedModel(fixStateSchema, json, FixClassifier);
  }
}

export interface TrainFixInput {
  records: readonly (FixInput & Pick<FailureRecord, 'decision' | 'accepted'>)[];
  learner: FixLearner;
  logistic?: LogisticOptions;
  cart?: TreeOptions;
  /** default 0.5 */
  threshold?: number;
  /** names of FIX_FEATURES to use (default: DEFAULT_FIX_FEATURES); the encoder stores the choice */
  features?: readonly string[];
}

export function trainFixClassifier(input: TrainFixInput): FixClassifier {
  if (input.records.length === 0) throw new ModelError('trainFixClassifier: no records');
  const rows = input.records.map(fixFeatureRow);
  const names = input.features ?? DEFAULT_FIX_FEATURES;
  const unknown = names.filter((name) => !FIX_FEATURES.some((f) => f.name === name));
  if (unknown.length) throw new ModelError(`trainFixClassifier: unknown features ${unknown.join(', ')}`);
  const encoder = fitEncoder(
    rows,
    FIX_FEATURES.filter((f) => names.includes(f.name)),
  );
  const x = encoder.transformAll(rows);
  const y = input.records.map((r) => (rightDecision(r) === 'policy_change' ? 1 : 0));
  const scorer =
    input.learner === 'logistic'
      ? fitLogisticRegression(x, y, { epochs: 60, batchSize: 64, ...input.logistic })
      : fitCartClassifier(x, y, { maxDepth: 5, minNumSamples: 20, ...input.cart });
  return new FixClassifier(encoder, fixModelSchema.parse({ learner: input.learner, threshold: input.threshold ?? 0.5, scorer }));
}

// ---------------------------------------------------------------------------------------------
// Baselines
// ---------------------------------------------------------------------------------------------

/** The most frequent right decision in the training records (ties: manifest_patch). */
export function majorityDecision(records: readonly Pick<FailureRecord, 'decision' | 'accepted'>[]): FixDecision {
  if (records.length === 0) throw new ModelError('majorityDecision: no records');
  const changes = records.filter((r) => rightDecision(r) === 'policy_change').length;
  return changes > records.length - changes ? 'policy_change' : 'manifest_patch';
}

/** The one-line rule: fp_score > threshold → policy_change. */
export function fpRule(threshold: number): (input: Pick<FailureRecord, 'fp_score'>) => FixDecision {
  return (input) => (input.fp_score > threshold ? 'policy_change' : 'manifest_patch');
}

/** The fp_score threshold with the best training accuracy (candidates: midpoints of the distinct scores, and below all). */
export function fitFpRuleThreshold(records: readonly Pick<FailureRecord, 'fp_score' | 'decision' | 'accepted'>[]): number {
  if (records.length === 0) throw new ModelError('fitFpRuleThreshold: no records');
  const values = [...new Set(records.map((r) => r.fp_score))].sort((a, b) => a - b);
  const candidates = [1, ...values.slice(1).map((v, i) => ((values[i] as number) + v) / 2), (values[0] as number) - 1e-9];
  let best = 1;
  let bestCorrect = -1;
  for (const threshold of candidates) {
    const rule = fpRule(threshold);
    const correct = records.filter((r) => rule(r) === rightDecision(r)).length;
    if (correct > bestCorrect) {
      bestCorrect = correct;
      best = threshold;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

export type FixRecord = FixInput & Pick<FailureRecord, 'id' | 'decision' | 'accepted'> & { source?: FixSource };

export function fixReport(
  records: readonly Pick<FailureRecord, 'decision' | 'accepted'>[],
  predicted: readonly FixDecision[],
): ClassificationReport<FixDecision> {
  return classificationReport(records.map(rightDecision), predicted, FIX_POSITIVE, FIX_DECISIONS);
}

/** MLflow-style metric names of a report. */
export function fixMetrics(report: ClassificationReport<FixDecision>): Record<string, number> {
  return { accuracy: report.accuracy, precision: report.precision, recall: report.recall, f1: report.f1, support: report.support };
}

/**
 * Metrics of `predicted` on every row, and on the real and the simulated rows alone, as MLflow-style
 * names: accuracy, …; real_accuracy, …, real_support (rows); simulated_accuracy, …. A part with no
 * rows reports only its support (0).
 */
export function fixMetricsBySource(records: readonly FixRecord[], predicted: readonly FixDecision[]): Record<string, number> {
  const out: Record<string, number> = fixMetrics(fixReport(records, predicted));
  for (const [part, keep] of [
    ['real', (r: FixRecord) => isRealSource(r.source)],
    ['simulated', (r: FixRecord) => !isRealSource(r.source)],
  ] as const) {
    const indices = records.flatMap((r, i) => (keep(r) ? [i] : []));
    out[`${part}_support`] = indices.length;
    if (indices.length === 0) continue;
    const metrics = fixMetrics(
      fixReport(
        indices.map((i) => records[i] as FixRecord),
        indices.map((i) => predicted[i] as FixDecision),
      ),
    );
    for (const [key, value] of Object.entries(metrics)) if (key !== 'support') out[`${part}_${key}`] = value;
  }
  return out;
}

/**
 * How well each feature predicts the right decision on its own: k-fold cross-validated accuracy of
 * a lookup table (the feature's value → the majority right decision among training rows with that
 * value; an unseen value → the training majority). A feature the label can be computed from scores
 * near 1; one that carries nothing scores the majority share. Returns feature → accuracy, with the
 * majority-class accuracy under `majority`.
 */
export function featureLeakage<R extends FixInput & Pick<FailureRecord, 'id' | 'decision' | 'accepted'>>(
  records: readonly R[],
  options: { features?: readonly string[]; k?: number; seed?: number; extra?: (record: R) => FeatureRow } = {},
): Record<string, number> {
  if (records.length === 0) throw new ModelError('featureLeakage: no records');
  const rows = records.map((r) => ({ ...fixFeatureRow(r), ...options.extra?.(r) }));
  const labels = records.map(rightDecision);
  const names = options.features ?? Object.keys(rows[0] ?? {});
  const folds = kFold(
    records.map((r) => r.id),
    options.k ?? 5,
    options.seed ?? 1,
  );
  const correct: Record<string, number> = Object.fromEntries([...names, 'majority'].map((n) => [n, 0]));
  for (const fold of folds) {
    const majority = majorityDecision(fold.train.map((i) => records[i] as FixRecord));
    for (const i of fold.test) if (labels[i] === majority) correct.majority = (correct.majority ?? 0) + 1;
    for (const name of names) {
      const counts = new Map<string, number>();
      for (const i of fold.train) {
        const key = String(rows[i]?.[name]);
        counts.set(key, (counts.get(key) ?? 0) + (labels[i] === 'policy_change' ? 1 : -1));
      }
      for (const i of fold.test) {
        const vote = counts.get(String(rows[i]?.[name]));
        const predicted = vote === undefined || vote === 0 ? majority : vote > 0 ? 'policy_change' : 'manifest_patch';
        if (predicted === labels[i]) correct[name] = (correct[name] ?? 0) + 1;
      }
    }
  }
  return Object.fromEntries(Object.entries(correct).map(([name, n]) => [name, n / records.length]));
}

export interface FixEvaluation {
  trainRows: number;
  testRows: number;
  model: ClassificationReport<FixDecision>;
  baselines: {
    majority: ClassificationReport<FixDecision> & { decision: FixDecision };
    /** fp_score > 0.5 */
    rule: ClassificationReport<FixDecision> & { threshold: number };
    /** fp_score > the threshold that is best on the training part */
    fittedRule: ClassificationReport<FixDecision> & { threshold: number };
  };
  classifier: FixClassifier;
}

/** Trains on one part and reports the model and the baselines on the other. */
export function evaluateFixSplit(
  train: readonly FixRecord[],
  test: readonly FixRecord[],
  options: Omit<TrainFixInput, 'records'>,
): FixEvaluation {
  if (test.length === 0) throw new ModelError('evaluateFixSplit: no test records');
  const classifier = trainFixClassifier({ ...options, records: train });
  const majority = majorityDecision(train);
  const threshold = fitFpRuleThreshold(train);
  const rule = fpRule(0.5);
  const fitted = fpRule(threshold);
  return {
    trainRows: train.length,
    testRows: test.length,
    model: fixReport(
      test,
      test.map((r) => classifier.predict(r).decision),
    ),
    baselines: {
      majority: {
        ...fixReport(
          test,
          test.map(() => majority),
        ),
        decision: majority,
      },
      rule: { ...fixReport(test, test.map(rule)), threshold: 0.5 },
      fittedRule: { ...fixReport(test, test.map(fitted)), threshold },
    },
    classifier,
  };
}

const recordIds = (records: readonly FixRecord[]) => records.map((r) => r.id);

/** A held-out split by record id. */
export function holdoutFix(
  records: readonly FixRecord[],
  options: Omit<TrainFixInput, 'records'> & { testShare?: number; seed?: number },
): FixEvaluation {
  const { train, test } = splitRows(records, trainTestSplit(recordIds(records), options.testShare ?? 0.2, options.seed ?? 1));
  return evaluateFixSplit(train, test, options);
}

/**
 * k-fold cross-validation by record id: per fold, the model's metrics and the baselines' accuracy
 * (baseline_majority_accuracy, baseline_rule_accuracy, baseline_fitted_rule_accuracy).
 */
export function crossValidateFix(
  records: readonly FixRecord[],
  options: Omit<TrainFixInput, 'records'> & { k?: number; seed?: number },
): CrossValidation {
  const folds = kFold(recordIds(records), options.k ?? 5, options.seed ?? 1);
  return summariseFolds(
    folds.map((fold) => {
      const { train, test } = splitRows(records, fold);
      const evaluation = evaluateFixSplit(train, test, options);
      return {
        ...fixMetrics(evaluation.model),
        baseline_majority_accuracy: evaluation.baselines.majority.accuracy,
        baseline_rule_accuracy: evaluation.baselines.rule.accuracy,
        baseline_fitted_rule_accuracy: evaluation.baselines.fittedRule.accuracy,
      };
    }),
  );
}

export interface FixComparison {
  /** highest mean accuracy, then highest mean F1 (the registry's comparison order) */
  best: FixLearner;
  table: { learner: FixLearner; cv: CrossValidation }[];
}

/** k-fold cross-validation of each learner on the same folds, so the choice is measured. */
export function compareFixLearners(
  records: readonly FixRecord[],
  options: { learners?: readonly FixLearner[]; k?: number; seed?: number; features?: readonly string[] } = {},
): FixComparison {
  const learners = options.learners ?? FIX_LEARNERS;
  if (learners.length === 0) throw new ModelError('compareFixLearners: no candidate learners');
  const table = learners.map((learner) => ({
    learner,
    cv: crossValidateFix(records, { learner, k: options.k, seed: options.seed, features: options.features }),
  }));
  table.sort((a, b) => {
    const accuracy = (b.cv.mean.accuracy as number) - (a.cv.mean.accuracy as number);
    return Math.abs(accuracy) > 1e-9 ? accuracy : (b.cv.mean.f1 as number) - (a.cv.mean.f1 as number);
  });
  return { best: (table[0] as FixComparison['table'][number]).learner, table };
}
