/**
 * How the engine clients authenticate, built from the Config in one place: the Temporal connection
 * options (TLS with a private CA, mTLS, server name, API key as for Temporal Cloud), the MLflow
 * request headers (bearer token) and the Weaviate API key. Used by workers/temporal.ts (clients),
 * workers/main.ts (NativeConnection), infra/health.ts (probes), registry/mlflow.ts and
 * activities/retrieval/weaviate.ts.
 *
 * A TLS file that cannot be read is a ClientConfigError naming the variable and the path.
 */
import { readFileSync } from 'node:fs';
import type { Config } from './config';

export class ClientConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ClientConfigError';
  }
}

/** The TLS part of @temporalio/client's and @temporalio/worker's connection options. */
export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Uint8Array;
  clientCertPair?: { crt: Uint8Array; key: Uint8Array };
}

/** Options accepted by both Connection.connect (client) and NativeConnection.connect (worker). */
export interface TemporalConnectionOptions {
  address: string;
  /** absent: plain gRPC; {}: TLS with the system's roots; false: plain gRPC even with an API key */
  tls?: TemporalTls | false;
  apiKey?: string;
  /** gRPC metadata: with an API key, the namespace (Temporal Cloud routes on it) */
  metadata?: Record<string, string>;
}

function readPem(variable: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ClientConfigError(variable, `cannot read ${path} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})`);
  }
}

export function temporalConnectionOptions(config: Pick<Config, 'temporal'>): TemporalConnectionOptions {
  const { address, tls, apiKey, namespace } = config.temporal;
  const options: TemporalConnectionOptions = { address };
  if (tls.enabled) {
    const t: TemporalTls = {};
    if (tls.serverName) t.serverNameOverride = tls.serverName;
    if (tls.caFile) t.serverRootCACertificate = readPem('PAC_TEMPORAL_TLS_CA', tls.caFile);
    if (tls.certFile && tls.keyFile)
      t.clientCertPair = { crt: readPem('PAC_TEMPORAL_TLS_CERT', tls.certFile), key: readPem('PAC_TEMPORAL_TLS_KEY', tls.keyFile) };
    options.tls = t;
  }
  if (apiKey) {
    // the SDK turns TLS on for an API key unless told not to (PAC_TEMPORAL_TLS=false)
    if (!tls.enabled) options.tls = false;
    options.apiKey = apiKey;
    options.metadata = { 'temporal-namespace': namespace };
  }
  return options;
}

/** Headers of every MLflow request: `Authorization: Bearer <PAC_MLFLOW_TOKEN>` when a token is set. */
export function mlflowHeaders(config: Pick<Config, 'mlflow'>): Record<string, string> {
  return config.mlflow.token ? { authorization: `Bearer ${config.mlflow.token}` } : {};
}

/** Headers of Weaviate REST requests made without weaviate-client (the health probe). */
export function weaviateHeaders(config: Pick<Config, 'weaviate'>): Record<string, string> {
  return config.weaviate.apiKey ? { authorization: `Bearer ${config.weaviate.apiKey}` } : {};
}
