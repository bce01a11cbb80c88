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
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
import { sha256 } from '../../lib/digest';
import type { ModelFamily } from '../../registry/families';
import { describeFrame, type FrameSummary, featureFrame, MANIFEST_FEATURES } from '../features';
import { LATENCY_FEATURE_SPEC } from '../features/latency';
import { buildReference } from '../monitoring';
import { toArtifact } from '../training/artifact';
import type { FeatureRow } from '../training/encoder';
import { FIX_FEATURES, type FixRecord } from '../training/fix';
import { type LatencyRow, SIZE_FEATURES } from '../training/latency';
import { groupedSplit, trainTestSplit } from '../training/split';
import { fixFeatures, scoreFix, trainFix } from './compute-fix';
import { latencyFeatures, type SourcedLatencyRow, scoreLatency, trainLatency } from './compute-latency';
import { computeRankerEvaluation, computeRankerFeatures, computeRankerReference, computeRankerTrain } from './compute-ranker';
import { mergeFeatureShards } from './shards-compute';
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

/** The feature file the fix and latency families write (the ranker's: compute-ranker.ts): ids aligned with rows. */
interface FeatureFile {
  family: ModelFamily;
  ids: string[];
  /** fix: the failure records; latency: the latency rows */
  records?: unknown[];
  rows: FeatureRow[];
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
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

const finite = (metrics: Metrics): Metrics => Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));

/** Scores a stored artifact of `family` on the test part of `file` (used for candidate and champion alike). */
function scoreArtifact(
  family: ModelFamily,
  json: unknown,
  file: FeatureFile,
  test: readonly number[],
): { metrics: Metrics; baselines: Record<string, Metrics>; details?: Record<string, unknown> } {
  // fix: compute-fix.ts; latency: compute-latency.ts (the size-only baseline next to the model)
  if (family === 'fix') return scoreFix(json, file.records as FixRecord[], test);
  return scoreLatency(json, file.records as SourcedLatencyRow[], test);
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
  if (family === 'ranker') return computeRankerFeatures(input, progress);
  const file: FeatureFile =
    family === 'fix'
      ? { family, ...fixFeatures(input.datasetPath) }
      : { family, ...(await latencyFeatures(input.config, input.datasetPath, progress)) };
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
  if (family === 'ranker') return computeRankerTrain(input, progress);
  const file = readJson<FeatureFile>(input.featuresPath);
  const { train, test } = splitOf(file);
  const createdFrom = {
    datasetDigest: sha256(readFileSync(input.featuresPath)),
    rows: file.rows.length,
    seed: input.seed,
    split: `hash seed ${SPLIT_SEED}, test ${TEST_SHARE}`,
    createdAt: new Date().toISOString(),
  };
  const trained =
    family === 'fix'
      ? (({ classifier, ...rest }) => ({ ...rest, model: classifier }))(
          trainFix(
            train.map((i) => (file.records as FixRecord[])[i] as FixRecord),
            input.seed,
            progress,
          ),
        )
      : (({ regressor, ...rest }) => ({ ...rest, model: regressor }))(
          trainLatency(
            train.map((i) => (file.records as LatencyRow[])[i] as LatencyRow),
            input.seed,
            progress,
          ),
        );
  const { learner, candidates, validation } = trained;
  const artifact = toArtifact(trained.model, createdFrom, validation);
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
  /** further numbers logged with the run, not gated (ranker: counts by origin and source, the split) */
  details?: Metrics;
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
    /** ranker: the foreign set labelled by the activity (compute-ranker.ts ForeignRow[]) */
    foreignPath?: string;
  },
  progress: Progress,
): EvaluationReport {
  const { family } = input;
  if (family === 'ranker') return computeRankerEvaluation(input, progress);
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
  if (family === 'ranker') return computeRankerReference(input, progress);
  const file = readJson<FeatureFile>(input.featuresPath);
  const trainRows = splitOf(file).train.map((i) => file.rows[i] as FeatureRow);
  return JSON.stringify(buildReference(trainRows, featureSpecOf(family)));
}

/** The tasks a compute thread runs, by name. */
export const COMPUTE_TASKS = {
  features: computeFeatures,
  train: computeTrain,
  evaluate: computeEvaluation,
  reference: computeReference,
  mergeFeatureShards,
};
export type ComputeTasks = typeof COMPUTE_TASKS;
export type ComputeTask = keyof ComputeTasks;
