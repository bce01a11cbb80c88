/**
 * One health probe per engine, shared by `pac status`, `pac up` (waiting for readiness) and the
 * healthcheck workflow's activities. A probe never throws: an engine that does not answer is
 * reported unhealthy with the reason. Probes speak each engine's own protocol (gRPC, HTTP, the
 * `opa` binary) rather than go through the product's clients, so infra/ stays the lowest layer
 * above lib/.
 */
import { execFile } from 'node:child_process';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { z } from 'zod';
import { mlflowHeaders, temporalConnectionOptions, weaviateHeaders } from './clients';
import type { Config } from './config';

const PROBE_TIMEOUT_MS = 2_000;

export const engineHealthSchema = z.object({
  engine: z.enum(['temporal', 'mlflow', 'weaviate', 'opa']),
  healthy: z.boolean(),
  url: z.string().optional(),
  version: z.string().optional(),
  detail: z.string().optional(),
});
export type EngineHealth = z.infer<typeof engineHealthSchema>;
export type EngineName = EngineHealth['engine'];

function reason(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
  // fetch hides the socket error in `cause` ("fetch failed"): name it (ECONNREFUSED, ENOTFOUND…)
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' ? `${message} (${code})` : message;
}

async function probeTemporal(config: Config): Promise<EngineHealth> {
  const base = { engine: 'temporal' as const, url: config.temporal.uiUrl };
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: 2_000 });
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

/** GET `url` with the probe timeout; the body as text when the status is 2xx, else undefined. */
async function httpText(url: string, headers: Record<string, string> = {}): Promise<string | undefined> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  const text = await response.text();
  return response.ok ? text : undefined;
}

function tcpReachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: PROBE_TIMEOUT_MS });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

async function probeMlflow(config: Config): Promise<EngineHealth> {
  const base = { engine: 'mlflow' as const, url: config.mlflow.uri };
  try {
    const headers = mlflowHeaders(config);
    if ((await httpText(`${config.mlflow.uri}/health`, headers)) === undefined)
      return { ...base, healthy: false, detail: 'no answer on /health' };
    const version = (await httpText(`${config.mlflow.uri}/version`, headers))?.trim();
    return { ...base, healthy: true, ...(version ? { version } : {}) };
  } catch (error) {
    return { ...base, healthy: false, detail: reason(error) };
  }
}

async function probeWeaviate(config: Config): Promise<EngineHealth> {
  const base = { engine: 'weaviate' as const, url: config.weaviate.url };
  try {
    if ((await httpText(`${config.weaviate.url}/v1/.well-known/ready`)) === undefined)
      return { ...base, healthy: false, detail: 'not ready' };
    if (!(await tcpReachable(config.weaviate.host, config.weaviate.grpcPort)))
      return { ...base, healthy: false, detail: `gRPC port ${config.weaviate.grpcPort} does not answer` };
    const meta = JSON.parse((await httpText(`${config.weaviate.url}/v1/meta`, weaviateHeaders(config))) ?? '{}') as { version?: unknown };
    return {
      ...base,
      healthy: true,
      ...(typeof meta.version === 'string' ? { version: meta.version } : {}),
      detail: `gRPC port ${config.weaviate.grpcPort}`,
    };
  } catch (error) {
    return { ...base, healthy: false, detail: reason(error) };
  }
}

async function probeOpa(config: Config): Promise<EngineHealth> {
  try {
    const { stdout } = await promisify(execFile)(config.opa.path, ['version'], { env: {}, timeout: config.opa.timeoutMs });
    const version = /^Version:\s*(\S+)/m.exec(stdout)?.[1];
    if (!version) return { engine: 'opa', healthy: false, detail: `${config.opa.path}: no version in \`opa version\`` };
    return { engine: 'opa', healthy: true, version, detail: config.opa.path };
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      engine: 'opa',
      healthy: false,
      detail: missing ? `${config.opa.path}: not found (run \`npm run install:engines\`)` : reason(error),
    };
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
