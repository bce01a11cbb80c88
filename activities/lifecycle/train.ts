/**
 * Lifecycle steps after ingest: features → train → evaluate → register, for each model family.
 * Each step reads what the previous one wrote into the run's work directory and returns a small
 * summary; the data never travels through Temporal. The computation runs in a worker thread
 * (thread.ts) and every progress report is a heartbeat; MLflow calls stay on the activity's side.
 *
 * Retries are idempotent: files are rewritten whole (atomically), artifacts overwrite their path,
 * metrics carry the run's start time as their timestamp (a retry logs the same point again, not a
 * new one) and registration finds the version of this MLflow run before it creates one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { type ModelFamily, REGISTERED_MODEL_NAMES, registerAndPromote } from '../../registry/promotion';
import { type ComputeTask, type ComputeTasks, SPLIT_SEED, TEST_SHARE } from './compute';
import type { ForeignRow } from './compute-ranker';
import { loadForeignWorkloads, openLabeller } from './ranker-data';
import { runInThread } from './thread';
import type { DatasetRef, EvaluationResult, FeatureRef, Metrics, RegisterOutcome, TrainingRun, TrainResult } from './types';

const prefixed = (prefix: string, metrics: Metrics): Metrics =>
  Object.fromEntries(Object.entries(metrics).map(([k, v]) => [`${prefix}${k}`, v]));
const finite = (metrics: Metrics): Metrics => Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));

/** Runs a compute task in a thread with the activity's heartbeat and cancellation. */
export function compute<T extends ComputeTask>(task: T, input: Parameters<ComputeTasks[T]>[0]) {
  const context = Context.current();
  context.heartbeat({ step: task, detail: 'starting' });
  return runInThread(task, input, {
    onProgress: (detail) => context.heartbeat({ step: task, detail }),
    signal: context.cancellationSignal,
  });
}

/** The foreign workloads with their labels from the engine now (never stored with the data): the file the evaluation reads. */
async function labelForeignSet(config: Config, workDir: string): Promise<string> {
  const foreign = loadForeignWorkloads();
  const labeller = await openLabeller(config, { threads: 0 });
  try {
    const labels = await labeller.label(foreign.map((f) => f.manifest));
    const rows: ForeignRow[] = foreign.map((f, i) => ({ file: f.file, manifest: f.manifest, deny: labels[i] as string[] }));
    const path = join(workDir, 'foreign-labelled.json');
    writeAtomic(path, JSON.stringify(rows));
    return path;
  } finally {
    await labeller.close();
  }
}

export function trainActivities(config: Config) {
  const mlflow = () => mlflowClientFromConfig(config);
  return {
    async buildFeatures(input: { family: ModelFamily; run: TrainingRun; dataset: DatasetRef }): Promise<FeatureRef> {
      const started = performance.now();
      const path = join(input.run.workDir, 'features.json');
      const { rows, columns, summary } = await compute('features', {
        config,
        family: input.family,
        datasetPath: input.dataset.path,
        outPath: path,
      });
      // the feature table's profile (polars), logged with the run so a reader of MLflow sees the data
      await mlflow().uploadArtifact(input.run.runId, 'features/summary.json', JSON.stringify(summary, null, 2), 'application/json');
      return { path, rows, columns, seconds: (performance.now() - started) / 1000 };
    },

    async trainModel(input: { family: ModelFamily; run: TrainingRun; features: FeatureRef; seed: number }): Promise<TrainResult> {
      const started = performance.now();
      const result = await compute('train', {
        family: input.family,
        featuresPath: input.features.path,
        modelPath: join(input.run.workDir, 'model.json'),
        seed: input.seed,
      });
      return { ...result, seconds: (performance.now() - started) / 1000 };
    },

    async evaluateModel(input: {
      family: ModelFamily;
      run: TrainingRun;
      features: FeatureRef;
      modelPath: string;
    }): Promise<EvaluationResult> {
      const started = performance.now();
      const { family, run } = input;
      // the champion, downloaded here and measured on exactly the same held-out rows in the thread
      const client = mlflow();
      const champion = await client.getModelVersionByAlias(REGISTERED_MODEL_NAMES[family], 'champion');
      let championFile: { version: string; path: string } | undefined;
      let unreadable: string | undefined;
      if (champion?.run_id) {
        try {
          const path = join(run.workDir, 'champion-model.json');
          writeAtomic(path, await client.downloadText(champion.run_id, 'model/model.json'));
          championFile = { version: champion.version, path };
        } catch (error) {
          unreadable = `version ${champion.version}: ${(error as Error).message}`;
        }
      }
      const reportPath = join(run.workDir, 'evaluation.json');
      // the ranker is also measured on the foreign set, labelled now by the engine (corpus ∪ published)
      const foreignPath = family === 'ranker' ? await labelForeignSet(config, run.workDir) : undefined;
      const report = await compute('evaluate', {
        family,
        featuresPath: input.features.path,
        modelPath: input.modelPath,
        reportPath,
        ...(championFile ? { champion: championFile } : {}),
        ...(foreignPath ? { foreignPath } : {}),
      });
      unreadable ??= report.championError;
      // a champion whose artifact cannot be read or scored cannot defend its title
      if (unreadable) await client.setTag(run.runId, 'champion_unreadable', unreadable.slice(0, 5000));
      const championMetrics = report.champion?.metrics;
      return {
        metrics: report.metrics,
        baselines: report.baselines,
        ...(report.details ? { details: report.details } : {}),
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
      const reference = await compute('reference', { family, featuresPath: input.features.path, modelPath: train.modelPath });
      await client.uploadArtifact(run.runId, 'model/model.json', readFileSync(train.modelPath, 'utf8'), 'application/json');
      await client.uploadArtifact(run.runId, 'evaluation/report.json', readFileSync(evaluation.reportPath, 'utf8'), 'application/json');
      await client.uploadArtifact(run.runId, 'evaluation/candidates.json', JSON.stringify(train.candidates, null, 2), 'application/json');
      await client.uploadArtifact(run.runId, 'reference/drift_reference.json', reference, 'application/json');
      Context.current().heartbeat({ step: 'register', detail: 'artifacts uploaded' });
      const metrics: Metrics = {
        ...evaluation.metrics,
        ...prefixed('val_', train.validation),
        ...Object.fromEntries(
          Object.entries(evaluation.baselines).flatMap(([name, m]) => Object.entries(m).map(([k, v]) => [`baseline_${name}_${k}`, v])),
        ),
        ...(evaluation.championMetrics ? prefixed('champion_', evaluation.championMetrics) : {}),
        ...evaluation.details,
        ...Object.fromEntries(Object.entries(input.seconds).flatMap(([step, s]) => (s === undefined ? [] : [[`seconds_${step}`, s]]))),
        train_rows: train.trainRows,
        test_rows: train.testRows,
      };
      await client.logBatch({
        runId: run.runId,
        // one point per metric, stamped with the run's start: a retried registration logs the same point again
        metrics: Object.entries(finite(metrics)).map(([key, value]) => ({
          key,
          value,
          ...(run.startTime ? { timestamp: run.startTime } : {}),
        })),
        params: { learner: train.learner, test_share: TEST_SHARE, split_seed: SPLIT_SEED, features: input.features.columns },
      });
      // finds the version of this run when an earlier try created it, so a retry never registers twice
      const outcome = await registerAndPromote({
        client,
        family,
        runId: run.runId,
        artifactPath: 'model/model.json',
        metrics: evaluation.metrics,
        baselines: evaluation.baselines,
        championOnSameData: evaluation.championMetrics,
        championVersion: evaluation.championVersion,
        description: `${family} (${train.learner}) trained on ${input.dataset.name} (${input.dataset.digest.slice(0, 12)})`,
      });
      await client.logBatch({
        runId: run.runId,
        tags: { registered_version: outcome.version, alias: outcome.alias, promotion_reason: outcome.reason },
      });
      await client.updateRun({ runId: run.runId, status: 'FINISHED' });
      return {
        ...outcome,
        runUrl: run.runUrl,
        modelUrl: `${config.mlflow.uri}/#/models/${encodeURIComponent(outcome.name)}/versions/${outcome.version}`,
      };
    },
  };
}
