/**
 * A thin, typed client for MLflow's REST API 2.0 (tracking, artifact proxy and model registry).
 *
 * One method per endpoint, named after it, so the MLflow REST API reference explains each one:
 *   experiments/create  -> createExperiment      runs/log-batch -> logBatch      ...
 * Records come back exactly as MLflow sends them (snake_case), validated with the zod schemas of
 * ./schemas. Failures throw MlflowError or MlflowConnectionError (./errors).
 *
 * One file per section of the REST API reference, each adding its endpoints to the one before:
 *   http.ts (request, retries, errors) → experiments.ts → runs.ts (+ batches, inputs, metric
 *   history) → artifacts.ts (artifact proxy) → registered-models.ts (+ aliases) → model-versions.ts
 * so MlflowClient is one object with every method, as MLflow's own client is.
 */
import type { Config } from '../infra/config';
import type { MlflowClientOptions } from './http';
import { MlflowModelVersions } from './model-versions';

export * from './batch';
export * from './errors';
export type { ClientFields, MlflowClientOptions, ViewType } from './http';
export type { CreateModelVersionInput } from './model-versions';
export * from './paths';
export type {
  CreateRunInput,
  DatasetInputSpec,
  LogBatchInput,
  LogInputsInput,
  MetricInput,
  SearchRunsInput,
  SearchRunsPage,
  UpdateRunInput,
} from './runs';
export * from './schemas';

export class MlflowClient extends MlflowModelVersions {}

/** A client for the MLflow server of the platform's configuration (PAC_MLFLOW_URI). */
export function mlflowClientFromConfig(config: Config, options: Omit<MlflowClientOptions, 'uri'> = {}): MlflowClient {
  return new MlflowClient({ ...options, uri: config.mlflow.uri, ...(config.mlflow.token ? { token: config.mlflow.token } : {}) });
}
