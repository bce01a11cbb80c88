/**
 * The ranker's ingest step: what it trains on, and the record of it in MLflow.
 *
 *   - the observation window (PAC_OBSERVATION_WINDOW, default 30 days, ending at the run's start
 *     — or the window a drift-triggered retrain was given), one row per manifest digest (the newest);
 *   - the SIMULATED bootstrap set (datasets/synthetic/manifests.ts) with the configured mix: with
 *     observations, PAC_RANKER_SIMULATED_SHARE of the rows (at most `count`); without any, `count`
 *     rows (the bootstrap);
 *   - labels for every row from the policy engine on the corpus and every published policy, so a
 *     policy approved through the drafting loop labels manifests from the next retrain on.
 *
 * Written into the run's work directory (rows as JSON lines, the policy list beside them); MLflow
 * gets one dataset input per origin with its digest, the counts per origin and per observation
 * source (metrics rows_observed, rows_simulated, rows_source_<source>), and the window as params.
 */
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { corpusDigest } from '../../datasets/load';
import { generateManifests } from '../../datasets/synthetic/manifests';
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
import { sha256 } from '../../lib/digest';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { compactObservations, readObservations, skeletonDigest } from '../observations';
import { DatasetError } from './compute';
import { openLabeller, policiesPathOf, policyInfoOf, type RankerPolicies, type RankerRow, type RowOrigin } from './ranker-data';
import type { DatasetRef, TrainingRun } from './types';

export interface RankerIngestInput {
  run: TrainingRun;
  /** the simulated set's seed (default 42) */
  seed?: number;
  /** simulated rows at most (default 2000); all of them when there are no observations */
  count?: number;
  /** population shift of the simulated set (a drift demo's retrain trains on the shifted data) */
  shift?: number;
  /** the observation window (ISO times; until exclusive); default: PAC_OBSERVATION_WINDOW up to the run's start */
  window?: { since: string; until: string };
}

/** How many simulated rows go with `observed` observed rows. */
export function simulatedRows(observed: number, share: number, count: number): number {
  if (observed === 0 || share >= 1) return count;
  return Math.min(count, Math.round((observed * share) / (1 - share)));
}

/** A ranker row before labelling: everything but `deny`. */
export type PendingRankerRow = Omit<RankerRow, 'deny'>;

/** What ingest collected, before labelling: the rows and where they came from. */
export interface CollectedRankerRows {
  since: string;
  until: string;
  seed: number;
  shift: number;
  observed: number;
  simulated: number;
  rows: PendingRankerRow[];
}

/** Reads the observation window and generates the simulated share: the rows to label, in training order. */
export function collectRankerRows(config: Config, input: RankerIngestInput, beat: (detail: string) => void): CollectedRankerRows {
  const { run } = input;
  const until = input.window?.until ?? new Date(run.startTime ?? Date.now()).toISOString();
  const since = input.window?.since ?? new Date(Date.parse(until) - config.observations.windowMs).toISOString();
  beat('compacting observations');
  try {
    compactObservations(config);
  } catch (error) {
    // the read below also finds records that were not compacted: a failed compaction loses nothing here
    beat(`compaction failed (${(error as Error).message.split('\n')[0]}); reading the write-ahead files`);
  }
  const observed = readObservations(config, { since, until, dedupe: 'digest' });
  beat(`read ${observed.length} observations (${since} .. ${until})`);
  const seed = input.seed ?? 42;
  const count = input.count ?? 2000;
  const share = config.models.rankerSimulatedShare;
  const simulated = generateManifests(seed, simulatedRows(observed.length, share, count), { shift: input.shift ?? 0 });
  if (observed.length + simulated.length === 0)
    throw new DatasetError(`no training rows: no observations between ${since} and ${until}, and no simulated rows (count ${count})`);
  const rows: PendingRankerRow[] = [
    ...observed.map((o) => ({
      id: `obs-${o.manifestDigest.slice(0, 24)}`,
      kind: o.kind,
      manifest: o.manifest,
      origin: 'observed' as const,
      source: o.source,
      time: o.time,
      group: o.skeletonDigest,
    })),
    ...simulated.map((manifest, i) => ({
      id: `sim-${seed}-${i}`,
      kind: String(manifest.kind),
      manifest,
      origin: 'simulated' as const,
      source: 'simulated',
      time: null,
      group: skeletonDigest(manifest),
    })),
  ];
  return { since, until, seed, shift: input.shift ?? 0, observed: observed.length, simulated: simulated.length, rows };
}

/** A pending row with its labels, keys in the dataset's order (the same bytes whichever path labelled it). */
export const labelledRow = (row: PendingRankerRow, deny: string[]): RankerRow => ({
  id: row.id,
  kind: row.kind,
  manifest: row.manifest,
  deny,
  origin: row.origin,
  source: row.source,
  time: row.time,
  group: row.group,
});

export async function ingestRankerDataset(config: Config, input: RankerIngestInput): Promise<DatasetRef> {
  const context = Context.current();
  const beat = (detail: string) => context.heartbeat({ step: 'ingest', detail });
  const collected = collectRankerRows(config, input, beat);
  const labeller = await openLabeller(config);
  let labels: string[][];
  try {
    labels = await labeller.label(
      collected.rows.map((r) => r.manifest),
      (done, total) => beat(`labelled ${done}/${total} manifests`),
    );
  } finally {
    await labeller.close();
  }
  const rows = collected.rows.map((row, i) => labelledRow(row, labels[i] as string[]));
  const policies: RankerPolicies = { corpusDigest: labeller.corpusDigest, policies: policyInfoOf(config, labeller.policyIds) };
  return recordRankerDataset(config, input.run, collected, rows, policies);
}

/** Writes the labelled rows and their policy list into the run's work directory and records the dataset in MLflow. */
export async function recordRankerDataset(
  config: Config,
  run: TrainingRun,
  collected: Omit<CollectedRankerRows, 'rows'>,
  rows: RankerRow[],
  policies: RankerPolicies,
): Promise<DatasetRef> {
  const { since, until, seed } = collected;
  const share = config.models.rankerSimulatedShare;
  const jsonlOf = (part: RankerRow[]) => part.map((row) => `${JSON.stringify(row)}\n`).join('');
  const text = jsonlOf(rows);
  const path = join(run.workDir, 'ranker-data.jsonl');
  writeAtomic(path, text);
  writeAtomic(policiesPathOf(path), JSON.stringify(policies, null, 2));

  const byOrigin = (origin: RowOrigin) => rows.filter((r) => r.origin === origin);
  const sources: Record<string, number> = {};
  for (const row of rows) sources[row.source] = (sources[row.source] ?? 0) + 1;
  const published = policies.policies.filter((p) => p.published).map((p) => p.id);
  const digest = sha256(text);
  const client = mlflowClientFromConfig(config);
  const part = (origin: RowOrigin, source: unknown) => {
    const partRows = byOrigin(origin);
    return {
      dataset: {
        name: `ranker-${origin}`,
        digest: sha256(jsonlOf(partRows)).slice(0, 36),
        sourceType: 'local',
        source: JSON.stringify(source),
      },
      tags: { 'mlflow.data.context': 'training', rows: String(partRows.length) },
    };
  };
  await client.logInputs({
    runId: run.runId,
    datasets: [
      part('observed', { uri: config.observations.dir, since, until, dedupe: 'manifest digest' }),
      part('simulated', { uri: 'datasets/synthetic/manifests.ts (SIMULATED)', seed, count: collected.simulated, shift: collected.shift }),
    ],
  });
  const stamp = run.startTime ? { timestamp: run.startTime } : {};
  await client.logBatch({
    runId: run.runId,
    params: {
      dataset_name: 'ranker-data',
      dataset_digest: digest,
      observation_window_since: since,
      observation_window_until: until,
      simulated_share: share,
      simulated_seed: seed,
    },
    metrics: [
      ['dataset_rows', rows.length],
      ['rows_observed', collected.observed],
      ['rows_simulated', collected.simulated],
      ['labelling_policies', policies.policies.length],
      ['labelling_policies_published', published.length],
      ...Object.entries(sources).map(([source, n]) => [`rows_source_${source}`, n] as [string, number]),
    ].map(([key, value]) => ({ key: key as string, value: value as number, ...stamp })),
    tags: {
      corpus_digest: corpusDigest(),
      labels_digest: policies.corpusDigest,
      published_policies: published.join(',').slice(0, 5000) || '-',
    },
  });
  return {
    family: 'ranker',
    name: 'ranker-data',
    path,
    digest,
    rows: rows.length,
    source: `${collected.observed} observed (${since.slice(0, 10)} .. ${until.slice(0, 10)}, deduplicated by manifest digest) + ${collected.simulated} SIMULATED (seed ${seed}${collected.shift ? `, shift ${collected.shift}` : ''}); labels from the engine on ${policies.policies.length} policies (${published.length} published)`,
    sources,
  };
}
