/**
 * monitor: compares current data with the champion's training reference (feature drift, prediction
 * drift), logs the JSON and HTML reports to MLflow, checks whether new labels arrived since the
 * champion was trained, and when either calls for it starts a retrain (lifecycle-<family>, joined if
 * one is already running: `retrain.joined`) with the reason recorded. The drift run is keyed by this
 * execution (workflow id + run id), so a retried drift step never logs a second run.
 *
 * Current data is the latest observation window, ending at this workflow's time (so every retry of
 * the step reads the same window); with a seed or a shift it is SIMULATED data (a demo). The retrain
 * trains on what drifted: the same observation window, or the same seed, count and shift.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, patched, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DriftSummary, LabelCheck } from '../activities/lifecycle/monitor';
import type { ModelFamily } from '../registry/promotion';
import { step, WORKFLOW_TIMEOUTS } from './activity-options';
import { lifecycle } from './lifecycle';

export interface MonitorInput {
  family?: ModelFamily;
  /** current data: SIMULATED manifests generated from this seed (a demo); default: the observation window */
  seed?: number;
  count?: number;
  /** generator shift for tests and what-if runs (SIMULATED data): 0 = the usual mix, 1 = strongly shifted */
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

/** Guards reading observations by default and retraining on what drifted (issue 12): executions from before replay the old calls. */
export const MONITOR_OBSERVATIONS_PATCH = 'monitor-observations';

export async function monitor(input: MonitorInput = {}): Promise<MonitorResult> {
  const family = input.family ?? 'ranker';
  const { workflowId: monitorId, runId: workflowRunId } = workflowInfo();
  const observed = patched(MONITOR_OBSERVATIONS_PATCH);
  const demo = input.seed !== undefined || input.shift !== undefined;
  // decided here (workflow time) so every retry of the step sees the same data
  const seed = input.seed ?? Math.floor(Date.now() / 86_400_000);
  const drift = await acts.computeDrift({
    family,
    ...(observed && !demo ? { window: { until: new Date(Date.now()).toISOString() } } : { seed }),
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
    // the retrain trains on what drifted: the observation window, or the same simulated data
    const what = !observed ? {} : drift.window ? { window: drift.window } : { seed, count: input.count, shift: input.shift ?? 0 };
    await startChild(lifecycle, {
      workflowId,
      args: [{ family, reason, ...what }],
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
