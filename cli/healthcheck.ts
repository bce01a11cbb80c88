/**
 * The healthcheck workflow from the command line (`pac healthcheck`, and the first step of
 * `pac demo`, which starts the engines and an in-process worker first).
 */

import type { Config } from '../infra/config';
import { up } from '../infra/engines';
import { createWorker } from '../workers/main';
import { temporalClient, workflowUiUrl } from '../workers/temporal';
import { healthcheck } from '../workflows';
import { EXIT } from './common';

export async function runHealthcheck(
  config: Config,
  options: { demo: boolean; json: boolean; pauseMs: number; print: (data: unknown, text: string) => void },
): Promise<number> {
  if (options.demo) await up(config);
  const worker = options.demo ? await createWorker(config) : undefined;
  const running = worker?.run();
  try {
    const client = await temporalClient(config);
    const workflowId = `healthcheck-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    if (!options.json) process.stderr.write(`starting workflow ${workflowId} on task queue ${config.temporal.taskQueues.main} ...\n`);
    const handle = await client.workflow.start(healthcheck, {
      taskQueue: config.temporal.taskQueues.main,
      workflowId,
      args: [{ pauseMs: options.pauseMs }],
    });
    const result = await handle.result();
    await client.connection.close();
    const url = workflowUiUrl(config, workflowId, handle.firstExecutionRunId);
    const last = result.rounds[result.rounds.length - 1] ?? [];
    options.print(
      { workflowId, runId: handle.firstExecutionRunId, result, temporalUi: url, mlflowUi: config.mlflow.uri },
      [
        `workflow ${workflowId}: ${result.healthy ? 'completed, every engine healthy' : 'completed, some engine unhealthy'}`,
        ...last.map((h) => `  ${h.engine.padEnd(9)} ${h.healthy ? 'healthy' : 'UNHEALTHY'} ${h.version ?? ''}`),
        '',
        `Temporal UI (this workflow): ${url}`,
        `MLflow UI:                   ${config.mlflow.uri}`,
      ].join('\n'),
    );
    return result.healthy ? EXIT.ok : EXIT.internal;
  } finally {
    await worker?.shutdown();
    await running;
  }
}
