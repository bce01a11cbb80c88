/**
 * Activity timeouts and retry policies, named by the kind of step, so every workflow sets them the
 * same way: exponential backoff (×2) between `initial` and `max`, at most `attempts` tries, the
 * error types a retry cannot cure, and — for every step that can run for more than a few seconds —
 * a heartbeat timeout: the activity reports progress while it works, so a worker that dies mid-step
 * (SIGKILL, OOM, a lost machine) is noticed after `heartbeat`, not after `startToClose`, and the
 * step is retried on a healthy worker. docs/workflows.md prints this table.
 */
import type { Duration } from '@temporalio/common';
import type { ActivityOptions } from '@temporalio/workflow';

export interface StepPolicy {
  startToClose: Duration;
  attempts: number;
  initial: Duration;
  max: Duration;
  /** error types (names) that fail the step at once */
  nonRetryable?: string[];
  /** a step that reports progress: the worker must heartbeat at least this often, or the try is timed out */
  heartbeat?: Duration;
}

export function stepOptions(policy: StepPolicy): ActivityOptions {
  return {
    startToCloseTimeout: policy.startToClose,
    ...(policy.heartbeat ? { heartbeatTimeout: policy.heartbeat } : {}),
    retry: {
      initialInterval: policy.initial,
      backoffCoefficient: 2,
      maximumInterval: policy.max,
      maximumAttempts: policy.attempts,
      ...(policy.nonRetryable ? { nonRetryableErrorTypes: policy.nonRetryable } : {}),
    },
  };
}

/** Errors no retry can cure, whatever the step: a missing engine binary, a malformed payload. */
export const NEVER_RETRY = ['ZodError', 'OpaNotFoundError'];

/** The policy of every kind of step (the workflows add their own non-retryable error types). */
export const STEP_POLICIES = {
  /** one engine health probe */
  engineCheck: { startToClose: '30 seconds', attempts: 5, initial: '1 second', max: '10 seconds' },
  /** MLflow run start/fail: a few requests */
  bookkeeping: { startToClose: '1 minute', attempts: 5, initial: '1 second', max: '20 seconds' },
  /** ingest (labelling by OPA) and features: heartbeat per labelled chunk / per 500 manifests */
  data: { startToClose: '20 minutes', heartbeat: '1 minute', attempts: 3, initial: '5 seconds', max: '1 minute' },
  /** train and evaluate, in a worker thread: heartbeat per learner / per scoring pass */
  compute: { startToClose: '30 minutes', heartbeat: '45 seconds', attempts: 3, initial: '5 seconds', max: '1 minute' },
  /** drift reference, artifacts, model version and alias; MLflow may be restarting: retried for ~2 min */
  register: { startToClose: '10 minutes', heartbeat: '1 minute', attempts: 7, initial: '2 seconds', max: '1 minute' },
  /** drift report of current data against the champion */
  drift: { startToClose: '15 minutes', heartbeat: '1 minute', attempts: 3, initial: '5 seconds', max: '1 minute' },
  /** hybrid search in Weaviate; Weaviate may be restarting: retried for ~4 min */
  retrieve: { startToClose: '2 minutes', attempts: 10, initial: '2 seconds', max: '30 seconds' },
  /** an LLM call (or the offline generator) */
  generate: { startToClose: '5 minutes', heartbeat: '30 seconds', attempts: 3, initial: '5 seconds', max: '1 minute' },
  /** opa check/test/eval of a draft */
  draftTest: { startToClose: '5 minutes', heartbeat: '20 seconds', attempts: 5, initial: '2 seconds', max: '30 seconds' },
  /** pure checks */
  quick: { startToClose: '1 minute', attempts: 5, initial: '2 seconds', max: '30 seconds' },
  /** writing the approved draft (directory or git); every failed try is audited */
  publish: { startToClose: '2 minutes', heartbeat: '20 seconds', attempts: 6, initial: '5 seconds', max: '1 minute' },
  /** audit line + MLflow run of a decision: must land, so retried for ~7 min */
  record: { startToClose: '2 minutes', attempts: 10, initial: '2 seconds', max: '1 minute' },
  /** troubleshooting steps (batched opa eval); short enough that the start-to-close timeout bounds a stall */
  troubleshoot: { startToClose: '5 minutes', attempts: 3, initial: '2 seconds', max: '30 seconds' },
} satisfies Record<string, StepPolicy>;

export type StepKind = keyof typeof STEP_POLICIES;

/** The options of one kind of step, with these error types (and NEVER_RETRY) not retried. */
export function step(kind: StepKind, nonRetryable: readonly string[] = []): ActivityOptions {
  return stepOptions({ ...STEP_POLICIES[kind], nonRetryable: [...new Set([...NEVER_RETRY, ...nonRetryable])] });
}

/**
 * How long a workflow may run in all (its retries and waits included) before Temporal times it out:
 * a lifecycle (child or scheduled), a monitor run and the nightly retrain of every family.
 */
export const WORKFLOW_TIMEOUTS = {
  lifecycle: '3 hours',
  monitor: '4 hours',
  retrainAll: '10 hours',
} satisfies Record<string, Duration>;
