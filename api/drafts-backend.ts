/**
 * The API's DraftsBackend on the Temporal client: the drafting workflow (workers/drafts.ts) behind
 * POST /v1/propose, GET /v1/drafts/:id and the approve/reject routes. The client connects on first
 * use, so the API starts (and /readyz reports) while Temporal is still down.
 */
import type { Client } from '@temporalio/client';
import { assertPolicyIdRule, PolicyIdRuleError } from '../activities/drafting/policy-ids';
import type { DraftStatus } from '../activities/drafting/schemas';
import type { Config } from '../infra/config';
import { DraftDecisionRefusedError, DraftNotFoundError, DraftRequestError, DraftStateError, DraftsClient } from '../workers/drafts';
import { temporalClient } from '../workers/temporal';
import { BackendError, type DraftsBackend, type ProposeRequest } from './backends';

function mapError(error: unknown): never {
  if (error instanceof DraftRequestError) throw new BackendError('invalid_request', error.message, { issues: error.issues });
  if (error instanceof DraftNotFoundError) throw new BackendError('not_found', error.message);
  // a wrong phase (decided meanwhile, not awaiting approval): 409
  if (error instanceof DraftStateError) throw new BackendError('conflict', error.message, { phase: error.phase });
  // four-eyes, a reviewer not on the list: the caller may not decide this draft (recorded in its audit): 403
  if (error instanceof DraftDecisionRefusedError) throw new BackendError('forbidden', error.message);
  // the id rule: a taken id without "replaces" (409), a "replaces" that does not fit (422)
  if (error instanceof PolicyIdRuleError)
    throw new BackendError(error.problem.code, error.message, { issues: [{ path: error.problem.path, message: error.message }] });
  throw error;
}

export function temporalDraftsBackend(config: Config): DraftsBackend & { close(): Promise<void> } {
  let connecting: Promise<Client> | undefined;
  const drafts = async () => {
    connecting ??= temporalClient(config).catch((error) => {
      connecting = undefined;
      throw new BackendError('engine_unavailable', `Temporal at ${config.temporal.address} is unreachable: ${(error as Error).message}`);
    });
    return new DraftsClient(await connecting, config);
  };
  /** after a signal the workflow publishes (or records the rejection) within moments: report where it ends up */
  const settled = async (client: DraftsClient, id: string): Promise<DraftStatus> => {
    const deadline = Date.now() + 10_000;
    let status = await client.status(id);
    while ((status.phase === 'awaiting-approval' || status.phase === 'publishing') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await client.status(id);
    }
    return status;
  };
  return {
    async propose(request: ProposeRequest, requester: string) {
      // the id rule before anything starts: a clashing id is refused with the way to say "replaces"
      await assertPolicyIdRule(config, request).catch(mapError);
      const client = await drafts();
      return client.propose({ ...request, requester }).catch(mapError);
    },
    async get(id: string) {
      const client = await drafts();
      return client.status(id).catch(mapError);
    },
    async approve(id: string, reviewer: string, comment?: string) {
      const client = await drafts();
      await client.approve(id, { reviewer, comment: comment ?? '' }, 'api').catch(mapError);
      return settled(client, id);
    },
    async reject(id: string, reviewer: string, reason: string) {
      const client = await drafts();
      await client.reject(id, { reviewer, reason }, 'api').catch(mapError);
      return settled(client, id);
    },
    async close() {
      if (connecting) await (await connecting.catch(() => undefined))?.connection.close();
    },
  };
}
