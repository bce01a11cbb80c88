/**
 * Lifecycle bookkeeping and ingest: the MLflow run that records one training, and the dataset it
 * trains on (written into the run's work directory with its content digest).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { corpusDigest } from '../../datasets/load';
import { FAILURE_LOG_FILE, LATENCY_FILE } from '../../datasets/paths';
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
import { sha256 } from '../../lib/digest';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import type { ModelFamily } from '../../registry/promotion';
import { generateLabelledDataset } from './label';
import type { DatasetRef, TrainingRun } from './types';

export const EXPERIMENT_NAMES: Record<ModelFamily, string> = {
  ranker: 'kpc-policy-ranker',
  fix: 'kpc-fix-strategy',
  latency: 'kpc-latency-regressor',
};

export function runUrl(config: Config, experimentId: string, runId: string): string {
  return `${config.mlflow.uri}/#/experiments/${experimentId}/runs/${runId}`;
}

export function lifecycleDir(config: Config, family: ModelFamily, runId: string): string {
  return join(config.stateDir, 'lifecycle', family, runId);
}

export function runActivities(config: Config) {
  const mlflow = () => mlflowClientFromConfig(config);
  return {
    /**
     * The MLflow run of one lifecycle execution, keyed by workflow id AND workflow run id: a retry
     * of this activity finds the run it created, and a new execution under the same workflow id
     * (after one was terminated) never reuses the old execution's run — that one is marked KILLED.
     */
    async startTrainingRun(input: {
      family: ModelFamily;
      workflowId: string;
      /** the workflow execution's run id (workflowInfo().runId) */
      workflowRunId: string;
      reason: string;
      seed?: number;
      count?: number;
    }): Promise<TrainingRun> {
      const client = mlflow();
      const experiment = await client.getOrCreateExperiment(EXPERIMENT_NAMES[input.family], { family: input.family });
      const open = await client.searchRuns({
        experimentIds: [experiment.experiment_id],
        filter: `tags.workflow_id = '${input.workflowId}' and attributes.status = 'RUNNING'`,
      });
      const tagOf = (run: (typeof open.runs)[number], key: string) => run.data.tags?.find((t) => t.key === key)?.value;
      for (const stale of open.runs.filter((r) => tagOf(r, 'workflow_run_id') !== input.workflowRunId)) {
        // left RUNNING by an execution that was terminated or crashed: close it, never continue it
        await client.setTag(stale.info.run_id, 'closed_by', `${input.workflowId}/${input.workflowRunId}`);
        await client.updateRun({ runId: stale.info.run_id, status: 'KILLED' });
      }
      const mine = await client.searchRuns({
        experimentIds: [experiment.experiment_id],
        filter: `tags.workflow_id = '${input.workflowId}' and tags.workflow_run_id = '${input.workflowRunId}'`,
      });
      const existing = mine.runs[0];
      const run =
        existing ??
        (await client.createRun({
          experimentId: experiment.experiment_id,
          runName: `${input.family}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
          tags: {
            workflow_id: input.workflowId,
            workflow_run_id: input.workflowRunId,
            family: input.family,
            reason: input.reason,
            'mlflow.source.name': 'kube-pac-copilot lifecycle',
          },
        }));
      const runId = run.info.run_id;
      const params: Record<string, string | number> = { family: input.family, reason: input.reason };
      if (input.seed !== undefined) params.seed = input.seed;
      if (input.count !== undefined) params.count = input.count;
      // the same values again on a retry: MLflow accepts a param logged twice with one value
      await client.logBatch({ runId, params });
      const workDir = lifecycleDir(config, input.family, runId);
      mkdirSync(workDir, { recursive: true });
      return {
        runId,
        experimentId: experiment.experiment_id,
        runUrl: runUrl(config, experiment.experiment_id, runId),
        workDir,
        ...(run.info.start_time !== undefined ? { startTime: Number(run.info.start_time) } : {}),
      };
    },

    async failTrainingRun(input: { run: TrainingRun; error: string }): Promise<void> {
      const client = mlflow();
      await client.setTag(input.run.runId, 'error', input.error.slice(0, 5000));
      await client.updateRun({ runId: input.run.runId, status: 'FAILED' });
    },

    /**
     * The family's training records, copied into the run's work directory:
     * ranker — generated manifests labelled by the real corpus (seeded; same seed → same digest);
     * fix — the failure log; latency — the latency measurements.
     */
    async ingestDataset(input: { family: ModelFamily; run: TrainingRun; seed?: number; count?: number }): Promise<DatasetRef> {
      const { family, run } = input;
      let name: string;
      let text: string;
      let source: string;
      if (family === 'ranker') {
        const seed = input.seed ?? 42;
        const count = input.count ?? 2000;
        const context = Context.current();
        const result = await generateLabelledDataset({
          config,
          seed,
          count,
          // one heartbeat per labelled chunk: a worker killed while labelling is noticed within the heartbeat timeout
          onProgress: (done, total) => context.heartbeat({ step: 'ingest', detail: `labelled ${done}/${total} manifests` }),
        });
        name = result.meta.name;
        text = result.jsonl;
        source = `generated seed=${seed} count=${count}; labels from the corpus evaluated with OPA ${result.meta.opaVersion} (corpus ${result.meta.corpusDigest.slice(0, 12)})`;
      } else if (family === 'fix') {
        name = 'failure_log';
        text = readFileSync(FAILURE_LOG_FILE, 'utf8');
        source = 'datasets/failures/failure_log.jsonl';
      } else {
        name = 'latency';
        text = readFileSync(LATENCY_FILE, 'utf8');
        source = 'datasets/latency/latency.jsonl';
      }
      const path = join(run.workDir, `${name}.jsonl`);
      writeAtomic(path, text);
      const digest = sha256(text);
      const rows = text.split('\n').filter((line) => line.trim() !== '').length;
      await mlflow().logInputs({
        runId: run.runId,
        datasets: [
          {
            dataset: { name, digest: digest.slice(0, 36), sourceType: 'local', source: JSON.stringify({ uri: source }) },
            tags: { 'mlflow.data.context': 'training' },
          },
        ],
      });
      await mlflow().logBatch({ runId: run.runId, params: { dataset_name: name, dataset_digest: digest, dataset_rows: rows } });
      if (family === 'ranker') await mlflow().setTag(run.runId, 'corpus_digest', corpusDigest());
      return { family, name, path, digest, rows, source };
    },
  };
}
