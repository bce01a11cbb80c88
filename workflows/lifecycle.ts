/**
 * lifecycle: ingest → features → train → evaluate → register for one model family, recorded as one
 * MLflow run (keyed by workflow id + run id). Each step is an activity with its own timeout, retries
 * and — for the long ones — a heartbeat timeout (activity-options.ts); the `status` query returns
 * the current step and the metrics so far. Callers start it with the workflow id
 * `lifecycle-<family>` and the "use existing" conflict policy, so a second identical trigger joins
 * the running workflow instead of training twice. The ranker's ingest labelling and feature building
 * fan out as shard activities (workflows/shards.ts), shared by every worker polling the task queue.
 */
import { ApplicationFailure, defineQuery, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DatasetRef, EvaluationResult, Metrics, RegisterOutcome, TrainingRun, TrainResult } from '../activities/lifecycle/types';
import type { ModelFamily } from '../registry/promotion';
import { step } from './activity-options';
import { failureMessage } from './failures';
import { rankerShards } from './shards';

export type LifecycleStep = 'starting' | 'ingest' | 'features' | 'train' | 'evaluate' | 'register' | 'done' | 'failed';

export interface LifecycleInput {
  family: ModelFamily;
  /** generator seed (ranker: which manifests are generated and labelled) */
  seed?: number;
  /** ranker: how many manifests to generate and label */
  count?: number;
  /** why this training happens: "manual", "schedule", "drift: …", "new labels: …" */
  reason?: string;
  /** ranker: population shift of the simulated set (the retrain of a drift demo trains on the shifted data) */
  shift?: number;
  /** ranker: the observation window to train on (ISO times; a drift-triggered retrain trains on the window that drifted) */
  window?: { since: string; until: string };
}

/** Guards passing `shift` and `window` to the ingest step (issue 12): executions from before replay the old call. */
export const LIFECYCLE_WINDOW_PATCH = 'lifecycle-ingest-window';

/**
 * Guards the shard fan-out of the ranker's ingest labelling and feature building (issue 16,
 * workflows/shards.ts): executions from before replay the one-activity ingest and features.
 */
export const LIFECYCLE_SHARDS_PATCH = 'lifecycle-ranker-shards';

export interface LifecycleStatus {
  family: ModelFamily;
  step: LifecycleStep;
  metrics: Metrics;
  runId?: string;
  runUrl?: string;
  /** seconds per finished step */
  seconds: Partial<Record<LifecycleStep, number>>;
  error?: string;
}

export interface LifecycleResult {
  family: ModelFamily;
  workflowId: string;
  runId: string;
  runUrl: string;
  dataset: DatasetRef;
  train: TrainResult;
  evaluation: EvaluationResult;
  registration: RegisterOutcome;
  seconds: Partial<Record<LifecycleStep, number>>;
}

export const lifecycleStatusQuery = defineQuery<LifecycleStatus>('status');

/** Errors that retrying cannot fix: bad data, a model that cannot be trained on it. */
const NON_RETRYABLE = ['DatasetError', 'TrainingError', 'ModelError'];

const bookkeeping = proxyActivities<Activities>(step('bookkeeping', NON_RETRYABLE));
const dataSteps = proxyActivities<Activities>(step('data', NON_RETRYABLE));
const computeSteps = proxyActivities<Activities>(step('compute', NON_RETRYABLE));
const registering = proxyActivities<Activities>(step('register', NON_RETRYABLE));

/** The ranker's ingest and features as shards, with the `status` step and seconds kept as the one-activity path keeps them. */
async function shardedSteps(input: LifecycleInput, run: TrainingRun, status: LifecycleStatus) {
  let started = Date.now();
  const done = (name: LifecycleStep) => {
    status.seconds[name] = Math.round((Date.now() - started) / 100) / 10;
  };
  const result = await rankerShards(
    {
      run,
      ...(input.seed !== undefined ? { seed: input.seed } : {}),
      ...(input.count !== undefined ? { count: input.count } : {}),
      ...(input.shift !== undefined ? { shift: input.shift } : {}),
      ...(input.window ? { window: input.window } : {}),
    },
    (name) => {
      if (name === 'features') done('ingest');
      status.step = name;
      started = Date.now();
    },
  );
  done('features');
  return result;
}

export async function lifecycle(input: LifecycleInput): Promise<LifecycleResult> {
  const { family } = input;
  const status: LifecycleStatus = { family, step: 'starting', metrics: {}, seconds: {} };
  setHandler(lifecycleStatusQuery, () => status);
  const { workflowId, runId: workflowRunId } = workflowInfo();

  let started = Date.now();
  const timed = <T>(name: LifecycleStep, run: () => Promise<T>): Promise<T> => {
    status.step = name;
    started = Date.now();
    return run().then((value) => {
      status.seconds[name] = Math.round((Date.now() - started) / 100) / 10;
      return value;
    });
  };

  const run = await bookkeeping.startTrainingRun({
    family,
    workflowId,
    workflowRunId,
    reason: input.reason ?? 'manual',
    seed: input.seed,
    count: input.count,
  });
  status.runId = run.runId;
  status.runUrl = run.runUrl;
  try {
    const { dataset, features } =
      family === 'ranker' && patched(LIFECYCLE_SHARDS_PATCH)
        ? await shardedSteps(input, run, status)
        : await (async () => {
            const data =
              patched(LIFECYCLE_WINDOW_PATCH) && (input.shift !== undefined || input.window !== undefined)
                ? { ...(input.shift !== undefined ? { shift: input.shift } : {}), ...(input.window ? { window: input.window } : {}) }
                : {};
            const dataset = await timed('ingest', () =>
              dataSteps.ingestDataset({ family, run, seed: input.seed, count: input.count, ...data }),
            );
            const features = await timed('features', () => dataSteps.buildFeatures({ family, run, dataset }));
            return { dataset, features };
          })();
    const train = await timed('train', () => computeSteps.trainModel({ family, run, features, seed: input.seed ?? 42 }));
    status.metrics = { ...train.validation };
    const evaluation = await timed('evaluate', () => computeSteps.evaluateModel({ family, run, features, modelPath: train.modelPath }));
    status.metrics = { ...evaluation.metrics };
    const registration = await timed('register', () =>
      registering.registerModel({ family, run, dataset, features, train, evaluation, seconds: status.seconds }),
    );
    status.step = 'done';
    return { family, workflowId, runId: run.runId, runUrl: run.runUrl, dataset, train, evaluation, registration, seconds: status.seconds };
  } catch (error) {
    status.error = failureMessage(error);
    status.step = 'failed';
    await bookkeeping.failTrainingRun({ run, error: status.error });
    throw error instanceof ApplicationFailure ? error : ApplicationFailure.nonRetryable(status.error, 'LifecycleFailed');
  }
}
