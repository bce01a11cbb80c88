/**
 * retrainAll: what the daily Temporal Schedule runs — the lifecycle of every model family, one after
 * the other (they share two cores), each as a child `lifecycle-<family>` (joined when one is already
 * running). A family that fails does not stop the others; the result lists every outcome. Each
 * child has an execution timeout (WORKFLOW_TIMEOUTS.lifecycle), so a stuck family cannot hold the
 * nightly run forever.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import { MODEL_FAMILIES, type ModelFamily } from '../registry/families';
import { WORKFLOW_TIMEOUTS } from './activity-options';
import { failureMessage } from './failures';
import { lifecycle } from './lifecycle';

export interface RetrainAllInput {
  families?: ModelFamily[];
  reason?: string;
}

export interface RetrainOutcome {
  family: ModelFamily;
  workflowId: string;
  status: 'completed' | 'joined' | 'failed';
  version?: string;
  alias?: string;
  error?: string;
}

export async function retrainAll(input: RetrainAllInput = {}): Promise<RetrainOutcome[]> {
  const outcomes: RetrainOutcome[] = [];
  const reason = input.reason ?? `schedule (${workflowInfo().workflowId})`;
  for (const family of input.families ?? [...MODEL_FAMILIES]) {
    const workflowId = `lifecycle-${family}`;
    try {
      const child = await startChild(lifecycle, {
        workflowId,
        args: [{ family, reason }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowExecutionTimeout: WORKFLOW_TIMEOUTS.lifecycle,
      });
      const result = await child.result();
      outcomes.push({ family, workflowId, status: 'completed', version: result.registration.version, alias: result.registration.alias });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) outcomes.push({ family, workflowId, status: 'joined' });
      else outcomes.push({ family, workflowId, status: 'failed', error: failureMessage(error) });
    }
  }
  return outcomes;
}
