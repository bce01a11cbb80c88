// The entry of a lifecycle compute thread (activities/lifecycle/thread.ts): registers tsx's loader
// in this thread, runs one task of compute.ts and posts its progress and its result or error.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { COMPUTE_TASKS } = await import('./compute.ts');
const { task, input } = workerData;
const progress = (detail) => parentPort.postMessage({ type: 'progress', detail });
try {
  const result = await COMPUTE_TASKS[task](input, progress);
  parentPort.postMessage({ type: 'result', result });
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  parentPort.postMessage({ type: 'error', name: e.name, message: e.message, stack: e.stack });
}
