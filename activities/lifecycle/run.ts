/**
 * Lifecycle bookkeeping and ingest: the MLflow run that records one training, and the dataset it
 * trains on (written into the run's work directory with its content digest).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../infra/config';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import type { ModelFamily } from '../../registry/promotion';
import { ingestRankerDataset } from './ingest-ranker';
import { ingestFixOrLatency } from './training-sets';
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
     * ranker — the observation window + the SIMULATED bootstrap set, labelled by corpus ∪ published;
     * fix — the simulated failure log + real feedback; latency — opa bench + observed engine timings.
     */
    async ingestDataset(input: {
      family: ModelFamily;
      run: TrainingRun;
      seed?: number;
      count?: number;
      /** ranker: population shift of the simulated set (a drift demo's retrain) */
      shift?: number;
      /** ranker: the observation window (a drift-triggered retrain trains on the window that drifted) */
      window?: { since: string; until: string };
    }): Promise<DatasetRef> {
      const { family, run } = input;
      // the ranker: observations + the simulated bootstrap set + labels from corpus ∪ published (ingest-ranker.ts)
      if (family === 'ranker') return ingestRankerDataset(config, input);
      // fix: simulated failure log + real feedback; latency: opa bench + observed engine timings (training-sets.ts)
      return ingestFixOrLatency(config, family, run);
    },
  };
}
