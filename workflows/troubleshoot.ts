/**
 * troubleshoot: why is this manifest denied, what is the smallest manifest that shows it, and which
 * fix provably works? classify → counterexample → fix → verify, each an activity (real OPA); the
 * `status` query returns the step and what is known so far.
 */
import { ApplicationFailure, defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DiagnoseInput, TroubleshootResult } from '../activities/troubleshooting';
import { step } from './activity-options';
import { failureMessage } from './failures';

export type TroubleshootStep = 'starting' | 'classify' | 'counterexample' | 'fix' | 'verify' | 'done' | 'failed';

export interface TroubleshootStatus {
  step: TroubleshootStep;
  resource?: string;
  policy?: string;
  classification?: string;
  /** minimised size / original size (nodes) */
  minimisationRatio?: number;
  fixes?: number;
  verified?: boolean;
  error?: string;
}

export type TroubleshootInput = DiagnoseInput;

export interface TroubleshootWorkflowResult extends TroubleshootResult {
  workflowId: string;
}

export const troubleshootStatusQuery = defineQuery<TroubleshootStatus>('status');

/** Bad input or a manifest the policy does not deny: retrying cannot help. */
const NON_RETRYABLE = ['TroubleshootError', 'NotDeniedError', 'RecommendError', 'PatchError', 'ZodError', 'OpaCompileError'];

const opaSteps = proxyActivities<Activities>(step('troubleshoot', NON_RETRYABLE));

export async function troubleshoot(input: TroubleshootInput): Promise<TroubleshootWorkflowResult> {
  const status: TroubleshootStatus = { step: 'starting' };
  setHandler(troubleshootStatusQuery, () => status);
  const { workflowId } = workflowInfo();
  try {
    status.step = 'classify';
    const diagnosis = await opaSteps.troubleshootDiagnose(input);
    status.resource = diagnosis.resource;
    status.policy = diagnosis.policy;
    status.classification = diagnosis.classification.label;
    if (!diagnosis.policy) {
      status.step = 'done';
      return { workflowId, resource: diagnosis.resource, diagnosis };
    }
    const policy = diagnosis.policy;

    status.step = 'counterexample';
    const counterexample = await opaSteps.troubleshootMinimise({ manifest: input.manifest, policy });
    status.minimisationRatio = counterexample.ratio;

    status.step = 'fix';
    const recommendation = await opaSteps.troubleshootRecommend({ manifest: input.manifest, policy, denialsBefore: diagnosis.denials });
    status.fixes = recommendation.fixes.length;

    const best = recommendation.fixes[0];
    let verification: TroubleshootResult['verification'];
    if (best) {
      status.step = 'verify';
      verification = await opaSteps.troubleshootVerify({ manifest: input.manifest, patch: best.patch, policy });
      status.verified = verification.targetAllows && verification.newDenials.length === 0;
    }
    status.step = 'done';
    return {
      workflowId,
      resource: diagnosis.resource,
      diagnosis,
      counterexample,
      recommendation,
      ...(verification ? { verification } : {}),
    };
  } catch (error) {
    status.error = failureMessage(error);
    status.step = 'failed';
    throw error instanceof ApplicationFailure ? error : ApplicationFailure.nonRetryable(status.error, 'TroubleshootFailed');
  }
}
