/**
 * Starting the model workflows from a client (CLI, API, tests). The workflow id names the job —
 * `lifecycle-<family>`, `monitor-<family>` — and the "use existing" conflict policy makes a second
 * identical trigger join the running execution instead of starting another one.
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config';
import type { ModelFamily } from '../registry/promotion';
import { type LifecycleInput, lifecycle, type MonitorInput, monitor } from '../workflows';

export function lifecycleWorkflowId(family: ModelFamily): string {
  return `lifecycle-${family}`;
}

export async function startLifecycle(client: Client, config: Config, input: LifecycleInput) {
  return client.workflow.start(lifecycle, {
    taskQueue: config.temporal.taskQueues.lifecycle,
    workflowId: lifecycleWorkflowId(input.family),
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [input],
  });
}

export async function startMonitor(client: Client, config: Config, input: MonitorInput) {
  return client.workflow.start(monitor, {
    taskQueue: config.temporal.taskQueues.lifecycle,
    workflowId: `monitor-${input.family ?? 'ranker'}`,
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [input],
  });
}
