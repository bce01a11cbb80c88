/**
 * The ranker's part of the lifecycle computation (compute.ts dispatches here; it runs in the
 * compute thread): features of the observed and simulated rows, the split, training with
 * calibration, the honest evaluation and the drift reference.
 *
 * - Split: near-identical manifests (one skeleton digest) stay on one side. With at least
 *   TIME_HOLDOUT_MIN_OBSERVED deduplicated observations the holdout is time-based — the newest 20 %
 *   of the observed rows (an import timed by its import time) plus 20 % of the simulated groups by
 *   hash —, otherwise 20 % of all groups by hash. The split is a function of the rows alone, so
 *   the candidate, the champion and the baselines are measured on the same rows.
 * - Training: the learners are compared on (a sample of) 80 % of the training part, the chosen one
 *   is fitted on that 80 % and calibrated (Platt per policy) on the other 20 %, which it never saw.
 *   A policy is scored only for the kinds its metadata names.
 * - Evaluation: every metric (ranker-quality.ts) for the candidate, the per-kind popularity
 *   baseline and the heuristic, on the whole holdout, its observed and its simulated rows, and on
 *   the foreign set (datasets/foreign/workloads, labelled by the engine at evaluation time).
 */
import { readFileSync } from 'node:fs';
import { readJsonl } from '../../datasets/load';
import { writeAtomic } from '../../lib/atomic';
import { sha256 } from '../../lib/digest';
import { describeFrame, extractManifestFeatures, type FrameSummary, featureFrame, MANIFEST_FEATURES, relevantFeatures } from '../features';
import { buildReference } from '../monitoring';
import { loadArtifactOf, toArtifact } from '../training/artifact';
import type { FeatureRow } from '../training/encoder';
import {
  heuristicRanker,
  measureRankLatency,
  type Ranker,
  type RankerExample,
  type RankerLearner,
  selectRankerLearner,
  trainRanker,
} from '../training/ranker';
import { calibrateRanker, plattRanker, popularityRanker, rankerQuality } from '../training/ranker-quality';
import { groupedSplit, stableUnit, type TimeHoldout, timeGroupedHoldout } from '../training/split';
import {
  policiesPathOf,
  type RankerPolicies,
  type RankerRow,
  type RowOrigin,
  rankerPoliciesSchema,
  rankerRowSchema,
  toPolicyInfo,
} from './ranker-data';
import type { Metrics, TrainResult } from './types';

type Progress = (detail: string) => void;

/** The holdout share and split seed (the same as the other families' in compute.ts). */
export const RANKER_TEST_SHARE = 0.2;
export const RANKER_SPLIT_SEED = 20261123;
/** From this many deduplicated observations on, the holdout is the newest 20 % of them. */
export const TIME_HOLDOUT_MIN_OBSERVED = 500;
/** Share of the training part the calibration is fitted on (never trained on). */
export const CALIBRATION_SHARE = 0.2;
/** Rows the learner comparison uses at most. */
export const SELECTION_ROWS = 1500;
/**
 * Learners compared in every training. The random forest (ml-random-forest) is left out: on 1,200
 * manifests × 65 policies it did not finish in 300 s, against 3 s for logistic regression and 11 s
 * for a CART tree, which were also more accurate.
 */
export const RANKER_CANDIDATES: readonly RankerLearner[] = ['logistic', 'cart'];

export interface RankerFeatureFile {
  family: 'ranker';
  ids: string[];
  labels: string[][];
  rows: FeatureRow[];
  origins: RowOrigin[];
  sources: string[];
  /** epoch ms of observed rows; null for simulated ones */
  times: (number | null)[];
  /** skeleton digests */
  groups: string[];
  policies: RankerPolicies['policies'];
  corpusDigest: string;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const finite = (metrics: Metrics): Metrics => Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));
const prefixed = (prefix: string, metrics: Metrics): Metrics =>
  Object.fromEntries(Object.entries(metrics).map(([k, v]) => [`${prefix}${k}`, v]));

function heuristicOf(policies: RankerPolicies['policies']): Ranker {
  return heuristicRanker(
    policies.map((p) => ({ id: p.id, kinds: p.kinds, reliability: p.reliability, relevant: relevantFeatures(p) })),
    { spec: MANIFEST_FEATURES },
  );
}

/** Reads the ingested rows and the policy list, and writes the feature file with the table's profile. */
export function computeRankerFeatures(
  input: { datasetPath: string; outPath: string },
  progress: Progress,
): {
  rows: number;
  columns: number;
  summary: FrameSummary;
} {
  const data = readJsonl(input.datasetPath, rankerRowSchema);
  const policies = rankerPoliciesSchema.parse(readJson(policiesPathOf(input.datasetPath)));
  const rows: FeatureRow[] = [];
  for (const [i, row] of data.entries()) {
    rows.push(extractManifestFeatures(row.manifest));
    if (i % 500 === 499) progress(`features of ${i + 1}/${data.length} manifests`);
  }
  return writeRankerFeatureFile(input.outPath, data, policies, rows, progress);
}

/**
 * Writes the feature file of `data` with its feature `rows` (one per data row, in order) and
 * profiles it: shared by the one-activity path above and the merge of feature shards (shards-compute.ts),
 * so both write the same bytes.
 */
export function writeRankerFeatureFile(
  outPath: string,
  data: readonly RankerRow[],
  policies: RankerPolicies,
  rows: FeatureRow[],
  progress: Progress,
): { rows: number; columns: number; summary: FrameSummary } {
  const file: RankerFeatureFile = {
    family: 'ranker',
    ids: data.map((r) => r.id),
    labels: data.map((r) => r.deny),
    rows,
    origins: data.map((r) => r.origin),
    sources: data.map((r) => r.source),
    times: data.map((r) => (r.origin === 'observed' && r.time ? Date.parse(r.time) : null)),
    groups: data.map((r) => r.group),
    policies: policies.policies,
    corpusDigest: policies.corpusDigest,
  };
  writeAtomic(outPath, JSON.stringify(file));
  progress(`profiling ${rows.length} rows`);
  const summary = describeFrame(featureFrame(rows as Record<string, number | string>[], MANIFEST_FEATURES));
  return { rows: rows.length, columns: Object.keys(rows[0] ?? {}).length, summary };
}

/** The evaluation split of a feature file (see the module comment). */
export function rankerSplit(file: Pick<RankerFeatureFile, 'groups' | 'times' | 'origins'>): TimeHoldout {
  return timeGroupedHoldout(
    file.groups.map((group, i) => ({ group, time: file.origins[i] === 'observed' ? (file.times[i] ?? null) : null })),
    RANKER_TEST_SHARE,
    RANKER_SPLIT_SEED,
    TIME_HOLDOUT_MIN_OBSERVED,
  );
}

function examplesOf(file: RankerFeatureFile, indices: readonly number[]): RankerExample[] {
  return indices.map((i) => ({ id: file.ids[i] as string, features: file.rows[i] as FeatureRow, deny: file.labels[i] as string[] }));
}

function splitDescription(split: TimeHoldout): string {
  return split.mode === 'time'
    ? `time-based holdout: newest ${RANKER_TEST_SHARE * 100}% of observations (from ${new Date(split.cutoff ?? 0).toISOString()}) + ${RANKER_TEST_SHARE * 100}% of simulated skeleton groups, seed ${RANKER_SPLIT_SEED}`
    : `${RANKER_TEST_SHARE * 100}% of skeleton groups by hash, seed ${RANKER_SPLIT_SEED} (fewer than ${TIME_HOLDOUT_MIN_OBSERVED} observations)`;
}

/** Selects the learner, fits it on 80 % of the training part and calibrates it on the other 20 %. */
export function computeRankerTrain(
  input: { featuresPath: string; modelPath: string; seed: number },
  progress: Progress,
): Omit<TrainResult, 'seconds'> {
  const file = readJson<RankerFeatureFile>(input.featuresPath);
  const split = rankerSplit(file);
  const train = examplesOf(file, split.train);
  const inner = groupedSplit(
    split.train.map((i) => file.groups[i] as string),
    CALIBRATION_SHARE,
    input.seed,
  );
  const fit = inner.train.map((j) => train[j] as RankerExample);
  const calibration = inner.test.map((j) => train[j] as RankerExample);
  const policies = file.policies.map((p) => p.id);
  const policyInfo = toPolicyInfo(file.policies);
  const sample = fit.length > SELECTION_ROWS ? fit.filter((e) => stableUnit(e.id, input.seed) < SELECTION_ROWS / fit.length) : fit;
  const selection = selectRankerLearner({
    examples: sample,
    spec: MANIFEST_FEATURES,
    policies,
    policyInfo,
    learners: RANKER_CANDIDATES,
    seed: input.seed,
    heuristic: file.policies.map((p) => ({ id: p.id, kinds: p.kinds, reliability: p.reliability, relevant: relevantFeatures(p) })),
    onProgress: progress,
  });
  if (sample.length !== fit.length) progress(`training ${selection.best} on ${fit.length} rows`);
  const fitted =
    sample.length === fit.length
      ? selection.ranker
      : trainRanker({ examples: fit, spec: MANIFEST_FEATURES, policies, policyInfo, learner: selection.best, onProgress: progress });
  progress(`calibrating on ${calibration.length} rows`);
  const ranker = calibrateRanker(fitted, calibration);
  const validation = finite(rankerQuality(ranker, calibration));
  const artifact = toArtifact(
    ranker,
    {
      datasetDigest: sha256(readFileSync(input.featuresPath)),
      corpusDigest: file.corpusDigest,
      rows: file.rows.length,
      seed: input.seed,
      split: `${splitDescription(split)}; fitted on ${fit.length} rows, calibrated on ${calibration.length}`,
      createdAt: new Date().toISOString(),
    },
    validation,
  );
  writeAtomic(input.modelPath, JSON.stringify(artifact));
  return {
    modelPath: input.modelPath,
    learner: selection.best,
    candidates: selection.table.map((row) => ({
      learner: row.learner,
      metrics: finite({ ...row.metrics, inference_p99_us: row.p99Us, train_seconds: row.trainSeconds }),
    })),
    validation,
    trainRows: split.train.length,
    testRows: split.test.length,
  };
}

/** A ranker's metrics on the holdout, on its observed and its simulated rows (observed_…, simulated_…). */
function holdoutMetrics(ranker: Ranker, file: RankerFeatureFile, test: readonly number[]): Metrics {
  const metrics: Metrics = finite(rankerQuality(ranker, examplesOf(file, test)));
  for (const origin of ['observed', 'simulated'] as const) {
    const part = test.filter((i) => file.origins[i] === origin);
    if (part.length) Object.assign(metrics, prefixed(`${origin}_`, finite(rankerQuality(ranker, examplesOf(file, part)))));
  }
  return metrics;
}

function countsOf(file: RankerFeatureFile, indices: readonly number[], prefix: string): Metrics {
  const counts: Metrics = { [`${prefix}rows`]: indices.length, [`${prefix}rows_observed`]: 0, [`${prefix}rows_simulated`]: 0 };
  for (const i of indices) {
    counts[`${prefix}rows_${file.origins[i]}`] = (counts[`${prefix}rows_${file.origins[i]}`] ?? 0) + 1;
    counts[`${prefix}rows_source_${file.sources[i]}`] = (counts[`${prefix}rows_source_${file.sources[i]}`] ?? 0) + 1;
  }
  return counts;
}

/** The foreign set as labelled by the activity: `{ file, manifest, deny }` per manifest. */
export interface ForeignRow {
  file: string;
  manifest: Record<string, unknown>;
  deny: string[];
}

export interface RankerEvaluationReport {
  family: 'ranker';
  testRows: number;
  metrics: Metrics;
  baselines: Record<string, Metrics>;
  /** counts by origin and source, and the split */
  details: Metrics;
  champion: { version: string; metrics?: Metrics } | null;
  championError?: string;
}

/**
 * Scores the candidate, the baselines (fitted on the training part) and the champion on the same
 * holdout rows — and, when given, on the foreign set — and writes the report to `reportPath`.
 */
export function computeRankerEvaluation(
  input: {
    featuresPath: string;
    modelPath: string;
    reportPath: string;
    champion?: { version: string; path: string };
    foreignPath?: string;
  },
  progress: Progress,
): RankerEvaluationReport {
  const file = readJson<RankerFeatureFile>(input.featuresPath);
  const split = rankerSplit(file);
  const trainExamples = examplesOf(file, split.train);
  const { model } = loadArtifactOf('ranker', readJson(input.modelPath));
  const policyInfo = toPolicyInfo(file.policies);
  progress(`fitting the baselines on ${trainExamples.length} training rows`);
  const baselineRankers: Record<string, Ranker> = {
    popularity: popularityRanker(trainExamples, policyInfo),
    heuristic: plattRanker(heuristicOf(file.policies), trainExamples),
  };
  const foreign = input.foreignPath
    ? readJson<ForeignRow[]>(input.foreignPath).map((row, i) => ({
        id: `foreign-${i}`,
        file: row.file,
        features: extractManifestFeatures(row.manifest),
        deny: row.deny,
      }))
    : [];
  const withForeign = (ranker: Ranker, metrics: Metrics): Metrics =>
    foreign.length ? { ...metrics, ...prefixed('foreign_', finite(rankerQuality(ranker, foreign))) } : metrics;

  progress(
    `scoring the candidate on ${split.test.length} held-out rows${foreign.length ? ` and ${foreign.length} foreign manifests` : ''}`,
  );
  const latency = measureRankLatency(
    model,
    examplesOf(file, split.test).map((e) => e.features),
  );
  const metrics = withForeign(model, {
    ...holdoutMetrics(model, file, split.test),
    inference_p50_us: latency.p50Us,
    inference_p99_us: latency.p99Us,
  });
  const baselines = Object.fromEntries(
    Object.entries(baselineRankers).map(([name, ranker]) => [name, withForeign(ranker, holdoutMetrics(ranker, file, split.test))]),
  );
  let championMetrics: Metrics | undefined;
  let championError: string | undefined;
  if (input.champion) {
    progress(`scoring champion version ${input.champion.version} on the same rows`);
    try {
      const champion = loadArtifactOf('ranker', readJson(input.champion.path)).model;
      championMetrics = withForeign(champion, holdoutMetrics(champion, file, split.test));
    } catch (error) {
      championError = `version ${input.champion.version}: ${(error as Error).message}`;
    }
  }
  const details: Metrics = {
    ...countsOf(file, split.train, 'train_'),
    ...countsOf(file, split.test, 'test_'),
    split_time_based: split.mode === 'time' ? 1 : 0,
    ...(split.cutoff !== undefined ? { split_cutoff_ms: split.cutoff } : {}),
    foreign_rows: foreign.length,
    foreign_clean_rows: foreign.filter((f) => f.deny.length === 0).length,
  };
  const report: RankerEvaluationReport = {
    family: 'ranker',
    testRows: split.test.length,
    metrics,
    baselines,
    details,
    champion: input.champion ? { version: input.champion.version, metrics: championMetrics } : null,
    ...(championError ? { championError } : {}),
  };
  writeAtomic(
    input.reportPath,
    JSON.stringify(
      {
        ...report,
        split: splitDescription(split),
        // what a reader sees: the top 5 of the first foreign manifests, with probability and severity
        foreignExamples: foreign.slice(0, 12).map((f) => ({ file: f.file, deny: f.deny, top5: model.rank(f.features, 5) })),
      },
      null,
      2,
    ),
  );
  return report;
}

/** The drift reference: the training rows' feature profile and the ranker's top scores on them. */
export function computeRankerReference(input: { featuresPath: string; modelPath: string }, progress: Progress): string {
  const file = readJson<RankerFeatureFile>(input.featuresPath);
  const trainRows = rankerSplit(file).train.map((i) => file.rows[i] as FeatureRow);
  progress(`ranking ${trainRows.length} training rows for the prediction profile`);
  const { model } = loadArtifactOf('ranker', readJson(input.modelPath));
  const predictions = trainRows.map((row) => model.rank(row, 1)[0]?.score ?? 0);
  return JSON.stringify(buildReference(trainRows, MANIFEST_FEATURES, { predictions }));
}
