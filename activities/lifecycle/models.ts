/**
 * Read-only views of the registry and the monitor for the CLI and the API: every registered
 * version of the three model families with aliases and metrics, and the latest drift reports.
 */
import type { Config } from '../../infra/config';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { MODEL_FAMILIES, type ModelFamily, REGISTERED_MODEL_NAMES } from '../../registry/promotion';
import { MONITORING_EXPERIMENT } from './monitor';
import { runUrl } from './run';

export interface ModelVersionView {
  version: string;
  aliases: string[];
  runId: string | undefined;
  reason: string | undefined;
  metrics: Record<string, number>;
}

export interface ModelView {
  family: ModelFamily;
  model: string;
  url: string;
  versions: ModelVersionView[];
}

/** Every registered version of each family, newest first. Throws when MLflow does not answer. */
export async function listModels(config: Config): Promise<ModelView[]> {
  const client = mlflowClientFromConfig(config);
  const out: ModelView[] = [];
  for (const family of MODEL_FAMILIES) {
    const name = REGISTERED_MODEL_NAMES[family];
    const versions = await client.searchModelVersions(`name = '${name}'`);
    // version search does not carry aliases; the registered model does
    const registered = await client.getRegisteredModel(name);
    const aliasesOf = (version: string) => (registered?.aliases ?? []).filter((a) => a.version === version).map((a) => a.alias);
    const rows: ModelVersionView[] = [];
    for (const v of versions.sort((a, b) => Number(b.version) - Number(a.version))) {
      const tags = Object.fromEntries((v.tags ?? []).map((t) => [t.key, t.value]));
      const metrics = Object.fromEntries(
        Object.entries(tags).flatMap(([k, value]) => (k.startsWith('metric.') ? [[k.slice(7), Number(value)]] : [])),
      );
      rows.push({ version: v.version, aliases: aliasesOf(v.version), runId: v.run_id, reason: tags.promotion_reason, metrics });
    }
    out.push({ family, model: name, url: `${config.mlflow.uri}/#/models/${encodeURIComponent(name)}`, versions: rows });
  }
  return out;
}

export interface DriftReportView {
  runId: string;
  runUrl: string;
  family: string;
  championVersion: string | undefined;
  drifted: boolean;
  driftShare: number | undefined;
  driftedFeatures: number | undefined;
  predictionPsi: number | undefined;
  startTime: string;
}

/** The latest drift reports of the monitor (MLflow experiment kpc-monitoring), newest first. */
export async function latestDriftReports(config: Config, limit = 10): Promise<DriftReportView[]> {
  const client = mlflowClientFromConfig(config);
  const experiment = await client.getExperimentByName(MONITORING_EXPERIMENT);
  if (!experiment) return [];
  const page = await client.searchRuns({
    experimentIds: [experiment.experiment_id],
    orderBy: ['attributes.start_time DESC'],
    maxResults: limit,
  });
  return page.runs.map((run) => {
    const metrics = Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value]));
    const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
    return {
      runId: run.info.run_id,
      runUrl: runUrl(config, experiment.experiment_id, run.info.run_id),
      family: tags.family ?? 'ranker',
      championVersion: tags.champion_version,
      drifted: tags.drifted === 'true' || metrics.drifted === 1,
      driftShare: metrics.drift_share,
      driftedFeatures: metrics.drifted_features,
      predictionPsi: metrics.prediction_psi,
      startTime: new Date(Number(run.info.start_time ?? 0)).toISOString(),
    };
  });
}
