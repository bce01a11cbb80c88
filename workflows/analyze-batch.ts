/**
 * analyzeBatch: a batch analysis fanned out as one `analyzeShard` activity per shard of the
 * written batch (activities/analyze/batch.ts), then `mergeAnalysis` in shard order. Started by
 * `pac batch` on the lifecycle task queue, with id `analyze-batch-<batch digest>`: the same
 * batch started twice joins one execution. The payload is the batch plan (digest, counts, policy
 * ids); the documents and reports stay in files.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BatchPlan, BatchSummary } from '../activities/analyze/batch';
import type { Problem } from '../activities/analyze/report';
import { step } from './activity-options';

const shards = proxyActivities<Activities>(step('data', ['AnalyzeInputError', 'DatasetError']));

export interface AnalyzeBatchResult extends BatchSummary {
  shards: number;
  /** policies that failed on an object (at most 100 per shard), in shard order */
  problems: Problem[];
}

export async function analyzeBatch(input: { plan: BatchPlan }): Promise<AnalyzeBatchResult> {
  const { plan } = input;
  const analysed = await Promise.all(Array.from({ length: plan.shards }, (_, index) => shards.analyzeShard({ plan, index })));
  const summary = await shards.mergeAnalysis({ plan });
  return { ...summary, shards: plan.shards, problems: analysed.flatMap((shard) => shard.problems) };
}
