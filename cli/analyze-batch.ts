/**
 * pac batch: reads the inputs as `pac analyze` does, resolves the policy selection, writes
 * the batch (activities/analyze/batch.ts) and runs the `analyzeBatch` workflow on the lifecycle
 * task queue. Loaded only when the command runs.
 */
import { copyFileSync } from 'node:fs';
import { type BatchDocument, type BatchSummary, writeBatch } from '../activities/analyze/batch';
import { openEvaluator } from '../activities/analyze/evaluate';
import { problemNote, summaryLine } from '../activities/analyze/format/common';
import { listSources, sourceEntries } from '../activities/analyze/input';
import { emptyInventory, inventoryFromObjects } from '../activities/analyze/inventory';
import {
  AnalyzeInputError,
  corpusBundles,
  loadCatalogue,
  type SelectionOptions,
  selectPolicies,
  withEnginePolicies,
} from '../activities/analyze/policies';
import type { Problem, Severity, Summary } from '../activities/analyze/report';
import { analysisExitCode } from '../activities/analyze/run';
import { loadInventory } from '../datasets/inventory';
import { DatasetError, loadPolicyIndex } from '../datasets/load';
import type { Config } from '../infra/config';
import { NOT_AN_OBJECT } from '../lib/manifest-stream';
import { createWorkers } from '../workers/main';
import { temporalClient, workflowUiUrl } from '../workers/temporal';
import type { AnalyzeBatchResult } from '../workflows';

export interface BatchInput {
  documents: BatchDocument[];
  policies: string[];
  /** data.inventory: --inventory FILE|DIR, none, or (default) the input's own objects, as pac analyze */
  inventory: unknown;
  files: number;
  problems: number;
  skipped: number;
  /** problems and skipped files, for stderr */
  notes: string[];
}

/** The objects of every source, in input order, and the policy ids the selection names. */
export async function readBatch(config: Config, paths: string[], selection: SelectionOptions, inventoryFlag?: string): Promise<BatchInput> {
  const sources = listSources(paths);
  const out: BatchInput = { documents: [], policies: [], inventory: {}, files: sources.length, problems: 0, skipped: 0, notes: [] };
  for (const source of sources) {
    const problems: Problem[] = [];
    let objects = 0;
    for await (const entry of sourceEntries(source)) {
      if (entry.problem) problems.push(entry.problem);
      else {
        objects++;
        const { source: from, line, item, manifest } = entry.object;
        out.documents.push({ source: from, line, ...(item === undefined ? {} : { item }), manifest });
      }
    }
    // as `pac analyze`: a file of a directory that holds no Kubernetes object is skipped, not an error
    if (objects === 0 && source.fromDirectory && problems.every((p) => p.message.endsWith(NOT_AN_OBJECT))) {
      out.skipped++;
      out.notes.push(`note: skipped ${source.source}: not a Kubernetes object`);
      continue;
    }
    out.problems += problems.length;
    out.notes.push(...problems.map(problemNote));
  }
  out.inventory = batchInventory(inventoryFlag, out.documents);
  const index = loadPolicyIndex();
  const evaluator = await openEvaluator(config, { threads: 0 });
  try {
    out.policies = selectPolicies(withEnginePolicies(loadCatalogue(index), evaluator.policyIds), selection, corpusBundles(index));
  } finally {
    await evaluator.close();
  }
  return out;
}

/** --inventory FILE|DIR (a bad one is an input error), none, or the batch's own objects (the documents are in memory already). */
function batchInventory(flag: string | undefined, documents: readonly BatchDocument[]): unknown {
  if (flag === 'none') return emptyInventory();
  if (flag === undefined) return inventoryFromObjects(documents.map((d) => d.manifest));
  try {
    return loadInventory(flag);
  } catch (error) {
    if (error instanceof DatasetError) throw new AnalyzeInputError(`--inventory: ${error.message}`);
    throw error;
  }
}

export interface BatchOutcome {
  workflowId: string;
  url: string;
  shards: number;
  reportPath: string;
  reportDigest: string;
  summary: Summary;
  line: string;
}

/** Writes the batch, runs (or joins) its workflow and waits for the merged report. */
export async function runBatch(
  config: Config,
  input: BatchInput,
  options: { threshold: Severity; shardSize?: number; localWorker: boolean; output?: string; started: number },
): Promise<BatchOutcome> {
  const plan = writeBatch(config, input.documents, {
    policies: input.policies,
    threshold: options.threshold,
    inventory: input.inventory,
    ...(options.shardSize ? { shardSize: options.shardSize } : {}),
  });
  const workflowId = `analyze-batch-${plan.digest.slice(0, 24)}`;
  const worker = options.localWorker ? await createWorkers(config, { queues: ['lifecycle'] }) : undefined;
  const running = worker?.run();
  const client = await temporalClient(config);
  let result: AnalyzeBatchResult;
  try {
    const handle = await client.workflow.start('analyzeBatch', {
      taskQueue: config.temporal.taskQueues.lifecycle,
      workflowId,
      args: [{ plan }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    if (!worker)
      process.stderr.write(
        `batch: ${plan.documents} objects in ${plan.shards} shards on task queue "${config.temporal.taskQueues.lifecycle}" (needs \`pac worker --queues lifecycle\`): ${workflowUiUrl(config, workflowId)}\n`,
      );
    result = (await handle.result()) as AnalyzeBatchResult;
  } finally {
    await client.connection.close();
    await worker?.shutdown();
    await running;
  }
  if (options.output) copyFileSync(result.reportPath, options.output);
  for (const problem of result.problems) process.stderr.write(`${problemNote(problem)}\n`);
  const counts: Omit<BatchSummary, 'reportPath' | 'reportDigest'> = result;
  const partial = {
    files: input.files,
    resources: counts.resources,
    clean: counts.clean,
    findings: counts.findings,
    exempted: counts.exempted,
    threshold: options.threshold,
    atOrAboveThreshold: counts.atOrAboveThreshold,
    problems: input.problems + result.problems.length,
    skipped: input.skipped,
    policies: input.policies.length,
  };
  const summary: Summary = { ...partial, exitCode: analysisExitCode(partial), seconds: (performance.now() - options.started) / 1000 };
  return {
    workflowId,
    url: workflowUiUrl(config, workflowId),
    shards: result.shards,
    reportPath: result.reportPath,
    reportDigest: result.reportDigest,
    summary,
    line: `pac batch: ${summaryLine(summary)}; ${result.shards} shards; report ${options.output ?? result.reportPath}`,
  };
}
