/**
 * Monitoring activities: drift of current data against the champion's training reference, and
 * whether new labels arrived since the champion was trained. Reports go to MLflow (experiment
 * kpc-monitoring) as JSON and self-contained HTML, and to the state directory.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { corpusDigest } from '../../datasets/load';
import { FAILURE_LOG_FILE, LATENCY_FILE } from '../../datasets/paths';
import { generateManifests } from '../../datasets/synthetic/manifests';
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
import { sha256 } from '../../lib/digest';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { type ModelFamily, REGISTERED_MODEL_NAMES } from '../../registry/promotion';
import { extractManifestFeatures } from '../features';
import { compareToReference, driftReportJson, parseDriftReference, renderDriftReportHtml } from '../monitoring';
import { loadArtifactOf } from '../training/artifact';
import { runUrl } from './run';

export interface DriftSummary {
  family: ModelFamily;
  drifted: boolean;
  driftShare: number;
  driftedFeatures: number;
  totalFeatures: number;
  predictionDrifted: boolean;
  reasons: string[];
  championVersion: string;
  currentRows: number;
  /** where the reports are: MLflow run and local files */
  runId: string;
  runUrl: string;
  jsonPath: string;
  htmlPath: string;
}

export interface LabelCheck {
  changed: boolean;
  detail: string;
}

export const MONITORING_EXPERIMENT = 'kpc-monitoring';

export function monitorActivities(config: Config) {
  const mlflow = () => mlflowClientFromConfig(config);
  return {
    async computeDrift(input: {
      family: ModelFamily;
      seed?: number;
      count?: number;
      shift?: number;
      threshold?: number;
      workflowId: string;
      /** the workflow execution's run id: with workflowId the key of the drift run, so a retry reuses it */
      workflowRunId?: string;
    }): Promise<DriftSummary> {
      const context = Context.current();
      if (input.family !== 'ranker') {
        throw ApplicationFailure.nonRetryable(
          `drift monitoring covers the ranker (manifest features); "${input.family}" is retrained on new labels instead`,
          'DatasetError',
        );
      }
      const client = mlflow();
      const name = REGISTERED_MODEL_NAMES.ranker;
      const champion = await client.getModelVersionByAlias(name, 'champion');
      if (!champion?.run_id) {
        throw ApplicationFailure.nonRetryable(
          `${name} has no champion yet: train one first (npx pac train --family ranker)`,
          'NoChampionError',
        );
      }
      const reference = parseDriftReference(JSON.parse(await client.downloadText(champion.run_id, 'reference/drift_reference.json')));
      const { model } = loadArtifactOf('ranker', JSON.parse(await client.downloadText(champion.run_id, 'model/model.json')));
      context.heartbeat({ step: 'drift', detail: 'champion and reference downloaded' });

      // current data: today's manifests unless a seed is given
      const seed = input.seed ?? Math.floor(Date.now() / 86_400_000);
      const count = input.count ?? 2000;
      const rows = generateManifests(seed, count, { shift: input.shift ?? 0 }).map(extractManifestFeatures);
      const predictions = rows.map((row) => model.rank(row, 1)[0]?.score ?? 0);
      const result = compareToReference(reference, rows, { predictions, driftShareThreshold: input.threshold ?? config.drift.threshold });
      context.heartbeat({ step: 'drift', detail: `compared ${rows.length} rows` });

      const experiment = await client.getOrCreateExperiment(MONITORING_EXPERIMENT);
      const key = { workflow_id: input.workflowId, ...(input.workflowRunId ? { workflow_run_id: input.workflowRunId } : {}) };
      // one drift run per workflow execution: a retry of this activity reuses the run an earlier try created
      const existing = input.workflowRunId
        ? (
            await client.searchRuns({
              experimentIds: [experiment.experiment_id],
              filter: `tags.workflow_id = '${input.workflowId}' and tags.workflow_run_id = '${input.workflowRunId}'`,
            })
          ).runs[0]
        : undefined;
      const run =
        existing ??
        (await client.createRun({
          experimentId: experiment.experiment_id,
          runName: `drift-ranker-v${champion.version}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
          tags: { ...key, family: 'ranker', champion_version: champion.version, drifted: String(result.drifted) },
        }));
      const runId = run.info.run_id;
      const stamp = run.info.start_time !== undefined ? { timestamp: Number(run.info.start_time) } : {};
      const meta = {
        title: `Drift of ${name} v${champion.version}`,
        model: name,
        version: champion.version,
        createdAt: new Date(),
        referenceRows: result.referenceRows,
        currentRows: result.currentRows,
      };
      const json = JSON.stringify(driftReportJson(result, meta), null, 2);
      const html = renderDriftReportHtml(result, meta);
      const dir = join(config.stateDir, 'monitoring', runId);
      mkdirSync(dir, { recursive: true });
      const jsonPath = join(dir, 'drift_report.json');
      const htmlPath = join(dir, 'drift_report.html');
      writeAtomic(jsonPath, json);
      writeAtomic(htmlPath, html);
      await client.uploadArtifact(runId, 'drift/drift_report.json', json, 'application/json');
      await client.uploadArtifact(runId, 'drift/drift_report.html', html, 'text/html; charset=utf-8');
      await client.logBatch({
        runId,
        params: { seed, count, shift: input.shift ?? 0, threshold: input.threshold ?? config.drift.threshold },
        metrics: [
          { key: 'drift_share', value: result.driftShare },
          { key: 'drifted_features', value: result.driftedFeatures },
          { key: 'drifted', value: result.drifted ? 1 : 0 },
          ...(typeof result.prediction?.psi === 'number' ? [{ key: 'prediction_psi', value: result.prediction.psi }] : []),
        ].map((metric) => ({ ...metric, ...stamp })),
      });
      await client.updateRun({ runId, status: 'FINISHED' });
      return {
        family: 'ranker',
        drifted: result.drifted,
        driftShare: result.driftShare,
        driftedFeatures: result.driftedFeatures,
        totalFeatures: result.totalFeatures,
        predictionDrifted: result.prediction?.drifted ?? false,
        reasons: result.reasons,
        championVersion: champion.version,
        currentRows: result.currentRows,
        runId,
        runUrl: runUrl(config, experiment.experiment_id, runId),
        jsonPath,
        htmlPath,
      };
    },

    /**
     * New labels since the champion was trained: for the ranker the corpus (its labels come from the
     * policies), for the fix classifier the failure log, for the latency model the measurements.
     */
    async checkNewLabels(input: { family: ModelFamily }): Promise<LabelCheck> {
      const client = mlflow();
      const champion = await client.getModelVersionByAlias(REGISTERED_MODEL_NAMES[input.family], 'champion');
      if (!champion?.run_id) return { changed: false, detail: 'no champion yet' };
      const run = await client.getRun(champion.run_id);
      const params = Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
      if (input.family === 'ranker') {
        const trained = run.data.tags?.find((t) => t.key === 'corpus_digest')?.value;
        const current = corpusDigest();
        return trained && trained !== current
          ? {
              changed: true,
              detail: `the policy corpus changed since champion v${champion.version} (${trained.slice(0, 12)} → ${current.slice(0, 12)})`,
            }
          : { changed: false, detail: 'corpus unchanged' };
      }
      const file = input.family === 'fix' ? FAILURE_LOG_FILE : LATENCY_FILE;
      const current = sha256(readFileSync(file));
      const trained = params.dataset_digest;
      return trained && trained !== current
        ? {
            changed: true,
            detail: `${input.family === 'fix' ? 'the failure log' : 'the latency measurements'} changed since champion v${champion.version}`,
          }
        : { changed: false, detail: 'labels unchanged' };
    },
  };
}
