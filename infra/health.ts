/**
 * One health probe per engine, shared by `pac status`, `pac up` (waiting for readiness) and the
 * healthcheck workflow's activities. A probe never throws: an engine that does not answer is
 * reported unhealthy with the reason.
 */
import { Connection } from '@temporalio/client';
import { z } from 'zod';
import { opaVersion } from '../activities/opa/opa';
import { WeaviateStore } from '../activities/retrieval/weaviate';
import { MlflowClient } from '../registry/mlflow';
import type { Config } from './config';

export const engineHealthSchema = z.object({
  engine: z.enum(['temporal', 'mlflow', 'weaviate', 'opa']),
  healthy: z.boolean(),
  url: z.string().optional(),
  version: z.string().optional(),
  detail: z.string().optional(),
});
export type EngineHealth = z.infer<typeof engineHealthSchema>;
export type EngineName = EngineHealth['engine'];

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';

async function probeTemporal(config: Config): Promise<EngineHealth> {
  const base = { engine: 'temporal' as const, url: config.temporal.uiUrl };
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: config.temporal.address, connectTimeout: 2_000 });
    const info = await connection.workflowService.getSystemInfo({});
    await connection.workflowService.describeNamespace({ namespace: config.temporal.namespace });
    return {
      ...base,
      healthy: true,
      version: info.serverVersion || undefined,
      detail: `gRPC ${config.temporal.address}, namespace ${config.temporal.namespace}`,
    };
  } catch (error) {
    return { ...base, healthy: false, detail: `${config.temporal.address}: ${reason(error)}` };
  } finally {
    await connection?.close().catch(() => {});
  }
}

async function probeMlflow(config: Config): Promise<EngineHealth> {
  const base = { engine: 'mlflow' as const, url: config.mlflow.uri };
  const client = new MlflowClient({ uri: config.mlflow.uri, timeoutMs: 2_000 });
  try {
    if (!(await client.health())) return { ...base, healthy: false, detail: 'no answer on /health' };
    return { ...base, healthy: true, version: await client.version() };
  } catch (error) {
    return { ...base, healthy: false, detail: reason(error) };
  }
}

async function probeWeaviate(config: Config): Promise<EngineHealth> {
  const base = { engine: 'weaviate' as const, url: config.weaviate.url };
  let store: WeaviateStore | undefined;
  try {
    store = await WeaviateStore.connect(config);
    if (!(await store.ready())) return { ...base, healthy: false, detail: 'not ready' };
    return { ...base, healthy: true, version: await store.version(), detail: `gRPC port ${config.weaviate.grpcPort}` };
  } catch (error) {
    return { ...base, healthy: false, detail: reason(error) };
  } finally {
    await store?.close().catch(() => {});
  }
}

async function probeOpa(config: Config): Promise<EngineHealth> {
  try {
    const info = await opaVersion(config);
    return { engine: 'opa', healthy: true, version: info.version, detail: config.opa.path };
  } catch (error) {
    return { engine: 'opa', healthy: false, detail: reason(error) };
  }
}

export function probeEngine(engine: EngineName, config: Config): Promise<EngineHealth> {
  switch (engine) {
    case 'temporal':
      return probeTemporal(config);
    case 'mlflow':
      return probeMlflow(config);
    case 'weaviate':
      return probeWeaviate(config);
    case 'opa':
      return probeOpa(config);
  }
}
