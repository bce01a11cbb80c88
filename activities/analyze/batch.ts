/**
 * Batch analysis through Temporal (`pac batch`, the `analyzeBatch` workflow): the
 * documents are written once as content-addressed shard files under
 * $PAC_STATE_DIR/batches/<digest>/shards, each shard is analysed by its own activity on whichever
 * lifecycle worker takes it, and the merge concatenates the shard reports in shard order — the
 * same resource reports, in the same order, as `pac analyze --format json` on one machine.
 *
 * The batch digest covers the documents and the policy selection, so a retried shard, or a second
 * run of the same batch, rewrites the same files atomically.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { readJsonl } from '../../datasets/load';
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
import { sha256 } from '../../lib/digest';
import { shardCount, shardPath, shardRange } from '../lifecycle/shards-compute';
import { openEvaluator } from './evaluate';
import { loadCatalogue, withEnginePolicies } from './policies';
import { type Problem, type ResourceReport, resourceReportSchema, type Severity } from './report';
import { failedPolicies, resourceReport } from './run';
import { atOrAbove } from './severity';

/** One document of a batch: an object of the input with where it came from. */
export const batchDocumentSchema = z.strictObject({
  source: z.string(),
  line: z.number().int().min(1),
  item: z.number().int().min(0).optional(),
  manifest: z.record(z.string(), z.unknown()),
});
export type BatchDocument = z.infer<typeof batchDocumentSchema>;

/** A written batch: the payload of the workflow (no document travels through Temporal). */
export interface BatchPlan {
  /** sha256 of the documents (JSON lines) and the policy selection */
  digest: string;
  /** $PAC_STATE_DIR/batches/<digest prefix> */
  dir: string;
  documents: number;
  shardSize: number;
  shards: number;
  /** the policy ids evaluated (resolved by the caller from --bundle/--policy/--skip) */
  policies: string[];
  threshold: Severity;
  /** data.inventory of every shard (the input's own objects, an --inventory file, or empty), a JSON file in the batch */
  inventoryPath: string;
}

export interface BatchSummary {
  resources: number;
  clean: number;
  findings: Record<Severity, number>;
  exempted: number;
  atOrAboveThreshold: number;
  /** the merged resource reports, one JSON line each, in input order */
  reportPath: string;
  reportDigest: string;
}

/** Writes the documents as shards of `shardSize` (default PAC_SHARD_SIZE): the plan the workflow fans out. */
export function writeBatch(
  config: Config,
  documents: readonly BatchDocument[],
  selection: { policies: string[]; threshold: Severity; shardSize?: number; inventory: unknown },
): BatchPlan {
  const lines = documents.map((d) => `${JSON.stringify(d)}\n`);
  const inventory = JSON.stringify(selection.inventory);
  const digest = sha256(
    `${JSON.stringify({ policies: selection.policies, threshold: selection.threshold })}\n${inventory}\n${lines.join('')}`,
  );
  const shardSize = selection.shardSize ?? config.models.shardSize;
  const plan: BatchPlan = {
    digest,
    dir: join(config.stateDir, 'batches', digest.slice(0, 16)),
    documents: lines.length,
    shardSize,
    shards: shardCount(lines.length, shardSize),
    policies: selection.policies,
    threshold: selection.threshold,
    inventoryPath: '',
  };
  plan.inventoryPath = join(plan.dir, `inventory-${digest.slice(0, 16)}.json`);
  writeAtomic(plan.inventoryPath, inventory);
  for (let index = 0; index < plan.shards; index++) {
    const { from, to } = shardRange(index, shardSize, lines.length);
    writeAtomic(shardPath(plan.dir, 'pending', digest, index), lines.slice(from, to).join(''));
  }
  return plan;
}

/** Problems one shard reports at most (the payload stays small; the count of the rest is lost, not the findings). */
const MAX_SHARD_PROBLEMS = 100;

/** What one shard reports: its objects, and the policies that failed on them (problems, as in pac analyze). */
export interface ShardAnalysis {
  index: number;
  resources: number;
  problems: Problem[];
}

const emptyFindings = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0 });

/** The counts of merged reports (as `pac analyze` counts them). */
export function summarise(reports: readonly ResourceReport[], threshold: Severity): Omit<BatchSummary, 'reportPath' | 'reportDigest'> {
  const summary = { resources: reports.length, clean: 0, findings: emptyFindings(), exempted: 0, atOrAboveThreshold: 0 };
  for (const report of reports) {
    const active = report.findings.filter((f) => !f.exempted);
    summary.exempted += report.findings.length - active.length;
    if (active.length === 0) summary.clean++;
    for (const { severity } of active) summary.findings[severity]++;
    summary.atOrAboveThreshold += active.filter((f) => atOrAbove(f.severity, threshold)).length;
  }
  return summary;
}

export function batchActivities(config: Config) {
  return {
    /** Analyses one shard of a batch (one engine thread: the parallelism is the workers') and writes its reports. */
    async analyzeShard(input: { plan: BatchPlan; index: number }): Promise<ShardAnalysis> {
      const { plan, index } = input;
      const documents = readJsonl(shardPath(plan.dir, 'pending', plan.digest, index), batchDocumentSchema);
      const evaluator = await openEvaluator(config, { threads: 1 });
      let problems: Problem[] = [];
      try {
        const catalogue = withEnginePolicies(loadCatalogue(), evaluator.policyIds);
        const selected = new Set(plan.policies);
        const verdicts = await evaluator.verdicts(
          documents.map((d) => d.manifest),
          { policies: plan.policies, inventory: JSON.parse(readFileSync(plan.inventoryPath, 'utf8')) },
        );
        Context.current().heartbeat({ step: 'analyze', detail: `shard ${index}: ${documents.length} objects evaluated` });
        const text = documents
          .map((d, i) => `${JSON.stringify(resourceReport(d, verdicts[i]?.denied ?? {}, catalogue, selected))}\n`)
          .join('');
        writeAtomic(shardPath(plan.dir, 'analysis', plan.digest, index), text);
        // a policy that failed on an object is a problem of the analysis (as in pac analyze), never a silent pass
        problems = documents.flatMap((d, i) => failedPolicies(d, verdicts[i]?.failed));
      } finally {
        await evaluator.close();
      }
      return { index, resources: documents.length, problems: problems.slice(0, MAX_SHARD_PROBLEMS) };
    },

    /** The shard reports concatenated in shard order, with their counts. */
    async mergeAnalysis(input: { plan: BatchPlan }): Promise<BatchSummary> {
      const { plan } = input;
      const parts: string[] = [];
      for (let index = 0; index < plan.shards; index++) {
        const path = shardPath(plan.dir, 'analysis', plan.digest, index);
        if (!existsSync(path)) throw new Error(`shard ${index} of batch ${plan.digest.slice(0, 16)} has no report (${path})`);
        parts.push(readFileSync(path, 'utf8'));
      }
      const text = parts.join('');
      const reportPath = join(plan.dir, 'report.jsonl');
      writeAtomic(reportPath, text);
      const reports = readJsonl(reportPath, resourceReportSchema);
      if (reports.length !== plan.documents)
        throw new Error(`the shard reports hold ${reports.length} objects, the batch ${plan.documents}`);
      return { ...summarise(reports, plan.threshold), reportPath, reportDigest: sha256(text) };
    },
  };
}
