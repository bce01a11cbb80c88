/**
 * The ranker's ingest labelling and feature building as shards, each its own activity, so any
 * number of lifecycle workers (processes, machines) polling the task queue share them; the
 * workflow fans them out (workflows/shards.ts) and merges them in shard order:
 *
 *   planRankerShards    collects the rows (observation window + SIMULATED share) and writes them as
 *                       pending shard files, addressed by the rows' digest
 *   labelShard          labels one shard with the policy engine (corpus ∪ published)
 *   mergeRankerShards   the labelled dataset, byte for byte what the one-activity ingest writes,
 *                       and its record in MLflow
 *   featureShard        the features of one shard
 *   mergeFeatureShards  the feature file and its profile (in the compute thread)
 *
 * Payloads are the plan (digest, counts, a directory) and shard indices: the merges find the shard
 * files by their content address, so the history holds no rows. Every shard rewrites its file
 * atomically: a retry, or a second worker that ran the same shard, writes the same bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { readJsonl } from '../../datasets/load';
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
import { sha256 } from '../../lib/digest';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { DatasetError } from './compute';
import { type CollectedRankerRows, collectRankerRows, labelledRow, type RankerIngestInput, recordRankerDataset } from './ingest-ranker';
import { openLabeller, policyInfoOf, type RankerRow } from './ranker-data';
import { computeFeatureShard, labelShardSchema, pendingRowSchema, shardCount, shardPath, shardRange } from './shards-compute';
import { compute } from './train';
import type { DatasetRef, FeatureRef, TrainingRun } from './types';

/** The shards of one ingest: their content address and how many there are. */
export interface ShardPlan {
  /** sha256 of the pending rows (JSON lines, in order): part of every shard file's name */
  digest: string;
  /** the run's work directory; shard files are under <dir>/shards */
  dir: string;
  rows: number;
  shardSize: number;
  shards: number;
  /** where the rows came from (recorded with the dataset) */
  collected: Omit<CollectedRankerRows, 'rows'>;
}

/** One finished shard. */
export interface ShardResult {
  index: number;
  rows: number;
}

const beatOf = (step: string) => {
  const context = Context.current();
  return (detail: string) => context.heartbeat({ step, detail });
};

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

/** The shard files of a plan, in index order; a missing one is an error naming it. */
function shardFiles(plan: ShardPlan, file: 'pending' | 'labels' | 'features'): string[] {
  return Array.from({ length: plan.shards }, (_, index) => {
    const path = shardPath(plan.dir, file, plan.digest, index);
    if (!existsSync(path)) throw new Error(`shard ${index} of ${plan.digest.slice(0, 16)} has no ${file} file (${path})`);
    return path;
  });
}

export function shardActivities(config: Config) {
  return {
    /** Collects the ranker's rows and writes them as pending shards of `shardSize` rows (default PAC_SHARD_SIZE). */
    async planRankerShards(input: RankerIngestInput & { shardSize?: number }): Promise<ShardPlan> {
      const { rows, ...collected } = collectRankerRows(config, input, beatOf('ingest'));
      const shardSize = input.shardSize ?? config.models.shardSize;
      const lines = rows.map((row) => `${JSON.stringify(row)}\n`);
      const digest = sha256(lines.join(''));
      const plan: ShardPlan = {
        digest,
        dir: input.run.workDir,
        rows: lines.length,
        shardSize,
        shards: shardCount(lines.length, shardSize),
        collected,
      };
      for (let index = 0; index < plan.shards; index++) {
        const { from, to } = shardRange(index, shardSize, lines.length);
        writeAtomic(shardPath(plan.dir, 'pending', digest, index), lines.slice(from, to).join(''));
      }
      return plan;
    },

    /** Labels one pending shard by the policy engine (one thread: the parallelism is the workers'). */
    async labelShard(input: { plan: ShardPlan; index: number }): Promise<ShardResult> {
      const { plan, index } = input;
      const beat = beatOf('ingest');
      const pending = readJsonl(shardPath(plan.dir, 'pending', plan.digest, index), pendingRowSchema);
      const labeller = await openLabeller(config, { threads: 1 });
      try {
        const labels = await labeller.label(
          pending.map((row) => row.manifest),
          (done, total) => beat(`shard ${index}: labelled ${done}/${total} manifests`),
        );
        const shard = { digest: plan.digest, index, corpusDigest: labeller.corpusDigest, policyIds: [...labeller.policyIds], labels };
        writeAtomic(shardPath(plan.dir, 'labels', plan.digest, index), JSON.stringify(shard));
      } finally {
        await labeller.close();
      }
      return { index, rows: pending.length };
    },

    /** The labelled dataset from the shards (index order) and its record in MLflow; shards labelled by different policy sets are refused. */
    async mergeRankerShards(input: { run: TrainingRun; plan: ShardPlan }): Promise<DatasetRef> {
      const { plan } = input;
      const pending = shardFiles(plan, 'pending');
      const rows: RankerRow[] = [];
      let policies: { corpusDigest: string; policyIds: string[] } | undefined;
      for (const [index, path] of shardFiles(plan, 'labels').entries()) {
        const shard = labelShardSchema.parse(readJson(path));
        const part = readJsonl(pending[index] as string, pendingRowSchema);
        if (shard.digest !== plan.digest || shard.index !== index || shard.labels.length !== part.length)
          throw new Error(`${path}: not the labels of shard ${index} of ${plan.digest.slice(0, 16)} (${part.length} rows)`);
        policies ??= shard;
        if (shard.corpusDigest !== policies.corpusDigest)
          throw new DatasetError(
            `shard ${index} was labelled with policy set ${shard.corpusDigest.slice(0, 12)}, shard 0 with ${policies.corpusDigest.slice(0, 12)}: a policy was published during the ingest; run the training again`,
          );
        part.forEach((row, i) => {
          rows.push(labelledRow(row, shard.labels[i] as string[]));
        });
      }
      if (!policies || rows.length !== plan.rows) throw new Error(`the shards hold ${rows.length} rows, the plan ${plan.rows}`);
      const info = { corpusDigest: policies.corpusDigest, policies: policyInfoOf(config, policies.policyIds) };
      return recordRankerDataset(config, input.run, plan.collected, rows, info);
    },

    /** The features of one pending shard. */
    async featureShard(input: { plan: ShardPlan; index: number }): Promise<ShardResult> {
      const { plan, index } = input;
      const rows = computeFeatureShard(
        {
          pendingPath: shardPath(plan.dir, 'pending', plan.digest, index),
          outPath: shardPath(plan.dir, 'features', plan.digest, index),
          digest: plan.digest,
          index,
        },
        beatOf('features'),
      );
      return { index, rows };
    },

    /** The dataset's feature file from the feature shards (in the compute thread), with its profile logged to MLflow. */
    async mergeFeatureShards(input: { run: TrainingRun; dataset: DatasetRef; plan: ShardPlan }): Promise<FeatureRef> {
      const started = performance.now();
      const path = join(input.run.workDir, 'features.json');
      const { rows, columns, summary } = await compute('mergeFeatureShards', {
        datasetPath: input.dataset.path,
        shardPaths: shardFiles(input.plan, 'features'),
        outPath: path,
      });
      await mlflowClientFromConfig(config).uploadArtifact(
        input.run.runId,
        'features/summary.json',
        JSON.stringify(summary, null, 2),
        'application/json',
      );
      return { path, rows, columns, seconds: (performance.now() - started) / 1000 };
    },
  };
}
