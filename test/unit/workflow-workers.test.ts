/**
 * Worker options per task queue (workers/main.ts) and the step policies every workflow uses
 * (workflows/activity-options.ts): concurrency from `pac worker --concurrency`, heartbeat timeouts on
 * every long step, and the error types no retry can cure.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config';
import { DEFAULT_CONCURRENCY, queueWorkerOptions } from '../../workers/main';
import { NEVER_RETRY, STEP_POLICIES, step, WORKFLOW_TIMEOUTS } from '../../workflows/activity-options';

const config = loadConfig({ ...process.env, PAC_TASK_QUEUE_LIFECYCLE: 'lc-q', PAC_TASK_QUEUE_DRAFTING: 'dr-q', PAC_TASK_QUEUE: 'main-q' });

describe('queueWorkerOptions', () => {
  it('polls the configured queue with the default concurrency of that queue, or the one given', () => {
    expect(queueWorkerOptions(config, 'lifecycle')).toMatchObject({
      taskQueue: 'lc-q',
      maxConcurrentActivityTaskExecutions: DEFAULT_CONCURRENCY.lifecycle,
    });
    expect(queueWorkerOptions(config, 'drafting', 3)).toMatchObject({
      taskQueue: 'dr-q',
      maxConcurrentActivityTaskExecutions: 3,
      maxConcurrentWorkflowTaskExecutions: 6,
    });
    expect(queueWorkerOptions(config, 'main', 1).maxConcurrentWorkflowTaskExecutions).toBe(2);
  });

  it('refuses a concurrency that is not a whole number ≥ 1', () => {
    expect(() => queueWorkerOptions(config, 'main', 0)).toThrow(/whole number ≥ 1, got 0/);
    expect(() => queueWorkerOptions(config, 'main', 1.5)).toThrow(/got 1.5/);
  });
});

describe('step policies', () => {
  it('every long step has a heartbeat timeout well under its start-to-close timeout, and a training is retried within 2 minutes', () => {
    const seconds = (d: string) => {
      const [n, unit] = d.split(' ') as [string, string];
      return Number(n) * (unit.startsWith('minute') ? 60 : unit.startsWith('hour') ? 3600 : 1);
    };
    for (const kind of ['data', 'compute', 'register', 'drift', 'generate', 'draftTest', 'publish'] as const) {
      const policy = STEP_POLICIES[kind] as { heartbeat?: string; startToClose: string };
      expect(policy.heartbeat, kind).toBeDefined();
      expect(seconds(policy.heartbeat as string), kind).toBeLessThan(seconds(policy.startToClose) / 4);
    }
    // a killed training is noticed after the heartbeat timeout and retried after the first backoff
    expect(seconds(STEP_POLICIES.compute.heartbeat) + seconds(STEP_POLICIES.compute.initial)).toBeLessThan(120);
  });

  it('adds the errors no retry can cure to every step', () => {
    const options = step('draftTest', ['NoCandidateError']);
    expect(options.heartbeatTimeout).toBe('20 seconds');
    expect(options.retry?.nonRetryableErrorTypes).toEqual([...NEVER_RETRY, 'NoCandidateError']);
    expect(NEVER_RETRY).toContain('OpaNotFoundError');
    expect(Object.keys(WORKFLOW_TIMEOUTS).sort()).toEqual(['lifecycle', 'monitor', 'retrainAll']);
  });
});
