/**
 * Activity timeouts and retry policies, named by the kind of step, so every workflow sets them the
 * same way: exponential backoff (×2) between `initial` and `max`, at most `attempts` tries, and
 * the error types a retry cannot cure.
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
