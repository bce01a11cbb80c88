/**
 * The training sets of the fix-strategy and latency families, assembled at ingest:
 *
 * fix      — the simulated failure log (datasets/failures/failure_log.jsonl, `source: simulated`)
 *            plus the real rows of the observation store: explicit feedback (`source: feedback`)
 *            and outcomes read from the observations (`source: observed`), see
 *            activities/observations/feedback-labels.ts;
 * latency  — the `opa bench` measurements (datasets/latency/latency.jsonl, `source: bench`) plus
 *            the engine's per-policy timings recorded in observations (`source: observed`): one row
 *            per policy, kind, input size and inventory size, the median of its timings.
 *
 * Each returns the JSON Lines text (ordered deterministically: same inputs → same digest) and the
 * row counts per source; `ingestFixOrLatency` writes it into the run's work directory and logs it
 * to MLflow: one dataset input per source (digest and rows), the whole set's digest as a param and
 * the counts as metrics `rows_<source>` (as the ranker's ingest does).
 */

import { join } from 'node:path';
import { inventoryObjects, loadInventory } from '../../datasets/inventory';
import { corpusRegoFiles, loadPolicyIndex, readJsonl } from '../../datasets/load';
import { FAILURE_LOG_FILE, INVENTORY_FILE, LATENCY_FILE } from '../../datasets/paths';
import { failureRecordSchema, latencyMeasurementSchema } from '../../datasets/schemas';
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
import { sha256 } from '../../lib/digest';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { latencyItemsOf } from '../features/latency';
import { policyFacts } from '../observations/feedback';
import { realFixRows } from '../observations/feedback-labels';
import type { Observation } from '../observations/schemas';
import { readFeedback, readObservations } from '../observations/store';
import { type LatencyTrainingRow, latencyTrainingRowSchema } from '../training/latency';
import type { DatasetRef, TrainingRun } from './types';

export interface FamilyTrainingSet {
  name: string;
  text: string;
  /** what the rows came from, for MLflow's dataset source */
  source: string;
  /** rows per source */
  counts: Record<string, number>;
  /** more to log as params (skipped rows and why) */
  params: Record<string, number>;
}

const toJsonl = (rows: readonly unknown[]) => rows.map((row) => `${JSON.stringify(row)}\n`).join('');

/** Every retained observation (the labels need histories longer than the training window). */
function retainedObservations(config: Config): Observation[] {
  return readObservations(config, { since: 0 });
}

export function fixTrainingSet(config: Config): FamilyTrainingSet {
  const simulated = readJsonl(FAILURE_LOG_FILE, failureRecordSchema);
  const real = realFixRows({ feedback: readFeedback(config), observations: retainedObservations(config), facts: policyFacts(config) });
  const counts: Record<string, number> = { simulated: 0, feedback: 0, observed: 0 };
  const rows = [...simulated, ...real.rows];
  for (const row of rows) counts[row.source] = (counts[row.source] ?? 0) + 1;
  return {
    name: 'failure_log',
    text: toJsonl(rows),
    source: `datasets/failures/failure_log.jsonl (simulated) + ${config.observations.dir} (feedback ${counts.feedback}, observed ${counts.observed})`,
    counts,
    params: Object.fromEntries(Object.entries(real.skipped).map(([k, v]) => [`real_skipped_${k}`, v])),
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/**
 * The engine's timings in `observations` as latency rows: per policy, kind, items and inventory
 * size, the median time. Policies without a corpus policy.rego (published drafts) and observations
 * without timings are skipped; a policy that reads the inventory is taken to have run with the
 * inventory fixture (the engine's default data).
 */
export function observedLatencyRows(
  observations: readonly Observation[],
  policies: ReadonlyMap<string, { usesInventory: boolean }>,
  inventoryObjects: number,
): { rows: LatencyTrainingRow[]; skippedUnknownPolicy: number } {
  const groups = new Map<string, { row: Omit<LatencyTrainingRow, 'nsPerOp' | 'samples' | 'measuredAt'>; ms: number[]; last: string }>();
  let skippedUnknownPolicy = 0;
  for (const o of observations) {
    if (!o.timings?.length) continue;
    const items = latencyItemsOf(o.manifest);
    for (const timing of o.timings) {
      const meta = policies.get(timing.policy);
      if (!meta) {
        skippedUnknownPolicy++;
        continue;
      }
      const inventory = meta.usesInventory ? inventoryObjects : 0;
      const key = [timing.policy, o.kind, items, inventory].join('\u0000');
      const group = groups.get(key) ?? {
        row: { policy: timing.policy, kind: o.kind, items, inventoryObjects: inventory, source: 'observed' as const },
        ms: [],
        last: o.time,
      };
      group.ms.push(timing.ms);
      if (o.time > group.last) group.last = o.time;
      groups.set(key, group);
    }
  }
  const rows = [...groups.values()].map((g) =>
    latencyTrainingRowSchema.parse({
      ...g.row,
      nsPerOp: Math.round(median(g.ms) * 1e6),
      samples: g.ms.length,
      measuredAt: new Date(g.last).toISOString(),
    }),
  );
  rows.sort(
    (a, b) =>
      a.policy.localeCompare(b.policy) || a.kind.localeCompare(b.kind) || a.items - b.items || a.inventoryObjects - b.inventoryObjects,
  );
  return { rows, skippedUnknownPolicy };
}

/** Objects in the inventory fixture (the data the engine evaluates with by default). */
export const inventoryFixtureSize = (): number => inventoryObjects(loadInventory(INVENTORY_FILE)).length;

export function latencyTrainingSet(config: Config): FamilyTrainingSet {
  const bench: LatencyTrainingRow[] = readJsonl(LATENCY_FILE, latencyMeasurementSchema).map((m) => ({
    policy: m.policy,
    kind: m.kind,
    items: m.items,
    inventoryObjects: m.inventoryObjects,
    nsPerOp: m.nsPerOp,
    source: 'bench',
    samples: 1,
    measuredAt: m.measuredAt,
  }));
  const corpus = new Set(corpusRegoFiles().map((f) => f.split('/').at(-2) as string));
  const policies = new Map(loadPolicyIndex().flatMap((m) => (corpus.has(m.id) ? [[m.id, m] as const] : [])));
  const observed = observedLatencyRows(retainedObservations(config), policies, inventoryFixtureSize());
  return {
    name: 'latency',
    text: toJsonl([...bench, ...observed.rows]),
    source: `datasets/latency/latency.jsonl (opa bench) + engine timings in ${config.observations.dir}`,
    counts: { bench: bench.length, observed: observed.rows.length },
    params: { observed_timings_unknown_policy: observed.skippedUnknownPolicy },
  };
}

/** Assembles the fix or latency training set, writes it into the run's work directory and logs it to MLflow. */
export async function ingestFixOrLatency(config: Config, family: 'fix' | 'latency', run: TrainingRun): Promise<DatasetRef> {
  const set = family === 'fix' ? fixTrainingSet(config) : latencyTrainingSet(config);
  const path = join(run.workDir, `${set.name}.jsonl`);
  writeAtomic(path, set.text);
  const digest = sha256(set.text);
  const lines = set.text.split('\n').filter((line) => line.trim() !== '');
  const client = mlflowClientFromConfig(config);
  const sourceOf = (line: string) => (JSON.parse(line) as { source: string }).source;
  await client.logInputs({
    runId: run.runId,
    datasets: Object.keys(set.counts).map((source) => {
      const part = lines.filter((line) => sourceOf(line) === source);
      return {
        dataset: {
          name: `${set.name}-${source}`,
          digest: sha256(part.join('\n')).slice(0, 36),
          sourceType: 'local',
          source: JSON.stringify({ uri: set.source, source }),
        },
        tags: { 'mlflow.data.context': 'training', rows: String(part.length) },
      };
    }),
  });
  const stamp = run.startTime ? { timestamp: run.startTime } : {};
  await client.logBatch({
    runId: run.runId,
    params: { dataset_name: set.name, dataset_digest: digest },
    metrics: Object.entries({
      dataset_rows: lines.length,
      ...Object.fromEntries(Object.entries(set.counts).map(([k, v]) => [`rows_${k}`, v])),
      ...set.params,
    }).map(([key, value]) => ({ key, value, ...stamp })),
  });
  return { family, name: set.name, path, digest, rows: lines.length, source: set.source, sources: set.counts };
}
