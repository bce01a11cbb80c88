/**
 * A pool thread: one Evaluator (one wasm instance) answering batches posted by pool.ts. Kept free
 * of project imports beyond the evaluator and the wasm host so that it starts fast; run from the
 * compiled worker.js (dist) or bundled once by pool.ts from this source.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type Batch, EvaluationError, Evaluator, type ModulePlan } from './evaluator';

interface Init {
  module: WebAssembly.Module;
  plan: ModulePlan;
  maxMemoryPages?: number;
}

const init = workerData as Init;
const evaluator = new Evaluator(init.module, init.plan, { maxMemoryPages: init.maxMemoryPages });
const port = parentPort;

port?.on('message', (message: { id: number; batch: Batch }) => {
  evaluator.run(message.batch).then(
    (verdicts) => port.postMessage({ id: message.id, verdicts }),
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      port.postMessage({
        id: message.id,
        error: {
          name: e.name,
          message: e.message,
          index: e instanceof EvaluationError ? e.index : undefined,
          policy: e instanceof EvaluationError ? e.policy : undefined,
          limit: e instanceof EvaluationError ? e.limit : undefined,
        },
      });
    },
  );
});
