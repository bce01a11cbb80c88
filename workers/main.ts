/**
 * Worker wiring: one Temporal worker per task queue (main, lifecycle, drafting), each running every
 * workflow and activity. `pac worker [--queues …] [--concurrency N]` runs them until SIGINT/SIGTERM,
 * one process per queue when asked (scale each queue separately); tests and `pac demo` create them
 * in-process. CPU-heavy lifecycle steps run in worker threads (activities/lifecycle/thread.ts), so
 * a training never blocks the event loop that polls, heartbeats and runs workflow tasks.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { temporalConnectionOptions } from '../infra/clients';
import type { Config } from '../infra/config';

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

let runtimeInstalled = false;
/**
 * SDK logs at WARN and above, on stderr: a worker's routine INFO lines would drown the CLI's output,
 * and the core's own log lines (forwarded here instead of printed by the core) must never land in a
 * command's --json stdout.
 */
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} } },
    });
  } catch {
    // a runtime was already installed in this process (e.g. by a test harness): keep it
  }
}

export interface PacWorker {
  worker: Worker;
  connection: NativeConnection;
  /** resolves when the worker has shut down */
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

export async function createWorker(config: Config, options: Partial<WorkerOptions> = {}): Promise<PacWorker> {
  quietRuntime();
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueues.main,
    workflowsPath,
    activities: createActivities(config),
    ...options,
  });
  let running: Promise<void> | undefined;
  return {
    worker,
    connection,
    run() {
      running ??= worker.run().finally(() => connection.close());
      return running;
    },
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

export type QueueName = keyof Config['temporal']['taskQueues'];
export const QUEUE_NAMES: readonly QueueName[] = ['main', 'lifecycle', 'drafting'];

/**
 * Activities a worker runs at a time, by queue, when no --concurrency is given. The lifecycle
 * queue carries the CPU-bound steps — trainings (a compute thread each) and the label/feature/
 * analysis shards (one engine thread each) —: one per core of the machine, so one process uses its
 * cores and more processes (machines) add theirs; the others run short I/O-bound steps.
 */
export const DEFAULT_CONCURRENCY: Record<QueueName, number> = { main: 8, lifecycle: Math.max(1, availableParallelism()), drafting: 8 };

export interface WorkersOptions {
  /** the task queues to poll, one worker each (default: all three) */
  queues?: QueueName[];
  /** activities each worker runs at a time (maxConcurrentActivityTaskExecutions); default DEFAULT_CONCURRENCY */
  concurrency?: number;
  /** the workers' identity in the workflow histories (ActivityTaskStarted, WorkflowTaskStarted); default Temporal's pid@host */
  identity?: string;
  /** any other Temporal worker option, for every worker (tests: a private task queue) */
  worker?: Partial<WorkerOptions>;
}

/** The Temporal worker options of one queue's worker. */
export function queueWorkerOptions(config: Config, queue: QueueName, concurrency?: number): Partial<WorkerOptions> {
  const activities = concurrency ?? DEFAULT_CONCURRENCY[queue];
  if (!Number.isInteger(activities) || activities < 1) throw new RangeError(`concurrency must be a whole number ≥ 1, got ${activities}`);
  return {
    taskQueue: config.temporal.taskQueues[queue],
    maxConcurrentActivityTaskExecutions: activities,
    // workflow tasks are short and deterministic: a few at a time keep the queue moving
    maxConcurrentWorkflowTaskExecutions: Math.max(2, Math.min(activities * 2, 40)),
  };
}

/**
 * One worker per task queue (default: main, lifecycle and drafting), run and shut down together.
 * `createWorkers(config, { queues, concurrency })`; the older form `createWorkers(config, queues,
 * workerOptions)` is still accepted.
 */
export async function createWorkers(
  config: Config,
  options: WorkersOptions | QueueName[] = {},
  legacyWorkerOptions: Partial<WorkerOptions> = {},
): Promise<PacWorker> {
  const opts: WorkersOptions = Array.isArray(options) ? { queues: options, worker: legacyWorkerOptions } : options;
  const queues = opts.queues?.length ? [...new Set(opts.queues)] : [...QUEUE_NAMES];
  const workers: PacWorker[] = [];
  try {
    for (const queue of queues) {
      workers.push(
        await createWorker(config, {
          ...queueWorkerOptions(config, queue, opts.concurrency),
          ...(opts.identity ? { identity: opts.identity } : {}),
          ...opts.worker,
        }),
      );
    }
  } catch (error) {
    await Promise.all(workers.map((w) => w.connection.close().catch(() => undefined)));
    throw error;
  }
  const first = workers[0] as PacWorker;
  let running: Promise<void> | undefined;
  return {
    worker: first.worker,
    connection: first.connection,
    run() {
      running ??= Promise.all(workers.map((w) => w.run())).then(() => undefined);
      return running;
    },
    async shutdown() {
      await Promise.all(workers.map((w) => w.shutdown()));
      await running;
    },
  };
}
