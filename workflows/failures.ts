/** What went wrong, in the words of the activity that failed (not "Activity task failed"). */
import { ActivityFailure, ChildWorkflowFailure } from '@temporalio/workflow';

export function failureMessage(error: unknown): string {
  if ((error instanceof ActivityFailure || error instanceof ChildWorkflowFailure) && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}
