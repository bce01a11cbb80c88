/**
 * Where batches run: on the calling thread (LocalRunner) or on a pool of worker threads
 * (WorkerPool), one wasm instance each, batches handed to whichever thread is idle. A pool for
 * untrusted code caps each worker's V8 heap (resourceLimits) and wasm memory, and stops a worker
 * whose batch overruns its time limit (terminate, then a fresh worker for the next batch).
 *
 * The worker script is activities/engine/worker.js beside this module when running compiled
 * (dist); from TypeScript sources (tsx, vitest) worker.ts is bundled once with esbuild into
 * $PAC_STATE_DIR/engine/worker-<digest of its sources>.mjs, because a worker thread cannot load
 * TypeScript through tsx without a slow per-thread loader.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { writeAtomic } from '../../lib/atomic';
import { sha256 } from '../../lib/digest';
import { EngineError, EngineEvalError, EngineLimitError } from './errors';
import { type Batch, EvaluationError, type Evaluator, type ModulePlan, type Verdict } from './evaluator';

export interface BatchRunner {
  run(batch: Batch): Promise<Verdict[]>;
  close(): Promise<void>;
}

interface WorkerFailure {
  name: string;
  message: string;
  index?: number;
  policy?: string;
  limit?: 'memory';
}

/** The error a failed evaluation is reported as (the same on every thread). */
export function evaluationFailure(error: WorkerFailure | Error): Error {
  const failure = error as WorkerFailure;
  if (failure.limit === 'memory') return new EngineLimitError('memory', failure.message);
  if (failure.name === 'EvaluationError' || failure.name === 'WasmAbortError') {
    return new EngineEvalError(failure.message, failure.index, failure.policy);
  }
  return error instanceof Error ? error : new EngineError(`${failure.name}: ${failure.message}`);
}

export class LocalRunner implements BatchRunner {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly evaluator: Evaluator) {}

  async run(batch: Batch): Promise<Verdict[]> {
    // one batch at a time, each after the event loop had its turn (timers, I/O of a server)
    const previous = this.queue;
    let release = () => {};
    this.queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    await new Promise((resolve) => setImmediate(resolve));
    try {
      return await this.evaluator.run(batch);
    } catch (error) {
      throw error instanceof EvaluationError ? evaluationFailure(error) : error;
    } finally {
      release();
    }
  }

  async close(): Promise<void> {}
}

const HERE = dirname(fileURLToPath(import.meta.url));
const COMPILED = ['worker.js', 'engine-worker.js'].map((name) => join(HERE, name)).find((file) => existsSync(file));

/** The worker script: the compiled one, or worker.ts bundled into the state directory. */
export async function workerScript(stateDir: string): Promise<string> {
  if (COMPILED && !import.meta.url.endsWith('.ts')) return COMPILED;
  const entry = join(HERE, 'worker.ts');
  if (!existsSync(entry)) throw new EngineError(`the engine's worker script was not found beside ${HERE} (worker.js or worker.ts)`);
  const sources = [entry, join(HERE, 'evaluator.ts'), join(HERE, 'abi.ts')];
  for (const name of readdirSync(join(HERE, 'builtins')).sort()) sources.push(join(HERE, 'builtins', name));
  const digest = sha256(sources.map((file) => `${file}\u0000${readFileSync(file, 'utf8')}`).join('\u0000')).slice(0, 16);
  const file = join(stateDir, 'engine', `worker-${digest}.mjs`);
  if (existsSync(file)) return file;
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
  });
  writeAtomic(file, result.outputFiles[0]?.contents ?? new Uint8Array());
  return file;
}

export interface PoolOptions {
  module: WebAssembly.Module;
  plan: ModulePlan;
  threads: number;
  stateDir: string;
  /** untrusted code: wasm memory cap (pages), V8 heap caps, and a time limit per batch */
  maxMemoryPages?: number;
  resourceLimits?: ResourceLimits;
  timeoutMs?: number;
}

interface Slot {
  worker: Worker | undefined;
  busy: boolean;
}

interface Job {
  batch: Batch;
  resolve: (verdicts: Verdict[]) => void;
  reject: (error: Error) => void;
}

export class WorkerPool implements BatchRunner {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  private constructor(
    private readonly options: PoolOptions,
    private readonly script: string,
  ) {
    this.slots = Array.from({ length: Math.max(1, options.threads) }, () => ({ worker: undefined, busy: false }));
    // start the threads now: instantiating the module overlaps with whatever the caller does next
    for (const slot of this.slots) slot.worker = this.spawn(slot);
  }

  static async create(options: PoolOptions): Promise<WorkerPool> {
    return new WorkerPool(options, await workerScript(options.stateDir));
  }

  private spawn(slot: Slot): Worker {
    const { module, plan, maxMemoryPages, resourceLimits } = this.options;
    const worker = new Worker(this.script, { workerData: { module, plan, maxMemoryPages }, resourceLimits, env: {}, stdout: false });
    worker.unref();
    // an idle worker that fails or exits is dropped (a job in flight hears it through its own listeners)
    worker.on('error', () => {});
    worker.once('exit', () => {
      if (slot.worker === worker) slot.worker = undefined;
    });
    return worker;
  }

  run(batch: Batch): Promise<Verdict[]> {
    if (this.closed) return Promise.reject(new EngineError('the engine was closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      this.start(slot, this.queue.shift() as Job);
    }
  }

  private start(slot: Slot, job: Job): void {
    slot.busy = true;
    slot.worker ??= this.spawn(slot);
    const worker = slot.worker;
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    // a busy worker keeps the process alive (an idle one does not)
    worker.ref();
    const done = (outcome: () => void) => {
      clearTimeout(timer);
      worker.unref();
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      slot.busy = false;
      outcome();
      this.dispatch();
    };
    const discard = () => {
      slot.worker = undefined;
      void worker.terminate();
    };
    const onMessage = (message: { id: number; verdicts?: Verdict[]; error?: WorkerFailure }) => {
      if (message.id !== id) return;
      done(() => (message.error ? job.reject(evaluationFailure(message.error)) : job.resolve(message.verdicts ?? [])));
    };
    const onError = (error: Error & { code?: string }) => {
      discard();
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      done(() =>
        job.reject(
          memory
            ? new EngineLimitError(
                'memory',
                `the evaluation went over its memory limit (${this.options.resourceLimits?.maxOldGenerationSizeMb ?? '?'} MB heap) and was stopped`,
              )
            : new EngineError(`an engine worker failed: ${error.message}`, { cause: error }),
        ),
      );
    };
    const onExit = (code: number) => {
      slot.worker = undefined;
      done(() => job.reject(new EngineError(`an engine worker exited (code ${code}) during an evaluation`)));
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    if (this.options.timeoutMs) {
      timer = setTimeout(() => {
        worker.off('exit', onExit);
        discard();
        done(() =>
          job.reject(
            new EngineLimitError('time', `the evaluation took longer than its limit of ${this.options.timeoutMs} ms and was stopped`),
          ),
        );
      }, this.options.timeoutMs);
    }
    worker.postMessage({ id, batch: job.batch }, [job.batch.inputs.buffer as ArrayBuffer]);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new EngineError('the engine was closed'));
    await Promise.all(this.slots.map((slot) => slot.worker?.terminate()));
    for (const slot of this.slots) slot.worker = undefined;
  }
}
