/**
 * Shards of the ranker's data steps, as plain functions over files (no Temporal, no engine): the
 * shard arithmetic, the content-addressed file names, the feature extraction of one shard and the
 * merge of the feature shards (which runs in the compute thread: compute.ts COMPUTE_TASKS).
 *
 * A shard is addressed by content: the digest of the pending rows it belongs to and its index.
 * Its input is `<workDir>/shards/pending-<digest>-<index>.jsonl`, its outputs are
 * `labels-<digest>-<index>.json` and `features-<digest>-<index>.json` beside it. A retried shard
 * rewrites the same file atomically; the merges read the shards in index order, so the merged
 * files are the same bytes whichever worker ran which shard.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonl } from '../../datasets/load';
import { writeAtomic } from '../../lib/atomic';
import { extractManifestFeatures, type FrameSummary } from '../features';
import type { FeatureRow } from '../training/encoder';
import { writeRankerFeatureFile } from './compute-ranker';
import { policiesPathOf, rankerPoliciesSchema, rankerRowSchema } from './ranker-data';

type Progress = (detail: string) => void;

/** Hex characters of the content digest in a shard's file name. */
const NAME_DIGEST = 16;

/** How many shards `rows` rows make at `size` rows per shard (at least one). */
export function shardCount(rows: number, size: number): number {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`shard size must be a whole number ≥ 1, got ${size}`);
  return Math.max(1, Math.ceil(rows / size));
}

/** The rows [from, to) of shard `index`. */
export function shardRange(index: number, size: number, rows: number): { from: number; to: number } {
  const count = shardCount(rows, size);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`shard ${index} is not one of the ${count} shards`);
  return { from: index * size, to: Math.min(rows, (index + 1) * size) };
}

/** pending rows, their labels and features (the lifecycle); analysis: the reports of a batch analysis (activities/analyze/batch.ts) */
export type ShardFile = 'pending' | 'labels' | 'features' | 'analysis';

/** The file of shard `index` of the rows with content digest `digest`. */
export function shardPath(dir: string, file: ShardFile, digest: string, index: number): string {
  if (!/^[0-9a-f]{16,}$/.test(digest)) throw new RangeError(`not a content digest: ${digest}`);
  return join(
    dir,
    'shards',
    `${file}-${digest.slice(0, NAME_DIGEST)}-${String(index).padStart(5, '0')}.${file === 'pending' || file === 'analysis' ? 'jsonl' : 'json'}`,
  );
}

/** A pending row: a ranker row before labelling (everything but `deny`). */
export const pendingRowSchema = rankerRowSchema.omit({ deny: true });

/** What a label shard writes: the labels of its rows and the policy set they came from. */
export const labelShardSchema = z.strictObject({
  digest: z.string(),
  index: z.number().int().min(0),
  corpusDigest: z.string(),
  policyIds: z.array(z.string()),
  labels: z.array(z.array(z.string())),
});
export type LabelShard = z.infer<typeof labelShardSchema>;

/** What a feature shard writes: the feature rows of its rows, in order. */
export const featureShardSchema = z.strictObject({
  digest: z.string(),
  index: z.number().int().min(0),
  /** feature rows as JSON wrote them (an undefined feature is absent, as in the merged file) */
  rows: z.array(z.record(z.string(), z.unknown())),
});

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

/** Extracts the features of one pending shard and writes them to its feature shard file. */
export function computeFeatureShard(
  input: { pendingPath: string; outPath: string; digest: string; index: number },
  progress: Progress,
): number {
  const pending = readJsonl(input.pendingPath, pendingRowSchema);
  const rows: FeatureRow[] = [];
  for (const [i, row] of pending.entries()) {
    rows.push(extractManifestFeatures(row.manifest));
    if (i % 100 === 99) progress(`features of ${i + 1}/${pending.length} manifests`);
  }
  writeAtomic(input.outPath, JSON.stringify({ digest: input.digest, index: input.index, rows }));
  return rows.length;
}

/**
 * The feature file of the dataset from its feature shards, read in index order: the same bytes as
 * computeRankerFeatures on the whole dataset (both write through writeRankerFeatureFile).
 */
export function mergeFeatureShards(
  input: { datasetPath: string; shardPaths: string[]; outPath: string },
  progress: Progress,
): { rows: number; columns: number; summary: FrameSummary } {
  const data = readJsonl(input.datasetPath, rankerRowSchema);
  const policies = rankerPoliciesSchema.parse(readJson(policiesPathOf(input.datasetPath)));
  const rows: FeatureRow[] = [];
  input.shardPaths.forEach((path, index) => {
    const shard = featureShardSchema.parse(readJson(path));
    if (shard.index !== index) throw new Error(`${path}: holds shard ${shard.index}, expected shard ${index}`);
    rows.push(...(shard.rows as FeatureRow[]));
  });
  if (rows.length !== data.length)
    throw new Error(`the feature shards hold ${rows.length} rows, the dataset ${input.datasetPath} ${data.length}`);
  progress(`merged ${input.shardPaths.length} feature shards (${rows.length} rows)`);
  return writeRankerFeatureFile(input.outPath, data, policies, rows, progress);
}
