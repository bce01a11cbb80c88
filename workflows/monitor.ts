/**
 * monitor: compares current data with the champion's training reference (feature drift, prediction
 * drift), logs the JSON and HTML reports to MLflow, checks whether new labels arrived since the
 * champion was trained, and when either calls for it starts a retrain (lifecycle-<family>, joined if
 * one is already running: `retrain.joined`) with the reason recorded. The drift run is keyed by this
 * execution (workflow id + run id), so a retried drift step never logs a second run.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DriftSummary, LabelCheck } from '../activities/lifecycle/monitor';
import type { ModelFamily } from '../registry/promotion';
import { step, WORKFLOW_TIMEOUTS } from './activity-options';
import { lifecycle } from './lifecycle';

export interface MonitorInput {
  family?: ModelFamily;
  /** current data: manifests generated from this seed (default: a fresh seed per day is the caller's job) */
  seed?: number;
  count?: number;
  /** generator shift for tests and what-if runs: 0 = the usual mix, 1 = strongly shifted */
  shift?: number;
  /** share of drifted features that counts as drift (default from the activity: 0.3) */
  threshold?: number;
  /** start a retrain when drift or new labels are found (default true) */
  retrain?: boolean;
}

export interface MonitorResult {
  family: ModelFamily;
  drift: DriftSummary;
  labels: LabelCheck;
  retrain?: { workflowId: string; reason: string; joined: boolean };
}

const acts = proxyActivities<Activities>(step('drift', ['DatasetError', 'NoChampionError']));

export async function monitor(input: MonitorInput = {}): Promise<MonitorResult> {
  const family = input.family ?? 'ranker';
  const { workflowId: monitorId, runId: workflowRunId } = workflowInfo();
  const drift = await acts.computeDrift({
    family,
    // today's data unless a seed is given; decided here (workflow time) so every retry sees the same data
    seed: input.seed ?? Math.floor(Date.now() / 86_400_000),
    count: input.count,
    shift: input.shift,
    threshold: input.threshold,
    workflowId: monitorId,
    workflowRunId,
  });
  const labels = await acts.checkNewLabels({ family });
  const reasons = [
    ...(drift.drifted ? [`drift: ${drift.reasons.join('; ')}`] : []),
    ...(labels.changed ? [`new labels: ${labels.detail}`] : []),
  ];
  if (reasons.length === 0 || input.retrain === false) return { family, drift, labels };

  const reason = reasons.join(' | ');
  const workflowId = `lifecycle-${family}`;
  try {
    await startChild(lifecycle, {
      workflowId,
      args: [{ family, reason }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowExecutionTimeout: WORKFLOW_TIMEOUTS.lifecycle,
    });
    return { family, drift, labels, retrain: { workflowId, reason, joined: false } };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError)
      return { family, drift, labels, retrain: { workflowId, reason, joined: true } };
    throw error;
  }
}
