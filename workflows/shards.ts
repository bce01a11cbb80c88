/**
 * The shard fan-out of the ranker's data steps: plan → one labelShard activity per shard → merge
 * (the dataset) → one featureShard activity per shard → merge (the feature file). Every shard is
 * its own activity on the workflow's task queue, so every worker process polling that queue takes
 * shards: scale-out is Temporal's task distribution, not parallelism inside one activity. The
 * payloads are the plan and shard indices; the rows stay in content-addressed files.
 *
 * `rankerShards` is used inline by `lifecycle` (behind a patch) and as the `rankerData` workflow,
 * which runs the same two sharded steps on their own (the two-worker test and bench/workers.ts).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ShardPlan, ShardResult } from '../activities/lifecycle/shards';
import type { DatasetRef, FeatureRef, TrainingRun } from '../activities/lifecycle/types';
import { step } from './activity-options';

const NON_RETRYABLE = ['DatasetError', 'TrainingError', 'ModelError'];
const dataSteps = proxyActivities<Activities>(step('data', NON_RETRYABLE));

export interface RankerShardsInput {
  run: TrainingRun;
  seed?: number;
  count?: number;
  shift?: number;
  window?: { since: string; until: string };
  /** rows per shard (default PAC_SHARD_SIZE of the worker that plans) */
  shardSize?: number;
}

export interface RankerShardsResult {
  dataset: DatasetRef;
  features: FeatureRef;
  plan: Omit<ShardPlan, 'collected'>;
  /** rows per shard, in shard order, of each step */
  labelled: ShardResult[];
  featured: ShardResult[];
}

/** Called by the workflow when a step begins (the lifecycle's `status` query). */
export type StepHook = (step: 'ingest' | 'features', seconds?: number) => void;

const indices = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The sharded ingest (labelling) and feature steps of the ranker. */
export async function rankerShards(input: RankerShardsInput, onStep: StepHook = () => {}): Promise<RankerShardsResult> {
  const { run } = input;
  onStep('ingest');
  const plan = await dataSteps.planRankerShards({
    run,
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
    ...(input.count !== undefined ? { count: input.count } : {}),
    ...(input.shift !== undefined ? { shift: input.shift } : {}),
    ...(input.window ? { window: input.window } : {}),
    ...(input.shardSize !== undefined ? { shardSize: input.shardSize } : {}),
  });
  const labelled = await Promise.all(indices(plan.shards).map((index) => dataSteps.labelShard({ plan, index })));
  const dataset = await dataSteps.mergeRankerShards({ run, plan });
  onStep('features');
  const featured = await Promise.all(indices(plan.shards).map((index) => dataSteps.featureShard({ plan, index })));
  const features = await dataSteps.mergeFeatureShards({ run, dataset, plan });
  const { collected: _collected, ...summary } = plan;
  return { dataset, features, plan: summary, labelled, featured };
}

/** The ranker's sharded data steps on their own, for a training run created beforehand (tests, bench/workers.ts). */
export async function rankerData(input: RankerShardsInput): Promise<RankerShardsResult> {
  return rankerShards(input);
}
