/**
 * Worker wiring: one worker on the main task queue running every workflow and activity.
 * `pac worker` runs it until SIGINT/SIGTERM; tests and `pac demo` create it in-process.
 */
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../infra/config';

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

let runtimeInstalled = false;
/** SDK logs at WARN and above: a worker's routine INFO lines would drown the CLI's output. */
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
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
  const connection = await NativeConnection.connect({ address: config.temporal.address });
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

/**
 * One worker per task queue (default: main, lifecycle and drafting), run and shut down together. The
 * lifecycle queue carries the model workflows and their heavy activities, so a long training does
 * not hold up the quick ones.
 */
export async function createWorkers(
  config: Config,
  queues: QueueName[] = ['main', 'lifecycle', 'drafting'],
  options: Partial<WorkerOptions> = {},
): Promise<PacWorker> {
  const workers: PacWorker[] = [];
  for (const queue of queues) {
    workers.push(
      await createWorker(config, {
        taskQueue: config.temporal.taskQueues[queue],
        // two cores: one heavy lifecycle activity at a time leaves room for the rest
        ...(queue === 'lifecycle' ? { maxConcurrentActivityTaskExecutions: 1 } : {}),
        ...options,
      }),
    );
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
