/**
 * Lifecycle steps after ingest: features → train → evaluate → register, for each model family.
 * Each step reads what the previous one wrote into the run's work directory and returns a small
 * summary; the data never travels through Temporal.
 *
 * Splits are deterministic (hash of the row id, or of the policy for the latency model, so no
 * policy is on both sides); the evaluation data is the same for the candidate and the champion.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { corpusRegoFiles, loadPolicyIndex, readJsonl } from '../../datasets/load';
import { failureRecordSchema, labelledManifestSchema, latencyMeasurementSchema } from '../../datasets/schemas';
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
import { sha256 } from '../../lib/digest';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { type ModelFamily, REGISTERED_MODEL_NAMES, registerAndPromote } from '../../registry/promotion';
import {
  describeFrame,
  extractManifestFeatures,
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
import type { DatasetRef, EvaluationResult, FeatureRef, Metrics, RegisterOutcome, TrainingRun, TrainResult } from './types';

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

export function trainActivities(config: Config) {
  const mlflow = () => mlflowClientFromConfig(config);
  return {
    async buildFeatures(input: { family: ModelFamily; run: TrainingRun; dataset: DatasetRef }): Promise<FeatureRef> {
      const started = performance.now();
      const { family, dataset } = input;
      let file: FeatureFile;
      if (family === 'ranker') {
        const rows = readJsonl(dataset.path, labelledManifestSchema);
        file = {
          family,
          ids: rows.map((r) => r.id),
          labels: rows.map((r) => r.deny),
          rows: rows.map((r) => extractManifestFeatures(r.manifest)),
        };
      } else if (family === 'fix') {
        const records = readJsonl(dataset.path, failureRecordSchema);
        file = { family, ids: records.map((r) => r.id), records, rows: records.map((r) => fixFeatureRow(r)) };
      } else {
        const measurements = readJsonl(dataset.path, latencyMeasurementSchema);
        const files = new Map(corpusRegoFiles().map((f) => [f.split('/').at(-2) as string, f]));
        const rego = new Map<string, Record<string, number>>();
        const index = new Map(loadPolicyIndex().map((m) => [m.id, m]));
        for (const policy of new Set(measurements.map((m) => m.policy))) {
          const path = files.get(policy);
          if (!path)
            throw ApplicationFailure.nonRetryable(
              `latency measurement for unknown policy "${policy}" (no datasets/policies/${policy}/policy.rego)`,
              'DatasetError',
            );
          const meta = index.get(policy);
          rego.set(policy, { ...(await regoFeaturesOfFile(config, path)), ...latencyMetaFeatures(meta?.kinds ?? []) });
          heartbeat();
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
      const path = join(input.run.workDir, 'features.json');
      writeAtomic(path, JSON.stringify(file));
      // the feature table's profile (polars), logged with the run so a reader of MLflow sees the data
      const spec = family === 'ranker' ? MANIFEST_FEATURES : family === 'fix' ? FIX_FEATURES : [...LATENCY_FEATURE_SPEC, ...SIZE_FEATURES];
      const summary = describeFrame(featureFrame(file.rows as Record<string, number | string>[], spec));
      await mlflow().uploadArtifact(input.run.runId, 'features/summary.json', JSON.stringify(summary, null, 2), 'application/json');
      const columns = Object.keys(file.rows[0] ?? {}).length;
      return { path, rows: file.rows.length, columns, seconds: (performance.now() - started) / 1000 };
    },

    async trainModel(input: { family: ModelFamily; run: TrainingRun; features: FeatureRef; seed: number }): Promise<TrainResult> {
      const started = performance.now();
      const { family } = input;
      const file = readJson<FeatureFile>(input.features.path);
      const { train, test } = splitOf(file);
      const datasetDigest = sha256(readFileSync(input.features.path));
      const createdFrom = {
        datasetDigest,
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
          examples.length > SELECTION_ROWS
            ? examples.filter((e) => stableUnit(e.id, input.seed) < SELECTION_ROWS / examples.length)
            : examples;
        const selection = selectRankerLearner({
          examples: sample,
          spec: MANIFEST_FEATURES,
          policies,
          learners: RANKER_CANDIDATES,
          seed: input.seed,
          heuristic: heuristicPolicies(),
          onProgress: () => heartbeat(),
        });
        learner = selection.best;
        candidates = selection.table.map((row) => ({
          learner: row.learner,
          metrics: finite({ ...row.metrics, inference_p99_us: row.p99Us, train_seconds: row.trainSeconds }),
        }));
        validation = finite(selection.table.find((row) => row.learner === selection.best)?.metrics ?? {});
        const ranker =
          sample.length === examples.length
            ? selection.ranker
            : trainRanker({ examples, spec: MANIFEST_FEATURES, policies, learner: selection.best });
        artifact = toArtifact(ranker, createdFrom, validation);
      } else if (family === 'fix') {
        const records = train.map((i) => (file.records as FixRecord[])[i] as FixRecord);
        const learners = ['logistic', 'cart'] as const;
        for (const l of learners) {
          const cv = crossValidateFix(records, { learner: l, k: 5, seed: input.seed });
          candidates.push({ learner: l, metrics: finite({ ...cv.mean, ...prefixed('std_', cv.std) }) });
          heartbeat();
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
          heartbeat();
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
      const modelPath = join(input.run.workDir, 'model.json');
      writeAtomic(modelPath, JSON.stringify(artifact));
      return {
        modelPath,
        learner,
        candidates,
        validation,
        trainRows: train.length,
        testRows: test.length,
        seconds: (performance.now() - started) / 1000,
      };
    },

    async evaluateModel(input: {
      family: ModelFamily;
      run: TrainingRun;
      features: FeatureRef;
      modelPath: string;
    }): Promise<EvaluationResult> {
      const started = performance.now();
      const { family } = input;
      const file = readJson<FeatureFile>(input.features.path);
      const { test } = splitOf(file);
      const candidate = scoreArtifact(family, readJson(input.modelPath), file, test);
      // the champion, measured on exactly the same held-out rows
      const client = mlflow();
      const champion = await client.getModelVersionByAlias(REGISTERED_MODEL_NAMES[family], 'champion');
      let championMetrics: Metrics | undefined;
      if (champion?.run_id) {
        try {
          const json = JSON.parse(await client.downloadText(champion.run_id, 'model/model.json'));
          championMetrics = finite(scoreArtifact(family, json, file, test).metrics);
        } catch (error) {
          // a champion whose artifact cannot be read or scored cannot defend its title
          championMetrics = undefined;
          await client.setTag(
            input.run.runId,
            'champion_unreadable',
            `version ${champion.version}: ${(error as Error).message}`.slice(0, 5000),
          );
        }
      }
      const report = {
        family,
        testRows: test.length,
        metrics: finite(candidate.metrics),
        baselines: Object.fromEntries(Object.entries(candidate.baselines).map(([k, v]) => [k, finite(v)])),
        champion: champion ? { version: champion.version, metrics: championMetrics } : null,
        ...candidate.details,
      };
      const reportPath = join(input.run.workDir, 'evaluation.json');
      writeAtomic(reportPath, JSON.stringify(report, null, 2));
      return {
        metrics: report.metrics,
        baselines: report.baselines,
        championVersion: championMetrics ? champion?.version : undefined,
        championMetrics,
        reportPath,
        seconds: (performance.now() - started) / 1000,
      };
    },

    async registerModel(input: {
      family: ModelFamily;
      run: TrainingRun;
      dataset: DatasetRef;
      features: FeatureRef;
      train: TrainResult;
      evaluation: EvaluationResult;
      seconds: Record<string, number | undefined>;
    }): Promise<RegisterOutcome> {
      const { family, run, train, evaluation } = input;
      const client = mlflow();
      // the drift reference: the training rows' feature profile (+ the ranker's top scores)
      const file = readJson<FeatureFile>(input.features.path);
      const { train: trainIdx } = splitOf(file);
      const trainRows = trainIdx.map((i) => file.rows[i] as FeatureRow);
      const spec = family === 'ranker' ? MANIFEST_FEATURES : family === 'fix' ? FIX_FEATURES : [...LATENCY_FEATURE_SPEC, ...SIZE_FEATURES];
      let predictions: number[] | undefined;
      if (family === 'ranker') {
        const { model } = loadArtifactOf('ranker', readJson(train.modelPath));
        predictions = trainRows.map((row) => model.rank(row, 1)[0]?.score ?? 0);
      }
      const reference = buildReference(trainRows, spec, { predictions });

      await client.uploadArtifact(run.runId, 'model/model.json', readFileSync(train.modelPath, 'utf8'), 'application/json');
      await client.uploadArtifact(run.runId, 'evaluation/report.json', readFileSync(evaluation.reportPath, 'utf8'), 'application/json');
      await client.uploadArtifact(run.runId, 'evaluation/candidates.json', JSON.stringify(train.candidates, null, 2), 'application/json');
      await client.uploadArtifact(run.runId, 'reference/drift_reference.json', JSON.stringify(reference), 'application/json');
      const metrics: Metrics = {
        ...evaluation.metrics,
        ...prefixed('val_', train.validation),
        ...Object.fromEntries(
          Object.entries(evaluation.baselines).flatMap(([name, m]) => Object.entries(m).map(([k, v]) => [`baseline_${name}_${k}`, v])),
        ),
        ...(evaluation.championMetrics ? prefixed('champion_', evaluation.championMetrics) : {}),
        ...Object.fromEntries(Object.entries(input.seconds).flatMap(([step, s]) => (s === undefined ? [] : [[`seconds_${step}`, s]]))),
        train_rows: train.trainRows,
        test_rows: train.testRows,
      };
      await client.logBatch({
        runId: run.runId,
        metrics: Object.entries(finite(metrics)).map(([key, value]) => ({ key, value })),
        params: { learner: train.learner, test_share: TEST_SHARE, split_seed: SPLIT_SEED, features: input.features.columns },
      });
      const outcome = await registerAndPromote({
        client,
        family,
        runId: run.runId,
        artifactPath: 'model/model.json',
        metrics: evaluation.metrics,
        championOnSameData: evaluation.championMetrics,
        championVersion: evaluation.championVersion,
        description: `${family} (${train.learner}) trained on ${input.dataset.name} (${input.dataset.digest.slice(0, 12)})`,
      });
      await client.setTag(run.runId, 'registered_version', outcome.version);
      await client.setTag(run.runId, 'alias', outcome.alias);
      await client.setTag(run.runId, 'promotion_reason', outcome.reason);
      await client.updateRun({ runId: run.runId, status: 'FINISHED' });
      return {
        ...outcome,
        runUrl: run.runUrl,
        modelUrl: `${config.mlflow.uri}/#/models/${encodeURIComponent(outcome.name)}/versions/${outcome.version}`,
      };
    },
  };
}
