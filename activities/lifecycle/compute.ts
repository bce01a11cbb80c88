/**
 * The CPU-heavy part of the lifecycle — feature extraction, training, evaluation and the drift
 * reference — as plain functions over files in the run's work directory. They run in a worker
 * thread (thread.ts), so a training never blocks the worker's event loop: heartbeats, workflow
 * tasks and the other task queues' activities go on while it computes. Each function reports its
 * progress through `progress`, which the activity forwards as its heartbeat.
 *
 * Splits are deterministic (hash of the row id, or of the policy for the latency model, so no
 * policy is on both sides); the evaluation data is the same for the candidate and the champion.
 */
import { readFileSync } from 'node:fs';
import { corpusRegoFiles, loadPolicyIndex, readJsonl } from '../../datasets/load';
import { failureRecordSchema, labelledManifestSchema, latencyMeasurementSchema } from '../../datasets/schemas';
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
import { sha256 } from '../../lib/digest';
import type { ModelFamily } from '../../registry/families';
import {
  describeFrame,
  extractManifestFeatures,
  type FrameSummary,
  featureFrame,
  MANIFEST_FEATURES,
  REGO_FEATURES,
  regoFeaturesOfFile,
  relevantFeatures,
} from '../features';
import { buildReference } from '../monitoring';
import { loadArtifactOf, toArtifact } from '../training/artifact';
import type { FeatureRow } from '../training/encoder';
import {
  crossValidateFix,
  FIX_FEATURES,
  type FixRecord,
  fitFpRuleThreshold,
  fixFeatureRow,
  fixMetrics,
  fixReport,
  fpRule,
  majorityDecision,
  trainFixClassifier,
} from '../training/fix';
import {
  crossValidateLatency,
  LATENCY_LEARNERS,
  type LatencyLearner,
  type LatencyRow,
  latencyFeatureRow,
  latencyMetrics,
  SIZE_FEATURES,
  trainLatencyRegressor,
} from '../training/latency';
import {
  evaluateRanker,
  type HeuristicPolicy,
  heuristicRanker,
  measureRankLatency,
  type RankerExample,
  type RankerLearner,
  selectRankerLearner,
  trainRanker,
} from '../training/ranker';
import { groupedSplit, stableUnit, trainTestSplit } from '../training/split';
import type { Metrics, TrainResult } from './types';

/** Reports what the computation is doing; the activity turns it into a heartbeat. */
export type Progress = (detail: string) => void;

/** An input a retry cannot fix (unknown policy in the data, …): the activity fails it as non-retryable. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** Share of the data held out for evaluation, and the split seed: fixed so champion and candidate see the same rows. */
export const TEST_SHARE = 0.2;
export const SPLIT_SEED = 20261123;

/**
 * Ranker learners compared in every training. The random forest (ml-random-forest) is left out:
 * on 1,200 manifests × 65 policies it did not finish in 300 s, against 3 s for logistic regression
 * and 11 s for a CART tree, which were also more accurate (hit@1 1.000 and 0.996).
 */
export const RANKER_CANDIDATES: readonly RankerLearner[] = ['logistic', 'cart'];
/**
 * What the latency model knows about a policy besides its Rego AST: from index.jsonl, whether its
 * input is a workload (pod templates are the largest inputs) and how many kinds it covers.
 */
const WORKLOAD_KIND_SET = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);
export const LATENCY_META_FEATURES = [
  { name: 'workload_policy', type: 'numeric' as const, description: 'the first kind the policy covers is a workload kind' },
  { name: 'kinds_covered', type: 'numeric' as const, description: 'number of kinds the policy covers' },
];
export const LATENCY_FEATURE_SPEC = [...REGO_FEATURES, ...LATENCY_META_FEATURES];
function latencyMetaFeatures(kinds: readonly string[]): Record<string, number> {
  return { workload_policy: WORKLOAD_KIND_SET.has(kinds[0] ?? '') ? 1 : 0, kinds_covered: kinds.length };
}

/** Rows the learner comparison uses at most. */
export const SELECTION_ROWS = 1500;

/** The feature file every family writes: ids (and groups) aligned with rows. */
interface FeatureFile {
  family: ModelFamily;
  ids: string[];
  /** ranker: the denying policies per row */
  labels?: string[][];
  /** fix: the failure records; latency: the latency rows */
  records?: unknown[];
  rows: FeatureRow[];
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function heuristicPolicies(): HeuristicPolicy[] {
  return loadPolicyIndex().map((meta) => ({
    id: meta.id,
    kinds: meta.kinds,
    reliability: meta.reliability,
    relevant: relevantFeatures(meta),
  }));
}

/** Split of a feature file into train and test row indices. */
function splitOf(file: FeatureFile): { train: number[]; test: number[] } {
  if (file.family === 'latency') {
    return groupedSplit(
      (file.records as LatencyRow[]).map((r) => r.policy),
      TEST_SHARE,
      SPLIT_SEED,
    );
  }
  return trainTestSplit(file.ids, TEST_SHARE, SPLIT_SEED);
}

function rankerExamples(file: FeatureFile, indices: readonly number[]): RankerExample[] {
  return indices.map((i) => ({
    id: file.ids[i] as string,
    features: file.rows[i] as FeatureRow,
    deny: (file.labels as string[][])[i] as string[],
  }));
}

const prefixed = (prefix: string, metrics: Metrics): Metrics =>
  Object.fromEntries(Object.entries(metrics).map(([k, v]) => [`${prefix}${k}`, v]));
const finite = (metrics: Metrics): Metrics => Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));

/** Scores a stored artifact of `family` on the test part of `file` (used for candidate and champion alike). */
function scoreArtifact(
  family: ModelFamily,
  json: unknown,
  file: FeatureFile,
  test: readonly number[],
): { metrics: Metrics; baselines: Record<string, Metrics>; details?: Record<string, unknown> } {
  if (family === 'ranker') {
    const { model } = loadArtifactOf('ranker', json);
    const examples = rankerExamples(file, test);
    const { metrics, aucPerPolicy } = evaluateRanker(model, examples);
    const latency = measureRankLatency(
      model,
      examples.map((e) => e.features),
    );
    const heuristic = heuristicRanker(heuristicPolicies(), { spec: MANIFEST_FEATURES });
    const heuristicMetrics = evaluateRanker(heuristic, examples).metrics;
    const heuristicLatency = measureRankLatency(
      heuristic,
      examples.map((e) => e.features),
    );
    return {
      metrics: { ...metrics, inference_p50_us: latency.p50Us, inference_p99_us: latency.p99Us },
      baselines: { heuristic: { ...heuristicMetrics, inference_p50_us: heuristicLatency.p50Us, inference_p99_us: heuristicLatency.p99Us } },
      details: { aucPerPolicy },
    };
  }
  if (family === 'fix') {
    const { model } = loadArtifactOf('fix', json);
    const records = file.records as FixRecord[];
    const all = test.map((i) => records[i] as FixRecord);
    const trainIdx = new Set(test);
    const trainRecords = records.filter((_, i) => !trainIdx.has(i));
    const report = fixReport(
      all,
      all.map((r) => model.predict(r).decision),
    );
    const majority = majorityDecision(trainRecords);
    const threshold = fitFpRuleThreshold(trainRecords);
    return {
      metrics: {
        ...fixMetrics(report),
        tp: report.confusion.matrix[1]?.[1] ?? 0,
        fp: report.confusion.matrix[0]?.[1] ?? 0,
        fn: report.confusion.matrix[1]?.[0] ?? 0,
        tn: report.confusion.matrix[0]?.[0] ?? 0,
      },
      baselines: {
        majority: fixMetrics(
          fixReport(
            all,
            all.map(() => majority),
          ),
        ),
        rule_fp_0_5: fixMetrics(fixReport(all, all.map(fpRule(0.5)))),
        rule_fp_fitted: { ...fixMetrics(fixReport(all, all.map(fpRule(threshold)))), threshold },
      },
    };
  }
  const { model } = loadArtifactOf('latency', json);
  const rows = test.map((i) => (file.records as LatencyRow[])[i] as LatencyRow);
  // baseline: every policy predicted at the training median latency for its input size
  return { metrics: latencyMetrics(model, rows), baselines: {} };
}

/** The feature spec of a family's feature table. */
export function featureSpecOf(family: ModelFamily) {
  return family === 'ranker' ? MANIFEST_FEATURES : family === 'fix' ? FIX_FEATURES : [...LATENCY_FEATURE_SPEC, ...SIZE_FEATURES];
}

/** Reads a family's raw records (`datasetPath`) and writes its feature file to `outPath`, with the table's profile. */
export async function computeFeatures(
  input: { config: Config; family: ModelFamily; datasetPath: string; outPath: string },
  progress: Progress,
): Promise<{ rows: number; columns: number; summary: FrameSummary }> {
  const { family } = input;
  let file: FeatureFile;
  if (family === 'ranker') {
    const rows = readJsonl(input.datasetPath, labelledManifestSchema);
    const features: FeatureRow[] = [];
    for (const [i, row] of rows.entries()) {
      features.push(extractManifestFeatures(row.manifest));
      if (i % 500 === 499) progress(`features of ${i + 1}/${rows.length} manifests`);
    }
    file = { family, ids: rows.map((r) => r.id), labels: rows.map((r) => r.deny), rows: features };
  } else if (family === 'fix') {
    const records = readJsonl(input.datasetPath, failureRecordSchema);
    file = { family, ids: records.map((r) => r.id), records, rows: records.map((r) => fixFeatureRow(r)) };
  } else {
    const measurements = readJsonl(input.datasetPath, latencyMeasurementSchema);
    const files = new Map(corpusRegoFiles().map((f) => [f.split('/').at(-2) as string, f]));
    const rego = new Map<string, Record<string, number>>();
    const index = new Map(loadPolicyIndex().map((m) => [m.id, m]));
    for (const policy of new Set(measurements.map((m) => m.policy))) {
      const path = files.get(policy);
      if (!path) throw new DatasetError(`latency measurement for unknown policy "${policy}" (no datasets/policies/${policy}/policy.rego)`);
      rego.set(policy, { ...(await regoFeaturesOfFile(input.config, path)), ...latencyMetaFeatures(index.get(policy)?.kinds ?? []) });
      progress(`Rego features of ${rego.size} policies`);
    }
    const records: LatencyRow[] = measurements.map((m) => ({
      policy: m.policy,
      features: rego.get(m.policy) as Record<string, number>,
      items: m.items,
      inventoryObjects: m.inventoryObjects,
      nsPerOp: m.nsPerOp,
    }));
    file = {
      family,
      ids: measurements.map((m, i) => `${m.policy}-${m.items}-${m.inventoryObjects}-${i}`),
      records,
      rows: records.map((r) => latencyFeatureRow(r)),
    };
  }
  writeAtomic(input.outPath, JSON.stringify(file));
  progress(`profiling ${file.rows.length} rows`);
  const summary = describeFrame(featureFrame(file.rows as Record<string, number | string>[], featureSpecOf(family)));
  return { rows: file.rows.length, columns: Object.keys(file.rows[0] ?? {}).length, summary };
}

/** Trains the family's candidate learners, keeps the best and writes its artifact to `modelPath`. */
export function computeTrain(
  input: { family: ModelFamily; featuresPath: string; modelPath: string; seed: number },
  progress: Progress,
): Omit<TrainResult, 'seconds'> {
  const { family } = input;
  const file = readJson<FeatureFile>(input.featuresPath);
  const { train, test } = splitOf(file);
  const createdFrom = {
    datasetDigest: sha256(readFileSync(input.featuresPath)),
    rows: file.rows.length,
    seed: input.seed,
    split: `hash seed ${SPLIT_SEED}, test ${TEST_SHARE}`,
    createdAt: new Date().toISOString(),
  };
  let artifact: unknown;
  let learner: string;
  let candidates: TrainResult['candidates'] = [];
  let validation: Metrics;
  if (family === 'ranker') {
    const examples = rankerExamples(file, train);
    const policies = loadPolicyIndex().map((m) => m.id);
    // the learners are compared on at most SELECTION_ROWS training rows (the comparison trains
    // each of them); the chosen one is then trained on every training row
    const sample =
      examples.length > SELECTION_ROWS ? examples.filter((e) => stableUnit(e.id, input.seed) < SELECTION_ROWS / examples.length) : examples;
    const selection = selectRankerLearner({
      examples: sample,
      spec: MANIFEST_FEATURES,
      policies,
      learners: RANKER_CANDIDATES,
      seed: input.seed,
      heuristic: heuristicPolicies(),
      onProgress: progress,
    });
    learner = selection.best;
    candidates = selection.table.map((row) => ({
      learner: row.learner,
      metrics: finite({ ...row.metrics, inference_p99_us: row.p99Us, train_seconds: row.trainSeconds }),
    }));
    validation = finite(selection.table.find((row) => row.learner === selection.best)?.metrics ?? {});
    if (sample.length !== examples.length) progress(`training ${selection.best} on all ${examples.length} training rows`);
    const ranker =
      sample.length === examples.length
        ? selection.ranker
        : trainRanker({ examples, spec: MANIFEST_FEATURES, policies, learner: selection.best, onProgress: progress });
    artifact = toArtifact(ranker, createdFrom, validation);
  } else if (family === 'fix') {
    const records = train.map((i) => (file.records as FixRecord[])[i] as FixRecord);
    const learners = ['logistic', 'cart'] as const;
    for (const l of learners) {
      const cv = crossValidateFix(records, { learner: l, k: 5, seed: input.seed });
      candidates.push({ learner: l, metrics: finite({ ...cv.mean, ...prefixed('std_', cv.std) }) });
      progress(`cross-validated ${l}`);
    }
    candidates.sort((a, b) => (b.metrics.accuracy ?? 0) - (a.metrics.accuracy ?? 0));
    learner = candidates[0]?.learner as string;
    validation = candidates[0]?.metrics ?? {};
    artifact = toArtifact(trainFixClassifier({ records, learner: learner as (typeof learners)[number] }), createdFrom, validation);
  } else {
    const rows = train.map((i) => (file.records as LatencyRow[])[i] as LatencyRow);
    for (const l of LATENCY_LEARNERS) {
      const folds = crossValidateLatency({ rows, spec: LATENCY_FEATURE_SPEC, learner: l, k: 5, seed: input.seed });
      const mean = Object.fromEntries(
        Object.keys(folds[0] ?? {}).map((k) => [k, folds.reduce((a, f) => a + (f[k] ?? 0), 0) / folds.length]),
      );
      candidates.push({ learner: l, metrics: finite(mean) });
      progress(`cross-validated ${l}`);
    }
    candidates.sort((a, b) => (b.metrics.r2 ?? -Infinity) - (a.metrics.r2 ?? -Infinity));
    learner = candidates[0]?.learner as string;
    validation = candidates[0]?.metrics ?? {};
    artifact = toArtifact(
      trainLatencyRegressor({ rows, spec: LATENCY_FEATURE_SPEC, learner: learner as LatencyLearner }),
      createdFrom,
      validation,
    );
  }
  writeAtomic(input.modelPath, JSON.stringify(artifact));
  return { modelPath: input.modelPath, learner, candidates, validation, trainRows: train.length, testRows: test.length };
}

export interface EvaluationReport {
  family: ModelFamily;
  testRows: number;
  metrics: Metrics;
  baselines: Record<string, Metrics>;
  champion: { version: string; metrics?: Metrics } | null;
  /** why the champion's artifact could not be scored, when it could not */
  championError?: string;
}

/**
 * Scores the candidate (and the champion's artifact, when one was downloaded to `championPath`) on
 * exactly the same held-out rows and writes the report to `reportPath`.
 */
export function computeEvaluation(
  input: {
    family: ModelFamily;
    featuresPath: string;
    modelPath: string;
    reportPath: string;
    champion?: { version: string; path: string };
  },
  progress: Progress,
): EvaluationReport {
  const { family } = input;
  const file = readJson<FeatureFile>(input.featuresPath);
  const { test } = splitOf(file);
  progress(`scoring the candidate on ${test.length} held-out rows`);
  const candidate = scoreArtifact(family, readJson(input.modelPath), file, test);
  let championMetrics: Metrics | undefined;
  let championError: string | undefined;
  if (input.champion) {
    progress(`scoring champion version ${input.champion.version} on the same rows`);
    try {
      championMetrics = finite(scoreArtifact(family, readJson(input.champion.path), file, test).metrics);
    } catch (error) {
      // a champion whose artifact cannot be read or scored cannot defend its title
      championError = `version ${input.champion.version}: ${(error as Error).message}`;
    }
  }
  const report: EvaluationReport & Record<string, unknown> = {
    family,
    testRows: test.length,
    metrics: finite(candidate.metrics),
    baselines: Object.fromEntries(Object.entries(candidate.baselines).map(([k, v]) => [k, finite(v)])),
    champion: input.champion ? { version: input.champion.version, metrics: championMetrics } : null,
    ...(championError ? { championError } : {}),
    ...candidate.details,
  };
  writeAtomic(input.reportPath, JSON.stringify(report, null, 2));
  return {
    family,
    testRows: report.testRows,
    metrics: report.metrics,
    baselines: report.baselines,
    champion: report.champion,
    ...(championError ? { championError } : {}),
  };
}

/** The drift reference of a trained model: the training rows' feature profile (+ the ranker's top scores), as JSON. */
export function computeReference(input: { family: ModelFamily; featuresPath: string; modelPath: string }, progress: Progress): string {
  const { family } = input;
  const file = readJson<FeatureFile>(input.featuresPath);
  const trainRows = splitOf(file).train.map((i) => file.rows[i] as FeatureRow);
  let predictions: number[] | undefined;
  if (family === 'ranker') {
    progress(`ranking ${trainRows.length} training rows for the prediction profile`);
    const { model } = loadArtifactOf('ranker', readJson(input.modelPath));
    predictions = trainRows.map((row) => model.rank(row, 1)[0]?.score ?? 0);
  }
  return JSON.stringify(buildReference(trainRows, featureSpecOf(family), { predictions }));
}

/** The tasks a compute thread runs, by name. */
export const COMPUTE_TASKS = { features: computeFeatures, train: computeTrain, evaluate: computeEvaluation, reference: computeReference };
export type ComputeTasks = typeof COMPUTE_TASKS;
export type ComputeTask = keyof ComputeTasks;
