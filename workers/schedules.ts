/**
 * The Temporal Schedules of the platform, created or updated idempotently (`pac schedule`):
 * - kpc-retrain-daily: retrainAll every day at PAC_RETRAIN_CRON (default 03:00 UTC);
 * - kpc-monitor-daily: monitor (drift + new labels; starts a retrain when needed) at PAC_MONITOR_CRON.
 * Running it twice changes nothing; changing the cron updates the existing schedule in place. Each
 * scheduled run has an execution timeout (WORKFLOW_TIMEOUTS).
 */
import { type Client, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Config } from '../infra/config';
import { WORKFLOW_TIMEOUTS } from '../workflows/activity-options';

/** The platform's Schedules (`pac pause` / `pac resume` act on these). */
export const SCHEDULE_IDS = ['kpc-retrain-daily', 'kpc-monitor-daily'] as const;

export interface ScheduleState {
  id: string;
  cron: string;
  workflow: string;
  action: 'created' | 'updated' | 'unchanged';
  nextRuns: string[];
}

export async function ensureSchedules(client: Client, config: Config): Promise<ScheduleState[]> {
  const wanted = [
    {
      id: 'kpc-retrain-daily',
      cron: config.schedules.retrainCron,
      workflowType: 'retrainAll',
      workflowId: 'retrain-all',
      args: [{}] as unknown[],
      timeout: WORKFLOW_TIMEOUTS.retrainAll,
    },
    {
      id: 'kpc-monitor-daily',
      cron: config.schedules.monitorCron,
      workflowType: 'monitor',
      workflowId: 'monitor-ranker',
      args: [{ family: 'ranker' }] as unknown[],
      timeout: WORKFLOW_TIMEOUTS.monitor,
    },
  ];
  const states: ScheduleState[] = [];
  for (const want of wanted) {
    const spec = { cronExpressions: [want.cron], timezone: 'UTC' };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: want.workflowType,
      workflowId: want.workflowId,
      taskQueue: config.temporal.taskQueues.lifecycle,
      args: want.args,
      // a scheduled run that hangs (a lost worker, an engine down for hours) ends instead of blocking the next one
      workflowExecutionTimeout: want.timeout,
    };
    // a replaced Schedule keeps its pause and the note of who paused it (`pac pause`)
    const create = (state?: { paused: boolean; note?: string }) =>
      client.schedule.create({
        scheduleId: want.id,
        spec,
        action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
        memo: { owner: 'kube-pac-copilot', cron: want.cron, timeout: want.timeout },
        ...(state?.paused ? { state: { paused: true, ...(state.note ? { note: state.note } : {}) } } : {}),
      });
    const handle = client.schedule.getHandle(want.id);
    let result: ScheduleState['action'];
    try {
      const current = await handle.describe();
      // Temporal stores a cron expression as calendar specs; the memo keeps the expression we set
      const memo = current.memo as { cron?: string; timeout?: string } | undefined;
      const sameQueue = current.action.type === 'startWorkflow' && current.action.taskQueue === action.taskQueue;
      if (memo?.cron === want.cron && memo?.timeout === want.timeout && sameQueue) {
        result = 'unchanged';
      } else {
        // replaced rather than updated: an update cannot change the memo that records the expression
        await handle.delete();
        await create(current.state);
        result = 'updated';
      }
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
      await create();
      result = 'created';
    }
    const described = await handle.describe();
    states.push({
      id: want.id,
      cron: want.cron,
      workflow: want.workflowType,
      action: result,
      nextRuns: described.info.nextActionTimes.slice(0, 3).map((d) => d.toISOString()),
    });
  }
  return states;
}
