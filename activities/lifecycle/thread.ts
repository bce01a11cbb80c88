/**
 * Runs one CPU-heavy lifecycle task (compute.ts) in a worker thread: the activity's event loop
 * stays free, so its heartbeats, the workflow tasks and the other queues' activities of the same
 * worker process go on while a model trains. Every progress report of the task becomes a heartbeat
 * (with the report as its details), so a stalled or killed computation is noticed by the heartbeat
 * timeout, not by the start-to-close timeout. When the activity is cancelled (heartbeat timeout,
 * workflow cancelled) the thread is terminated.
 */
import { Worker } from 'node:worker_threads';
import type { ComputeTask, ComputeTasks } from './compute';

const ENTRY = new URL('./compute-thread.mjs', import.meta.url);

type TaskInput<T extends ComputeTask> = Parameters<ComputeTasks[T]>[0];
type TaskResult<T extends ComputeTask> = Awaited<ReturnType<ComputeTasks[T]>>;

type Message =
  | { type: 'progress'; detail: string }
  | { type: 'result'; result: unknown }
  | { type: 'error'; name: string; message: string; stack?: string };

/** An error thrown inside the thread, rebuilt with its name (the workflow's non-retryable list matches on it). */
function rebuilt(message: Extract<Message, { type: 'error' }>): Error {
  const error = new Error(message.message);
  error.name = message.name;
  if (message.stack) error.stack = message.stack;
  return error;
}

export function runInThread<T extends ComputeTask>(
  task: T,
  input: TaskInput<T>,
  options: { onProgress?: (detail: string) => void; signal?: AbortSignal } = {},
): Promise<TaskResult<T>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: { task, input } });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', abort);
      fn();
    };
    const abort = () => {
      void worker.terminate();
      settle(() => reject(options.signal?.reason ?? new Error(`${task} cancelled`)));
    };
    if (options.signal?.aborted) return abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (message: Message) => {
      if (message.type === 'progress') options.onProgress?.(message.detail);
      else if (message.type === 'result') {
        settle(() => resolve(message.result as TaskResult<T>));
        void worker.terminate();
      } else settle(() => reject(rebuilt(message)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the ${task} thread exited with code ${code} before it answered`))));
  });
}
