/**
 * The fix-strategy family's part of the lifecycle's computation (compute.ts dispatches here):
 * features of the failure records, the learner comparison and training, and the scoring of a model
 * artifact on held-out rows with its baselines — every metric on all rows and separately on the
 * real (feedback, observed) and simulated rows.
 */
import { readJsonl } from '../../datasets/load';
import { failureRecordSchema } from '../../datasets/schemas';
import { loadArtifactOf } from '../training/artifact';
import type { FeatureRow } from '../training/encoder';
import {
  crossValidateFix,
  FIX_LEARNERS,
  type FixClassifier,
  type FixDecision,
  type FixLearner,
  type FixRecord,
  fitFpRuleThreshold,
  fixFeatureRow,
  fixMetricsBySource,
  fpRule,
  majorityDecision,
  rightDecision,
  trainFixClassifier,
} from '../training/fix';
import type { Metrics } from './types';

const finite = (metrics: Metrics): Metrics => Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));

/** The failure records of a dataset file and their feature rows. */
export function fixFeatures(datasetPath: string): { ids: string[]; records: FixRecord[]; rows: FeatureRow[] } {
  const records = readJsonl(datasetPath, failureRecordSchema);
  return { ids: records.map((r) => r.id), records, rows: records.map((r) => fixFeatureRow(r)) };
}

/** 5-fold cross-validation of each learner on the training rows; the best (accuracy) is trained on all of them. */
export function trainFix(
  records: readonly FixRecord[],
  seed: number,
  progress: (detail: string) => void,
): { classifier: FixClassifier; learner: FixLearner; candidates: { learner: string; metrics: Metrics }[]; validation: Metrics } {
  const candidates: { learner: FixLearner; metrics: Metrics }[] = [];
  for (const learner of FIX_LEARNERS) {
    const cv = crossValidateFix(records, { learner, k: 5, seed });
    candidates.push({
      learner,
      metrics: finite({ ...cv.mean, ...Object.fromEntries(Object.entries(cv.std).map(([k, v]) => [`std_${k}`, v])) }),
    });
    progress(`cross-validated ${learner}`);
  }
  candidates.sort((a, b) => (b.metrics.accuracy ?? 0) - (a.metrics.accuracy ?? 0));
  const best = candidates[0] as (typeof candidates)[number];
  return {
    classifier: trainFixClassifier({ records, learner: best.learner }),
    learner: best.learner,
    candidates,
    validation: best.metrics,
  };
}

/**
 * The model artifact `json` and the baselines (majority class, fp_score > 0.5, fp_score > the
 * threshold best on the training rows), all on the test rows. `accuracy_gain` is the model's
 * accuracy minus the best baseline's: the quality gate reads it.
 */
export function scoreFix(
  json: unknown,
  records: readonly FixRecord[],
  test: readonly number[],
): { metrics: Metrics; baselines: Record<string, Metrics> } {
  const { model } = loadArtifactOf('fix', json);
  const held = new Set(test);
  const rows = test.map((i) => records[i] as FixRecord);
  const trainRecords = records.filter((_, i) => !held.has(i));
  const predicted = rows.map((r) => model.predict(r).decision);
  const majority = majorityDecision(trainRecords);
  const threshold = fitFpRuleThreshold(trainRecords);
  const baselines: Record<string, Metrics> = {
    majority: fixMetricsBySource(
      rows,
      rows.map((): FixDecision => majority),
    ),
    rule_fp_0_5: fixMetricsBySource(rows, rows.map(fpRule(0.5))),
    rule_fp_fitted: { ...fixMetricsBySource(rows, rows.map(fpRule(threshold))), threshold },
  };
  const metrics = fixMetricsBySource(rows, predicted);
  const confusion = (right: FixDecision, said: FixDecision) =>
    rows.filter((r, i) => predicted[i] === said && rightDecision(r) === right).length;
  const best = Math.max(...Object.values(baselines).map((b) => b.accuracy ?? 0));
  return {
    metrics: {
      ...metrics,
      accuracy_gain: (metrics.accuracy ?? 0) - best,
      tp: confusion('policy_change', 'policy_change'),
      fp: confusion('manifest_patch', 'policy_change'),
      fn: confusion('policy_change', 'manifest_patch'),
      tn: confusion('manifest_patch', 'manifest_patch'),
    },
    baselines: Object.fromEntries(Object.entries(baselines).map(([k, v]) => [k, finite(v)])),
  };
}
