/**
 * pac train | models | drift | schedule — the model lifecycle from the command line (the command
 * modules in cli/commands/ load this one when they run). Thin clients of the Temporal client
 * (workflows) and of the activities' pure functions.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { listModels } from '../activities/lifecycle/models';
import type { Config } from '../infra/config';
import { MODEL_FAMILIES, type ModelFamily } from '../registry/promotion';
import { createWorkers } from '../workers/main';
import { ensureSchedules } from '../workers/schedules';
import { startLifecycle, startMonitor } from '../workers/start';
import { temporalClient, workflowUiUrl } from '../workers/temporal';
import { type LifecycleResult, type LifecycleStatus, lifecycleStatusQuery } from '../workflows';
import { CliUsageError, wholeNumber } from './common';

export function parseFamilies(value: string | undefined): ModelFamily[] {
  if (!value || value === 'all') return [...MODEL_FAMILIES];
  if (!MODEL_FAMILIES.includes(value as ModelFamily))
    throw new CliUsageError(`--family: expected one of ${MODEL_FAMILIES.join(', ')} or all, got "${value}"`);
  return [value as ModelFamily];
}

/** Runs `work` with an in-process worker on every queue, so the command needs no `pac worker`. */
export async function withWorker<T>(config: Config, work: (client: Client) => Promise<T>): Promise<T> {
  const worker = await createWorkers(config);
  const running = worker.run();
  const client = await temporalClient(config);
  try {
    return await work(client);
  } finally {
    await client.connection.close();
    await worker.shutdown();
    await running;
  }
}

/** Prints each step change of a lifecycle workflow to stderr until it ends. */
async function follow(handle: WorkflowHandle, family: ModelFamily, quiet: boolean): Promise<LifecycleResult> {
  let last = '';
  const timer = setInterval(async () => {
    try {
      const status: LifecycleStatus = await handle.query(lifecycleStatusQuery);
      const line = `${status.step}${Object.keys(status.metrics).length ? ` ${summary(family, status.metrics)}` : ''}`;
      if (line !== last && !quiet) process.stderr.write(`[train ${family}] ${line}\n`);
      last = line;
    } catch {
      // the workflow may not have a worker yet, or has just ended
    }
  }, 1000);
  try {
    return (await handle.result()) as LifecycleResult;
  } finally {
    clearInterval(timer);
  }
}

const HEADLINE: Record<ModelFamily, string[]> = {
  ranker: ['hit_at_1', 'hit_at_5', 'mrr', 'auc_macro', 'inference_p99_us'],
  fix: ['accuracy', 'precision', 'recall', 'f1'],
  latency: ['r2', 'r2_us', 'mae_us', 'mape'],
};

function summary(family: ModelFamily, metrics: Record<string, number>): string {
  return HEADLINE[family]
    .filter((k) => metrics[k] !== undefined)
    .map((k) => `${k}=${(metrics[k] as number).toFixed(k.endsWith('_us') ? 1 : 3)}`)
    .join(' ');
}

export async function trainCommand(
  config: Config,
  options: { family?: string; wait: boolean; json: boolean; seed?: string; count?: string },
) {
  const families = parseFamilies(options.family);
  const seed = wholeNumber('--seed', options.seed);
  const count = wholeNumber('--count', options.count);
  const start = async (client: Client) => {
    const results = [];
    for (const family of families) {
      const handle = await startLifecycle(client, config, {
        family,
        seed,
        count: family === 'ranker' ? count : undefined,
        reason: 'manual (pac train)',
      });
      const url = workflowUiUrl(config, handle.workflowId, handle.firstExecutionRunId);
      if (!options.json) process.stderr.write(`[train ${family}] workflow ${handle.workflowId}: ${url}\n`);
      if (!options.wait) {
        results.push({ family, workflowId: handle.workflowId, runId: handle.firstExecutionRunId, temporalUi: url });
        continue;
      }
      const result = await follow(handle, family, options.json);
      results.push({
        family,
        workflowId: handle.workflowId,
        temporalUi: url,
        mlflowRunId: result.runId,
        mlflowRun: result.runUrl,
        model: result.registration.name,
        version: result.registration.version,
        alias: result.registration.alias,
        reason: result.registration.reason,
        learner: result.train.learner,
        metrics: result.evaluation.metrics,
        baselines: result.evaluation.baselines,
        seconds: result.seconds,
      });
    }
    return results;
  };
  const results = options.wait
    ? await withWorker(config, start)
    : await (async () => {
        const client = await temporalClient(config);
        try {
          return await start(client);
        } finally {
          await client.connection.close();
        }
      })();
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ families: results }, null, 2)}\n`);
  } else {
    for (const r of results) {
      if ('version' in r) {
        process.stdout.write(
          `${r.family}: ${r.model} v${r.version} → ${r.alias} (${r.reason})\n  ${summary(r.family, r.metrics ?? {})}\n  MLflow run: ${r.mlflowRun}\n`,
        );
      } else {
        process.stdout.write(`${r.family}: started ${r.workflowId} (a worker must be running: npx pac worker)\n  ${r.temporalUi}\n`);
      }
    }
  }
  return 0;
}

export async function modelsCommand(config: Config, json: boolean) {
  const out = await listModels(config);
  if (json) {
    process.stdout.write(`${JSON.stringify({ models: out }, null, 2)}\n`);
  } else {
    for (const m of out) {
      process.stdout.write(`${m.model} (${m.family}) ${m.url}\n`);
      if (m.versions.length === 0) process.stdout.write(`  no versions yet: npx pac train --family ${m.family} --wait\n`);
      for (const v of m.versions) {
        process.stdout.write(`  v${v.version.padEnd(3)} ${(v.aliases.join(',') || '-').padEnd(11)} ${summary(m.family, v.metrics)}\n`);
      }
    }
  }
  return 0;
}

export async function driftCommand(
  config: Config,
  options: { json: boolean; seed?: string; count?: string; shift?: string; noRetrain: boolean },
) {
  const shift = options.shift === undefined ? undefined : Number(options.shift);
  if (shift !== undefined && !(shift >= 0 && shift <= 1))
    throw new CliUsageError(`--shift: expected a number between 0 and 1, got "${options.shift}"`);
  const result = await withWorker(config, async (client) => {
    const handle = await startMonitor(client, config, {
      family: 'ranker',
      seed: wholeNumber('--seed', options.seed),
      count: wholeNumber('--count', options.count),
      shift,
      retrain: !options.noRetrain,
    });
    return handle.result();
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const d = result.drift;
    process.stdout.write(
      `${[
        `drift of ranker champion v${d.championVersion}: ${d.drifted ? 'DRIFTED' : 'no drift'} (${d.driftedFeatures}/${d.totalFeatures} features, share ${d.driftShare.toFixed(2)}${d.predictionDrifted ? ', predictions drifted' : ''})`,
        d.data === 'observations'
          ? `current data: ${d.currentRows} observations${
              d.sources && Object.keys(d.sources).length
                ? ` (${Object.entries(d.sources)
                    .map(([s, n]) => `${s} ${n}`)
                    .join(', ')})`
                : ''
            } from ${d.window?.since} to ${d.window?.until}`
          : `current data: ${d.currentRows} SIMULATED manifests (demo)`,
        ...d.reasons.slice(0, 8).map((r) => `  ${r}`),
        `labels: ${result.labels.detail}`,
        result.retrain
          ? `retrain: ${result.retrain.joined ? 'joined' : 'started'} ${result.retrain.workflowId} (${result.retrain.reason})`
          : `retrain: ${d.drifted || result.labels.changed ? 'not started (--no-retrain)' : 'not needed'}`,
        `report: ${d.htmlPath}`,
        `MLflow: ${d.runUrl}`,
      ].join('\n')}\n`,
    );
  }
  return result.drift.drifted ? 3 : 0;
}

export async function scheduleCommand(config: Config, json: boolean) {
  const client = await temporalClient(config);
  try {
    const states = await ensureSchedules(client, config);
    if (json) process.stdout.write(`${JSON.stringify({ schedules: states }, null, 2)}\n`);
    else
      for (const s of states)
        process.stdout.write(`${s.id}: ${s.action} (${s.workflow} at "${s.cron}" UTC; next ${s.nextRuns[0] ?? '-'})\n`);
    return 0;
  } finally {
    await client.connection.close();
  }
}
