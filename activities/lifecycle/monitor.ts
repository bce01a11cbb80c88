/**
 * Monitoring activities: drift of current data against the champion's training reference, and
 * whether new labels arrived since the champion was trained. Reports go to MLflow (experiment
 * kpc-monitoring) as JSON and self-contained HTML, and to the state directory.
 *
 * Current data is the latest observation window (what the platform saw: analyses, API calls,
 * imports — one row per manifest digest), unless a seed or a shift is given: then it is the
 * SIMULATED generator's output (`pac drift --shift`, a demo). The drift summary carries the window,
 * so a drift-triggered retrain trains on exactly the data that drifted.
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
import { buildCorpusBundle } from '../engine';
import { extractManifestFeatures } from '../features';
import { compareToReference, driftReportJson, parseDriftReference, renderDriftReportHtml } from '../monitoring';
import { compactObservations, readObservations } from '../observations';
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
  /** what the current data was: the observation window, or SIMULATED manifests (a seed or shift was given) */
  data: 'observations' | 'simulated';
  /** the observation window compared (data 'observations'): a drift-triggered retrain trains on it */
  window?: { since: string; until: string };
  /** current rows per observation source */
  sources?: Record<string, number>;
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

interface CurrentData {
  rows: ReturnType<typeof extractManifestFeatures>[];
  data: DriftSummary['data'];
  window?: { since: string; until: string };
  sources?: Record<string, number>;
  /** one line for the report: what was compared */
  description: string;
  params: Record<string, string | number>;
}

/** The observation window ending at `until` (default now): one feature row per manifest digest. */
function observedData(config: Config, window: { since?: string; until?: string } | undefined, beat: (detail: string) => void): CurrentData {
  const until = window?.until ?? new Date().toISOString();
  const since = window?.since ?? new Date(Date.parse(until) - config.observations.windowMs).toISOString();
  try {
    compactObservations(config);
  } catch (error) {
    beat(`compaction failed (${(error as Error).message.split('\n')[0]}); reading the write-ahead files`);
  }
  const observations = readObservations(config, { since, until, dedupe: 'digest' });
  const sources: Record<string, number> = {};
  for (const o of observations) sources[o.source] = (sources[o.source] ?? 0) + 1;
  const bySource = Object.entries(sources)
    .map(([source, n]) => `${source} ${n}`)
    .join(', ');
  return {
    rows: observations.map((o) => extractManifestFeatures(o.manifest)),
    data: 'observations',
    window: { since, until },
    sources,
    description: `${observations.length} observations (one per manifest digest${bySource ? `: ${bySource}` : ''}) from ${since} to ${until}`,
    params: { data: 'observations', window_since: since, window_until: until },
  };
}

/** SIMULATED current data: the generator's manifests of `seed`, shifted by `shift` (a demo of drift). */
function simulatedData(seed: number, count: number, shift: number): CurrentData {
  return {
    rows: generateManifests(seed, count, { shift }).map(extractManifestFeatures),
    data: 'simulated',
    description: `${count} SIMULATED manifests (generator seed ${seed}, shift ${shift}): a demo, not observed data`,
    params: { data: 'simulated', seed, count, shift },
  };
}

export function monitorActivities(config: Config) {
  const mlflow = () => mlflowClientFromConfig(config);
  return {
    async computeDrift(input: {
      family: ModelFamily;
      /** with a seed or a shift: SIMULATED current data (a demo); without: the observation window */
      seed?: number;
      count?: number;
      shift?: number;
      /** the observation window (default: PAC_OBSERVATION_WINDOW up to now); decided by the workflow so a retry reads the same */
      window?: { since?: string; until?: string };
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

      const beat = (detail: string) => context.heartbeat({ step: 'drift', detail });
      const current =
        input.seed === undefined && input.shift === undefined
          ? observedData(config, input.window, beat)
          : simulatedData(input.seed ?? Math.floor(Date.now() / 86_400_000), input.count ?? 2000, input.shift ?? 0);
      const { rows } = current;
      beat(`read ${rows.length} current rows (${current.data})`);
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
        data: current.description,
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
        params: { ...current.params, threshold: input.threshold ?? config.drift.threshold },
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
        data: current.data,
        ...(current.window ? { window: current.window } : {}),
        ...(current.sources ? { sources: current.sources } : {}),
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
        // labels come from the corpus and every published policy: a newly approved draft is a new label
        const labelled = run.data.tags?.find((t) => t.key === 'labels_digest')?.value;
        if (labelled) {
          const now = (await buildCorpusBundle(config)).digest;
          return labelled !== now
            ? {
                changed: true,
                detail: `the policies (corpus or published) changed since champion v${champion.version} (${labelled.slice(0, 12)} → ${now.slice(0, 12)})`,
              }
            : { changed: false, detail: 'policies (corpus and published) unchanged' };
        }
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
