/**
 * The latency family's part of the lifecycle's computation (compute.ts dispatches here): the
 * training rows (bench measurements and observed engine timings) with each policy's Rego features,
 * the learner comparison (grouped by policy) and training, and the scoring of a model artifact on
 * held-out policies next to the size-only baseline — on all rows and per source.
 */
import { corpusRegoFiles, loadPolicyIndex, readJsonl } from '../../datasets/load';
import type { Config } from '../../infra/config';
import { LATENCY_FEATURE_SPEC, latencyMetaFeatures } from '../features/latency';
import { regoFeaturesOfFile } from '../features/rego';
import { loadArtifactOf } from '../training/artifact';
import type { FeatureRow } from '../training/encoder';
import {
  crossValidateLatency,
  LATENCY_LEARNERS,
  type LatencyLearner,
  type LatencyRegressor,
  type LatencyRow,
  type LatencySource,
  latencyFeatureRow,
  latencyMetrics,
  latencyTrainingRowSchema,
  trainLatencyRegressor,
  trainSizeOnlyLatency,
} from '../training/latency';
import type { Metrics } from './types';

/** A training row with where its label came from. */
export type SourcedLatencyRow = LatencyRow & { source: LatencySource };

/** An input a retry cannot fix (a measurement of a policy that has no Rego file). */
export class LatencyDatasetError extends Error {
  override name = 'DatasetError';
}

const finite = (metrics: Metrics): Metrics => Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));

/** The rows of a latency training set with each policy's Rego and metadata features. */
export async function latencyFeatures(
  config: Config,
  datasetPath: string,
  progress: (detail: string) => void,
): Promise<{ ids: string[]; records: SourcedLatencyRow[]; rows: FeatureRow[] }> {
  const measurements = readJsonl(datasetPath, latencyTrainingRowSchema);
  const files = new Map(corpusRegoFiles().map((f) => [f.split('/').at(-2) as string, f]));
  const index = new Map(loadPolicyIndex().map((m) => [m.id, m]));
  const rego = new Map<string, Record<string, number>>();
  for (const policy of new Set(measurements.map((m) => m.policy))) {
    const path = files.get(policy);
    if (!path)
      throw new LatencyDatasetError(`latency measurement for unknown policy "${policy}" (no datasets/policies/${policy}/policy.rego)`);
    rego.set(policy, { ...(await regoFeaturesOfFile(config, path)), ...latencyMetaFeatures(index.get(policy)?.kinds ?? []) });
    progress(`Rego features of ${rego.size} policies`);
  }
  const records: SourcedLatencyRow[] = measurements.map((m) => ({
    policy: m.policy,
    features: { ...(rego.get(m.policy) as Record<string, number>), in_process: m.source === 'observed' ? 1 : 0 },
    items: m.items,
    inventoryObjects: m.inventoryObjects,
    nsPerOp: m.nsPerOp,
    source: m.source,
  }));
  return {
    ids: measurements.map((m, i) => `${m.source}-${m.policy}-${m.items}-${m.inventoryObjects}-${i}`),
    records,
    rows: records.map((r) => latencyFeatureRow(r)),
  };
}

/** Grouped 5-fold cross-validation of each learner; the best (R², log) is trained on every training row. */
export function trainLatency(
  rows: readonly LatencyRow[],
  seed: number,
  progress: (detail: string) => void,
): { regressor: LatencyRegressor; learner: LatencyLearner; candidates: { learner: string; metrics: Metrics }[]; validation: Metrics } {
  const candidates: { learner: LatencyLearner; metrics: Metrics }[] = [];
  for (const learner of LATENCY_LEARNERS) {
    const folds = crossValidateLatency({ rows, spec: LATENCY_FEATURE_SPEC, learner, k: 5, seed });
    const mean = Object.fromEntries(Object.keys(folds[0] ?? {}).map((k) => [k, folds.reduce((a, f) => a + (f[k] ?? 0), 0) / folds.length]));
    candidates.push({ learner, metrics: finite(mean) });
    progress(`cross-validated ${learner}`);
  }
  candidates.sort((a, b) => (b.metrics.r2 ?? -Infinity) - (a.metrics.r2 ?? -Infinity));
  const best = candidates[0] as (typeof candidates)[number];
  return {
    regressor: trainLatencyRegressor({ rows, spec: LATENCY_FEATURE_SPEC, learner: best.learner }),
    learner: best.learner,
    candidates,
    validation: best.metrics,
  };
}

/** latencyMetrics on all rows, and `<source>_<metric>` on each source's rows (with `<source>_rows`). */
function metricsBySource(model: LatencyRegressor, rows: readonly SourcedLatencyRow[]): Metrics {
  const out: Metrics = latencyMetrics(model, rows);
  for (const source of ['bench', 'observed'] as const) {
    const part = rows.filter((r) => r.source === source);
    out[`${source}_rows`] = part.length;
    if (part.length < 2) continue;
    for (const [key, value] of Object.entries(latencyMetrics(model, part))) if (key !== 'rows') out[`${source}_${key}`] = value;
  }
  return out;
}

/**
 * The model artifact `json` on the held-out rows, next to the size-only baseline trained on the
 * other rows. `r2_gain` (the model's R², log scale, minus the baseline's) is what the gate reads.
 */
export function scoreLatency(
  json: unknown,
  records: readonly SourcedLatencyRow[],
  test: readonly number[],
): { metrics: Metrics; baselines: Record<string, Metrics> } {
  const { model } = loadArtifactOf('latency', json);
  const held = new Set(test);
  const rows = test.map((i) => records[i] as SourcedLatencyRow);
  const sizeOnly = metricsBySource(trainSizeOnlyLatency(records.filter((_, i) => !held.has(i))), rows);
  const metrics = metricsBySource(model, rows);
  return {
    metrics: finite({ ...metrics, r2_gain: (metrics.r2 ?? 0) - (sizeOnly.r2 ?? 0) }),
    baselines: { size_only: finite(sizeOnly) },
  };
}
