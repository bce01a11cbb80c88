/** The one place that opens Temporal connections for clients (CLI, API, tests). */
import { Client, Connection } from '@temporalio/client';
import { temporalConnectionOptions } from '../infra/clients';
import type { Config } from '../infra/config';

/** A client of the configured namespace; TLS, mTLS and the API key come from the Config (infra/clients.ts). */
export async function temporalClient(config: Config): Promise<Client> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: 5_000 });
  return new Client({ connection, namespace: config.temporal.namespace });
}

/** The Temporal Web UI page of one workflow execution. */
export function workflowUiUrl(config: Config, workflowId: string, runId?: string): string {
  const base = `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}` : base;
}
