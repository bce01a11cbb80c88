/**
 * `pac worker` OS processes, started as a user starts them (node bin/pac.js worker --queues …
 * --identity …), and a run of the ranker's sharded data steps with who ran each activity (from the
 * workflow history), for bench/workers.ts and test/integration/two-workers.test.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { runActivities } from '../activities/lifecycle/run';
import type { TrainingRun } from '../activities/lifecycle/types';
import type { Config } from '../infra/config';
import { mlflowClientFromConfig } from '../registry/mlflow';
import type { RankerShardsInput, RankerShardsResult } from '../workflows';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface PacWorkerProcess {
  identity: string;
  child: ChildProcess;
  /** what it wrote to stderr so far */
  stderr(): string;
  /** SIGTERM (the worker drains), SIGKILL of its process group after 20 s */
  stop(): Promise<void>;
}

/** SIGKILL of a detached child's whole process group (a worker that did not drain in time). */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Starts `pac worker --queues <queue name> --identity <identity>` with `env`; resolves once it polls `taskQueue`. */
export async function startPacWorker(
  env: NodeJS.ProcessEnv,
  options: { identity: string; queue?: 'main' | 'lifecycle' | 'drafting'; taskQueue: string; concurrency?: number },
): Promise<PacWorkerProcess> {
  const { identity } = options;
  const args = ['bin/pac.js', 'worker', '--queues', options.queue ?? 'lifecycle', '--identity', identity];
  if (options.concurrency) args.push('--concurrency', String(options.concurrency));
  const child = spawn(process.execPath, args, { cwd: root, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${identity} did not start in 90 s:\n${err}`)), 90_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes(`polling task queues "${options.taskQueue}"`) && err.includes(`as ${identity}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${identity} exited with ${code} before it polled:\n${err}`));
    });
  });
  return {
    identity,
    child,
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => killGroup(child), 20_000);
      await exited.finally(() => clearTimeout(force));
    },
  };
}

/** Who started each activity of a workflow execution: activity type → worker identities, in history order. */
export async function activityIdentities(handle: WorkflowHandle): Promise<Map<string, string[]>> {
  const events = (await handle.fetchHistory()).events ?? [];
  const typeOf = new Map<string, string>();
  const ran = new Map<string, string[]>();
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) typeOf.set(String(event.eventId), scheduled.activityType?.name ?? '?');
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const type = typeOf.get(String(started.scheduledEventId)) ?? '?';
      ran.set(type, [...(ran.get(type) ?? []), started.identity ?? '?']);
    }
  }
  return ran;
}

export interface ShardedRun {
  run: TrainingRun;
  result: RankerShardsResult;
  /** activity type → identities that started it */
  ran: Map<string, string[]>;
  /** wall time from the workflow's start to its result */
  seconds: number;
}

/**
 * The ranker's sharded labelling and features (the `rankerData` workflow) for a new MLflow training
 * run, on `taskQueue`: the SIMULATED set of `count` rows (an observation window in the past, so no
 * observation gets in and every run sees the same rows).
 */
export async function shardedRankerData(
  client: Client,
  config: Config,
  options: { taskQueue: string; label: string; count: number; shardSize: number; seed?: number },
): Promise<ShardedRun> {
  const workflowId = `ranker-data-${options.label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const run = await runActivities(config).startTrainingRun({
    family: 'ranker',
    workflowId,
    workflowRunId: workflowId,
    reason: `sharded data (${options.label})`,
  });
  const input: RankerShardsInput = {
    run,
    seed: options.seed ?? 1616,
    count: options.count,
    shardSize: options.shardSize,
    window: { since: '2000-01-01T00:00:00.000Z', until: '2000-01-02T00:00:00.000Z' },
  };
  const started = performance.now();
  try {
    const handle = await client.workflow.start('rankerData', { taskQueue: options.taskQueue, workflowId, args: [input] });
    const result = (await handle.result()) as RankerShardsResult;
    const seconds = (performance.now() - started) / 1000;
    return { run, result, ran: await activityIdentities(handle), seconds };
  } finally {
    // the data steps alone: the run is closed here, it trains nothing
    await mlflowClientFromConfig(config)
      .updateRun({ runId: run.runId, status: 'FINISHED' })
      .catch(() => undefined);
  }
}
