/**
 * zod schemas of the records MLflow's REST API 2.0 returns, one per record, named as in the MLflow
 * REST API reference (Experiment, Run, RunInfo, Metric, Param, RunTag, RegisteredModel,
 * ModelVersion, FileInfo, ...). Field names stay snake_case, exactly as on the wire, so the MLflow
 * docs describe them.
 *
 * MLflow serialises its protobuf messages to JSON and leaves out empty fields, so lists default to
 * `[]` and most scalars are optional. Unknown fields are dropped (newer servers add fields freely).
 */
import { z } from 'zod';

/** int64 fields: MLflow writes them as JSON numbers; a protobuf-style decimal string is accepted too. */
const int64 = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

/** double fields: protobuf JSON spells the non-finite values as strings. */
const double = z.union([
  z.number(),
  z
    .enum(['NaN', 'Infinity', '-Infinity'])
    .transform((v) => (v === 'NaN' ? Number.NaN : v === 'Infinity' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY)),
]);

/** Model versions are strings in the protobuf ("1", "2"); accept a number and normalise. */
const versionString = z.union([z.string(), z.number().int()]).transform(String);

/** A repeated field: protobuf JSON leaves an empty list out, so absent means []. */
const repeated = <T extends z.ZodType>(item: T) => z.array(item).default([]);

/** When and by whom a registry record was made and last changed (registered models and versions). */
const registryStamps = {
  creation_timestamp: int64.optional(),
  last_updated_timestamp: int64.optional(),
  user_id: z.string().optional(),
};

const keyValue = z.object({ key: z.string(), value: z.string().default('') });

export const ExperimentTag = keyValue;
export type ExperimentTag = z.infer<typeof ExperimentTag>;

export const Experiment = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string().optional(),
  /** "active" or "deleted" */
  lifecycle_stage: z.string(),
  last_update_time: int64.optional(),
  creation_time: int64.optional(),
  tags: repeated(ExperimentTag),
});
export type Experiment = z.infer<typeof Experiment>;

export const RunStatus = z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunInfo = z.object({
  run_id: z.string(),
  run_uuid: z.string().optional(),
  run_name: z.string().default(''),
  experiment_id: z.string(),
  user_id: z.string().optional(),
  status: RunStatus,
  start_time: int64.optional(),
  end_time: int64.optional(),
  artifact_uri: z.string().default(''),
  /** "active" or "deleted" */
  lifecycle_stage: z.string(),
});
export type RunInfo = z.infer<typeof RunInfo>;

export const Metric = z.object({
  key: z.string(),
  value: double,
  timestamp: int64,
  step: int64.default(0),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
  model_id: z.string().optional(),
  run_id: z.string().optional(),
});
export type Metric = z.infer<typeof Metric>;

export const Param = keyValue;
export type Param = z.infer<typeof Param>;

export const RunTag = keyValue;
export type RunTag = z.infer<typeof RunTag>;

export const RunData = z.object({ metrics: repeated(Metric), params: repeated(Param), tags: repeated(RunTag) });
export type RunData = z.infer<typeof RunData>;

export const Dataset = z.object({
  name: z.string(),
  /** a hash of the data, at most 36 characters (MLflow's limit) */
  digest: z.string(),
  /** e.g. "local", "http", "s3", "code" */
  source_type: z.string(),
  /** usually JSON describing the source, e.g. {"uri": "..."} */
  source: z.string(),
  /** JSON of the data's schema, when known */
  schema: z.string().optional(),
  /** JSON of summary statistics, when known */
  profile: z.string().optional(),
});
export type Dataset = z.infer<typeof Dataset>;

export const InputTag = keyValue;
export type InputTag = z.infer<typeof InputTag>;

export const DatasetInput = z.object({
  tags: repeated(InputTag),
  dataset: Dataset,
});
export type DatasetInput = z.infer<typeof DatasetInput>;

export const ModelInput = z.object({ model_id: z.string() });
export type ModelInput = z.infer<typeof ModelInput>;

export const ModelOutput = z.object({ model_id: z.string(), step: int64.optional() });
export type ModelOutput = z.infer<typeof ModelOutput>;

export const RunInputs = z.object({
  dataset_inputs: repeated(DatasetInput),
  model_inputs: repeated(ModelInput),
});
export type RunInputs = z.infer<typeof RunInputs>;

export const RunOutputs = z.object({
  model_outputs: repeated(ModelOutput),
});
export type RunOutputs = z.infer<typeof RunOutputs>;

export const Run = z.object({
  info: RunInfo,
  data: RunData.prefault({}),
  inputs: RunInputs.prefault({}),
  outputs: RunOutputs.prefault({}),
});
export type Run = z.infer<typeof Run>;

export const ModelVersionStatus = z.enum(['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY']);
export type ModelVersionStatus = z.infer<typeof ModelVersionStatus>;

export const ModelVersionTag = keyValue;
export type ModelVersionTag = z.infer<typeof ModelVersionTag>;

export const ModelVersion = z.object({
  name: z.string(),
  version: versionString,
  ...registryStamps,
  current_stage: z.string().optional(),
  description: z.string().default(''),
  source: z.string().default(''),
  run_id: z.string().default(''),
  status: ModelVersionStatus.default('READY'),
  status_message: z.string().optional(),
  tags: repeated(ModelVersionTag),
  run_link: z.string().default(''),
  aliases: repeated(z.string()),
  model_id: z.string().optional(),
});
export type ModelVersion = z.infer<typeof ModelVersion>;

export const RegisteredModelTag = keyValue;
export type RegisteredModelTag = z.infer<typeof RegisteredModelTag>;

export const RegisteredModelAlias = z.object({ alias: z.string(), version: versionString });
export type RegisteredModelAlias = z.infer<typeof RegisteredModelAlias>;

export const RegisteredModel = z.object({
  name: z.string(),
  ...registryStamps,
  description: z.string().default(''),
  latest_versions: repeated(ModelVersion),
  tags: repeated(RegisteredModelTag),
  aliases: repeated(RegisteredModelAlias),
});
export type RegisteredModel = z.infer<typeof RegisteredModel>;

export const FileInfo = z.object({
  path: z.string(),
  is_dir: z.boolean().default(false),
  file_size: int64.optional(),
});
export type FileInfo = z.infer<typeof FileInfo>;

/** The error body MLflow sends with every failed API call. */
export const ErrorBody = z.object({
  error_code: z.string(),
  message: z.string().default(''),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** One page of a search: the items under `key` and the token of the next page (absent on the last). */
const page = <K extends string, T extends z.ZodType>(key: K, item: T) =>
  z.object({ [key]: repeated(item), next_page_token: z.string().optional() } as { [P in K]: ReturnType<typeof repeated<T>> } & {
    next_page_token: z.ZodOptional<z.ZodString>;
  });

/** Response envelopes, one per endpoint shape. */
export const responses = {
  empty: z.object({}),
  createExperiment: z.object({ experiment_id: z.string() }),
  experiment: z.object({ experiment: Experiment }),
  searchExperiments: page('experiments', Experiment),
  run: z.object({ run: Run }),
  updateRun: z.object({ run_info: RunInfo }),
  searchRuns: page('runs', Run),
  metricHistory: page('metrics', Metric),
  listArtifacts: z.object({ files: repeated(FileInfo) }),
  registeredModel: z.object({ registered_model: RegisteredModel }),
  searchRegisteredModels: page('registered_models', RegisteredModel),
  modelVersion: z.object({ model_version: ModelVersion }),
  searchModelVersions: page('model_versions', ModelVersion),
} as const;
