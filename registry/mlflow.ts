/**
 * A thin, typed client for MLflow's REST API 2.0 (tracking, artifact proxy and model registry).
 *
 * One method per endpoint, named after it, so the MLflow REST API reference explains each one:
 *   experiments/create  -> createExperiment      runs/log-batch -> logBatch      ...
 * Records come back exactly as MLflow sends them (snake_case), validated with the zod schemas of
 * ./schemas. Failures throw MlflowError (the server said no: branch on `errorCode`) or
 * MlflowConnectionError (no answer, or no answer in time).
 *
 * Only GET requests are retried (on connection failure or 502/503/504); every request has a
 * timeout. Artifacts go through the server's artifact proxy, so the server must run with
 * --serve-artifacts (the default in MLflow 3).
 */
import type { z } from 'zod';
import type { Config } from '../infra/config';
import { type BatchLimits, chunkList, type KeyValues, MLFLOW_BATCH_LIMITS, splitBatch, toKeyValues, wireMetricValue } from './batch';
import { describeFetchFailure, isMlflowError, MlflowConnectionError, MlflowError, parseErrorBody } from './errors';
import { encodeProxyPath, proxyRootOf, validateArtifactPath } from './paths';
import {
  type Experiment,
  type FileInfo,
  type Metric,
  type ModelVersion,
  type RegisteredModel,
  type Run,
  type RunInfo,
  type RunStatus,
  responses,
} from './schemas';

export * from './batch';
export * from './errors';
export * from './paths';
export * from './schemas';

export interface MlflowClientOptions {
  /** the tracking server, e.g. http://127.0.0.1:5000 */
  uri: string;
  /** per-request timeout in milliseconds (default 30 000) */
  timeoutMs?: number;
  /** how often a GET is retried after a connection failure or 502/503/504 (default 2) */
  getRetries?: number;
  /** extra headers for every request, e.g. Authorization */
  headers?: Record<string, string>;
}

/** "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL", as in MLflow's ViewType. */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface CreateRunInput {
  experimentId: string;
  runName?: string;
  tags?: KeyValues;
  /** milliseconds since the epoch, or a Date; default now */
  startTime?: number | Date;
  userId?: string;
}

export interface UpdateRunInput {
  runId: string;
  status?: RunStatus;
  /** default: now, when `status` ends the run (FINISHED, FAILED, KILLED) */
  endTime?: number | Date;
  runName?: string;
}

export interface SearchRunsInput {
  experimentIds: string[];
  /** MLflow search syntax, e.g. "metrics.accuracy > 0.9 and params.model = 'rf'" */
  filter?: string;
  /** e.g. ["metrics.accuracy DESC", "attributes.start_time ASC"] */
  orderBy?: string[];
  /** per page; MLflow's default 1000, maximum 50 000 */
  maxResults?: number;
  pageToken?: string;
  runViewType?: ViewType;
}

export interface SearchRunsPage {
  runs: Run[];
  /** pass back as pageToken for the next page; undefined on the last page */
  nextPageToken: string | undefined;
}

export interface MetricInput {
  key: string;
  value: number;
  /** default 0 */
  step?: number;
  /** milliseconds since the epoch; default the time of the call */
  timestamp?: number | Date;
}

export interface LogBatchInput {
  runId: string;
  metrics?: MetricInput[];
  params?: KeyValues;
  tags?: KeyValues;
}

export interface DatasetInputSpec {
  dataset: {
    name: string;
    /** at most 36 characters (MLflow's limit) */
    digest: string;
    /** e.g. "local", "http", "s3", "code" */
    sourceType: string;
    /** usually JSON describing the source, e.g. {"uri": "..."} */
    source: string;
    schema?: string;
    profile?: string;
  };
  /** e.g. {"mlflow.data.context": "training"} */
  tags?: KeyValues;
}

export interface LogInputsInput {
  runId: string;
  datasets: DatasetInputSpec[];
}

export interface CreateModelVersionInput {
  name: string;
  /** where the model lives; with runId it must lie inside that run's artifacts (or be runs:/<runId>/...) */
  source: string;
  runId?: string;
  description?: string;
  tags?: KeyValues;
  runLink?: string;
}

const TERMINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['FINISHED', 'FAILED', 'KILLED']);
const RETRYABLE_STATUSES = new Set([502, 503, 504]);
const SEARCH_PAGE_SIZE = 1000;
/** MLflow accepts at most 1000 dataset inputs per log-inputs request. */
const MAX_DATASETS_PER_REQUEST = 1000;

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

interface RequestSpec {
  method: Method;
  path: string;
  query?: Query;
  /** JSON body */
  json?: unknown;
  /** raw body (artifact upload) */
  raw?: { data: Uint8Array; contentType: string };
}

const millis = (value: number | Date | undefined, fallback: number): number =>
  value === undefined ? fallback : value instanceof Date ? value.getTime() : value;

export class MlflowClient {
  /** the server, without a trailing slash */
  readonly uri: string;
  readonly timeoutMs: number;
  private readonly getRetries: number;
  private readonly headers: Record<string, string>;
  /** run id -> the artifact proxy path of its artifact root (it never changes for a run) */
  private readonly artifactRoots = new Map<string, string>();

  constructor(options: MlflowClientOptions) {
    let url: URL;
    try {
      url = new URL(options.uri);
    } catch {
      throw new TypeError(`MLflow uri ${JSON.stringify(options.uri)} is not a URL (expected e.g. http://127.0.0.1:5000)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`MLflow uri ${JSON.stringify(options.uri)} must be http(s)`);
    }
    this.uri = options.uri.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    if (!(this.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    this.getRetries = Math.max(0, Math.floor(options.getRetries ?? 2));
    this.headers = { ...options.headers };
  }

  // ---------------------------------------------------------------- server

  /** GET /health: true when the server answers OK; false (never throws) when it is down or unwell. */
  async health(): Promise<boolean> {
    try {
      const response = await fetch(`${this.uri}/health`, {
        headers: this.headers,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok;
    } catch {
      return false;
    }
  }

  /** GET /version: the server's MLflow version, e.g. "3.17.2". */
  async version(): Promise<string> {
    const response = await this.send({ method: 'GET', path: '/version' });
    return (await response.text()).trim();
  }

  // ---------------------------------------------------------------- experiments

  /** POST experiments/create; returns the new experiment's id. */
  async createExperiment(name: string, tags?: KeyValues, artifactLocation?: string): Promise<string> {
    const body = await this.api('POST', 'experiments/create', responses.createExperiment, {
      json: { name, tags: toKeyValues(tags), artifact_location: artifactLocation },
    });
    return body.experiment_id;
  }

  /** GET experiments/get; throws RESOURCE_DOES_NOT_EXIST when absent. */
  async getExperiment(experimentId: string): Promise<Experiment> {
    const body = await this.api('GET', 'experiments/get', responses.experiment, {
      query: { experiment_id: experimentId },
    });
    return body.experiment;
  }

  /** GET experiments/get-by-name; undefined when absent. Deleted experiments are returned too. */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    return this.orUndefined(this.api('GET', 'experiments/get-by-name', responses.experiment, { query: { experiment_name: name } })).then(
      (body) => body?.experiment,
    );
  }

  /**
   * The active experiment of that name, created (with `tags`) if there is none. Safe when another
   * process creates it at the same time. A deleted experiment of that name is an error: its name
   * stays taken until it is restored or purged (`mlflow gc`).
   */
  async getOrCreateExperiment(name: string, tags?: KeyValues): Promise<Experiment> {
    const existing = await this.getExperimentByName(name);
    if (existing) return this.activeExperiment(existing);
    try {
      return await this.getExperiment(await this.createExperiment(name, tags));
    } catch (error) {
      if (!isMlflowError(error, 'RESOURCE_ALREADY_EXISTS')) throw error;
      const raced = await this.getExperimentByName(name);
      if (!raced) throw error;
      return this.activeExperiment(raced);
    }
  }

  private activeExperiment(experiment: Experiment): Experiment {
    if (experiment.lifecycle_stage !== 'active') {
      throw new Error(
        `MLflow experiment ${JSON.stringify(experiment.name)} (id ${experiment.experiment_id}) is ${experiment.lifecycle_stage}; ` +
          'restore it or purge it with `mlflow gc` before reusing the name',
      );
    }
    return experiment;
  }

  /** POST experiments/search, all pages. `filter` in MLflow syntax, e.g. "name LIKE 'pac-%'". */
  async searchExperiments(filter?: string, options: { orderBy?: string[]; viewType?: ViewType } = {}): Promise<Experiment[]> {
    return this.allPages(async (pageToken) => {
      const body = await this.api('POST', 'experiments/search', responses.searchExperiments, {
        json: {
          filter,
          order_by: options.orderBy,
          view_type: options.viewType,
          max_results: SEARCH_PAGE_SIZE,
          page_token: pageToken,
        },
      });
      return { items: body.experiments, next: body.next_page_token };
    });
  }

  /** POST experiments/delete (soft delete: its runs are deleted with it, the name stays taken). */
  async deleteExperiment(experimentId: string): Promise<void> {
    await this.api('POST', 'experiments/delete', responses.empty, { json: { experiment_id: experimentId } });
  }

  // ---------------------------------------------------------------- runs

  /** POST runs/create; the new run is RUNNING. */
  async createRun(input: CreateRunInput): Promise<Run> {
    const body = await this.api('POST', 'runs/create', responses.run, {
      json: {
        experiment_id: input.experimentId,
        run_name: input.runName,
        start_time: millis(input.startTime, Date.now()),
        tags: toKeyValues(input.tags),
        user_id: input.userId,
      },
    });
    return body.run;
  }

  /** GET runs/get; throws RESOURCE_DOES_NOT_EXIST when absent. */
  async getRun(runId: string): Promise<Run> {
    const body = await this.api('GET', 'runs/get', responses.run, { query: { run_id: runId } });
    return body.run;
  }

  /** POST runs/update: status, end time and/or name. */
  async updateRun(input: UpdateRunInput): Promise<RunInfo> {
    const ends = input.status !== undefined && TERMINAL_RUN_STATUSES.has(input.status);
    const body = await this.api('POST', 'runs/update', responses.updateRun, {
      json: {
        run_id: input.runId,
        status: input.status,
        end_time: input.endTime !== undefined || ends ? millis(input.endTime, Date.now()) : undefined,
        run_name: input.runName,
      },
    });
    return body.run_info;
  }

  /** POST runs/delete (soft delete). */
  async deleteRun(runId: string): Promise<void> {
    await this.api('POST', 'runs/delete', responses.empty, { json: { run_id: runId } });
  }

  /** POST runs/search: one page. */
  async searchRuns(input: SearchRunsInput): Promise<SearchRunsPage> {
    const body = await this.api('POST', 'runs/search', responses.searchRuns, {
      json: {
        experiment_ids: input.experimentIds,
        filter: input.filter,
        order_by: input.orderBy,
        max_results: input.maxResults,
        page_token: input.pageToken,
        run_view_type: input.runViewType,
      },
    });
    return { runs: body.runs, nextPageToken: body.next_page_token || undefined };
  }

  /**
   * POST runs/log-batch, split into as many requests as MLflow's limits need (1000 metrics,
   * 100 params, 100 tags, 1000 entities per request). Requests go out one after another; if one
   * fails, the earlier ones stay logged. Returns the number of requests made.
   */
  async logBatch(input: LogBatchInput, limits: BatchLimits = MLFLOW_BATCH_LIMITS): Promise<number> {
    const now = Date.now();
    const chunks = splitBatch(
      {
        metrics: (input.metrics ?? []).map((m) => ({
          key: m.key,
          value: wireMetricValue(m.value),
          timestamp: millis(m.timestamp, now),
          step: m.step ?? 0,
        })),
        params: toKeyValues(input.params),
        tags: toKeyValues(input.tags),
      },
      limits,
    );
    for (const chunk of chunks) {
      await this.api('POST', 'runs/log-batch', responses.empty, { json: { run_id: input.runId, ...chunk } });
    }
    return chunks.length;
  }

  /** POST runs/set-tag */
  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.api('POST', 'runs/set-tag', responses.empty, { json: { run_id: runId, key, value } });
  }

  /** POST runs/log-parameter (params are immutable: logging another value for a key fails) */
  async logParam(runId: string, key: string, value: string | number | boolean): Promise<void> {
    await this.api('POST', 'runs/log-parameter', responses.empty, {
      json: { run_id: runId, key, value: String(value) },
    });
  }

  /** POST runs/log-metric */
  async logMetric(runId: string, key: string, value: number, options: { step?: number; timestamp?: number | Date } = {}): Promise<void> {
    await this.api('POST', 'runs/log-metric', responses.empty, {
      json: {
        run_id: runId,
        key,
        value: wireMetricValue(value),
        timestamp: millis(options.timestamp, Date.now()),
        step: options.step ?? 0,
      },
    });
  }

  /** GET metrics/get-history, all pages: every logged value of one metric. */
  async getMetricHistory(runId: string, metricKey: string): Promise<Metric[]> {
    return this.allPages(async (pageToken) => {
      const body = await this.api('GET', 'metrics/get-history', responses.metricHistory, {
        query: { run_id: runId, metric_key: metricKey, max_results: 25_000, page_token: pageToken },
      });
      return { items: body.metrics, next: body.next_page_token };
    });
  }

  /** POST runs/log-inputs: the datasets (name + digest + source) a run used. */
  async logInputs(input: LogInputsInput): Promise<void> {
    const datasets = input.datasets.map((d) => ({
      tags: toKeyValues(d.tags),
      dataset: {
        name: d.dataset.name,
        digest: d.dataset.digest,
        source_type: d.dataset.sourceType,
        source: d.dataset.source,
        schema: d.dataset.schema,
        profile: d.dataset.profile,
      },
    }));
    for (const chunk of chunkList(datasets, MAX_DATASETS_PER_REQUEST)) {
      await this.api('POST', 'runs/log-inputs', responses.empty, { json: { run_id: input.runId, datasets: chunk } });
    }
  }

  // ---------------------------------------------------------------- artifacts (artifact proxy)

  /** PUT mlflow-artifacts/artifacts/<run root>/<relativePath>: stores one file (overwrites). */
  async uploadArtifact(runId: string, relativePath: string, data: string | Uint8Array, contentType?: string): Promise<void> {
    const path = validateArtifactPath(relativePath);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const type = contentType ?? (typeof data === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    const root = await this.artifactRoot(runId);
    const response = await this.send({
      method: 'PUT',
      path: `/api/2.0/mlflow-artifacts/artifacts/${encodeProxyPath(root, path)}`,
      raw: { data: bytes, contentType: type },
    });
    await response.arrayBuffer();
  }

  /** GET mlflow-artifacts/artifacts/<run root>/<relativePath>: one file's bytes. */
  async downloadArtifact(runId: string, relativePath: string): Promise<Uint8Array> {
    const path = validateArtifactPath(relativePath);
    const root = await this.artifactRoot(runId);
    const response = await this.send({
      method: 'GET',
      path: `/api/2.0/mlflow-artifacts/artifacts/${encodeProxyPath(root, path)}`,
    });
    return new Uint8Array(await response.arrayBuffer());
  }

  /** downloadArtifact, decoded as UTF-8. */
  async downloadText(runId: string, relativePath: string): Promise<string> {
    return new TextDecoder().decode(await this.downloadArtifact(runId, relativePath));
  }

  /**
   * GET mlflow-artifacts/artifacts?path=...: the files and directories directly under `path`
   * (default: the run's artifact root). Paths are relative to the run's artifact root, as in
   * MLflow's artifacts/list. A directory that does not exist lists as empty.
   */
  async listArtifacts(runId: string, path?: string): Promise<FileInfo[]> {
    const dir = validateArtifactPath(path, { directory: true });
    const root = await this.artifactRoot(runId);
    const body = await this.api('GET', '', responses.listArtifacts, {
      fullPath: '/api/2.0/mlflow-artifacts/artifacts',
      query: { path: [root, dir].filter((p) => p !== '').join('/') },
    });
    return body.files.map((file) => ({ ...file, path: dir ? `${dir}/${file.path}` : file.path }));
  }

  private async artifactRoot(runId: string): Promise<string> {
    const cached = this.artifactRoots.get(runId);
    if (cached !== undefined) return cached;
    const root = proxyRootOf((await this.getRun(runId)).info.artifact_uri);
    this.artifactRoots.set(runId, root);
    return root;
  }

  // ---------------------------------------------------------------- registered models

  /** POST registered-models/create; throws RESOURCE_ALREADY_EXISTS when the name is taken. */
  async createRegisteredModel(name: string, description?: string, tags?: KeyValues): Promise<RegisteredModel> {
    const body = await this.api('POST', 'registered-models/create', responses.registeredModel, {
      json: { name, description, tags: toKeyValues(tags) },
    });
    return body.registered_model;
  }

  /** GET registered-models/get; undefined when absent. */
  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    const body = await this.orUndefined(this.api('GET', 'registered-models/get', responses.registeredModel, { query: { name } }));
    return body?.registered_model;
  }

  /** The registered model of that name, created if absent; safe against a concurrent create. */
  async getOrCreateRegisteredModel(name: string, description?: string, tags?: KeyValues): Promise<RegisteredModel> {
    const existing = await this.getRegisteredModel(name);
    if (existing) return existing;
    try {
      return await this.createRegisteredModel(name, description, tags);
    } catch (error) {
      if (!isMlflowError(error, 'RESOURCE_ALREADY_EXISTS')) throw error;
      const raced = await this.getRegisteredModel(name);
      if (!raced) throw error;
      return raced;
    }
  }

  /** GET registered-models/search, all pages. `filter` e.g. "name LIKE 'pac-%'". */
  async searchRegisteredModels(filter?: string, options: { orderBy?: string[] } = {}): Promise<RegisteredModel[]> {
    return this.allPages(async (pageToken) => {
      const body = await this.api('GET', 'registered-models/search', responses.searchRegisteredModels, {
        query: { filter, order_by: options.orderBy, max_results: SEARCH_PAGE_SIZE, page_token: pageToken },
      });
      return { items: body.registered_models, next: body.next_page_token };
    });
  }

  /** DELETE registered-models/delete: the model and all its versions. */
  async deleteRegisteredModel(name: string): Promise<void> {
    await this.api('DELETE', 'registered-models/delete', responses.empty, { json: { name } });
  }

  /** POST registered-models/set-tag */
  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.api('POST', 'registered-models/set-tag', responses.empty, { json: { name, key, value } });
  }

  /**
   * POST registered-models/alias: points `alias` at `version`, moving it if it pointed elsewhere.
   * MLflow reserves "latest" and "v<digits>"; aliases are letters, digits, "_" and "-".
   */
  async setRegisteredModelAlias(name: string, alias: string, version: string | number): Promise<void> {
    await this.api('POST', 'registered-models/alias', responses.empty, {
      json: { name, alias, version: String(version) },
    });
  }

  /** DELETE registered-models/alias (MLflow answers success for an alias that is not set). */
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await this.api('DELETE', 'registered-models/alias', responses.empty, { json: { name, alias } });
  }

  /**
   * GET registered-models/alias: the version the alias points at; undefined when the alias is not
   * set or the model does not exist. (MLflow reports an unset alias as INVALID_PARAMETER_VALUE
   * "Registered model alias <alias> not found", not as RESOURCE_DOES_NOT_EXIST.)
   */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    try {
      const body = await this.api('GET', 'registered-models/alias', responses.modelVersion, { query: { name, alias } });
      return body.model_version;
    } catch (error) {
      if (isMlflowError(error, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
      if (isMlflowError(error, 'INVALID_PARAMETER_VALUE') && /alias .* not found/i.test(error.detail)) return undefined;
      throw error;
    }
  }

  // ---------------------------------------------------------------- model versions

  /** POST model-versions/create; see waitForModelVersionReady for its registration to finish. */
  async createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    const body = await this.api('POST', 'model-versions/create', responses.modelVersion, {
      json: {
        name: input.name,
        source: input.source,
        run_id: input.runId,
        description: input.description,
        tags: toKeyValues(input.tags),
        run_link: input.runLink,
      },
    });
    return body.model_version;
  }

  /** GET model-versions/get; throws RESOURCE_DOES_NOT_EXIST when absent. */
  async getModelVersion(name: string, version: string | number): Promise<ModelVersion> {
    const body = await this.api('GET', 'model-versions/get', responses.modelVersion, {
      query: { name, version: String(version) },
    });
    return body.model_version;
  }

  /** GET model-versions/search, all pages. `filter` e.g. "name = 'm' and run_id = '...'". */
  async searchModelVersions(filter?: string, options: { orderBy?: string[] } = {}): Promise<ModelVersion[]> {
    return this.allPages(async (pageToken) => {
      const body = await this.api('GET', 'model-versions/search', responses.searchModelVersions, {
        query: { filter, order_by: options.orderBy, max_results: SEARCH_PAGE_SIZE, page_token: pageToken },
      });
      return { items: body.model_versions, next: body.next_page_token };
    });
  }

  /** POST model-versions/set-tag */
  async setModelVersionTag(name: string, version: string | number, key: string, value: string): Promise<void> {
    await this.api('POST', 'model-versions/set-tag', responses.empty, {
      json: { name, version: String(version), key, value },
    });
  }

  /** DELETE model-versions/delete */
  async deleteModelVersion(name: string, version: string | number): Promise<void> {
    await this.api('DELETE', 'model-versions/delete', responses.empty, { json: { name, version: String(version) } });
  }

  /**
   * Polls model-versions/get until the version is READY and returns it. Throws when registration
   * failed (FAILED_REGISTRATION, with MLflow's status_message) or did not finish within timeoutMs.
   */
  async waitForModelVersionReady(
    name: string,
    version: string | number,
    options: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<ModelVersion> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const intervalMs = options.intervalMs ?? 500;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mv = await this.getModelVersion(name, version);
      if (mv.status === 'READY') return mv;
      if (mv.status === 'FAILED_REGISTRATION') {
        throw new Error(`MLflow model version ${name}/${mv.version} failed to register: ${mv.status_message ?? '(no status message)'}`);
      }
      if (Date.now() + intervalMs > deadline) {
        throw new Error(`MLflow model version ${name}/${mv.version} still ${mv.status} after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  // ---------------------------------------------------------------- plumbing

  /** One call to /api/2.0/mlflow/<endpoint>, its JSON answer validated by `schema`. */
  private async api<S extends z.ZodType>(
    method: Method,
    endpoint: string,
    schema: S,
    options: { query?: Query; json?: unknown; fullPath?: string } = {},
  ): Promise<z.output<S>> {
    const path = options.fullPath ?? `/api/2.0/mlflow/${endpoint}`;
    const response = await this.send({ method, path, query: options.query, json: options.json });
    const text = await response.text();
    let json: unknown;
    try {
      json = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw new MlflowError(response.status, 'UNEXPECTED_RESPONSE', `answer is not JSON: ${text.slice(0, 200)}`, method, path);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
      throw new MlflowError(response.status, 'UNEXPECTED_RESPONSE', `answer does not match the expected record: ${issues}`, method, path);
    }
    return parsed.data;
  }

  /** undefined instead of a RESOURCE_DOES_NOT_EXIST error. */
  private async orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
    try {
      return await call;
    } catch (error) {
      if (isMlflowError(error, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
      throw error;
    }
  }

  private async allPages<T>(fetchPage: (pageToken: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
    const all: T[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (;;) {
      const page = await fetchPage(token);
      all.push(...page.items);
      if (!page.next || seen.has(page.next)) return all;
      seen.add(page.next);
      token = page.next;
    }
  }

  /** Sends one request and returns the successful response; throws MlflowError or MlflowConnectionError. */
  private async send(spec: RequestSpec): Promise<Response> {
    const url = this.url(spec.path, spec.query);
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers };
    let body: string | Uint8Array | undefined;
    if (spec.raw) {
      headers['content-type'] = spec.raw.contentType;
      body = spec.raw.data;
    } else if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    }
    const attempts = spec.method === 'GET' ? 1 + this.getRetries : 1;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: spec.method,
          headers,
          body: body as RequestInit['body'],
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        if (!timedOut && attempt < attempts) {
          await backoff(attempt);
          continue;
        }
        throw new MlflowConnectionError(
          spec.method,
          url,
          timedOut ? 'timeout' : 'network',
          timedOut
            ? `MLflow ${spec.method} ${url} timed out after ${this.timeoutMs} ms`
            : `cannot reach MLflow at ${this.uri} (${spec.method} ${url}): ${describeFetchFailure(error)}`,
          { cause: error },
        );
      }
      if (response.ok) return response;
      const text = await response.text().catch(() => '');
      if (RETRYABLE_STATUSES.has(response.status) && attempt < attempts) {
        await backoff(attempt);
        continue;
      }
      const { errorCode, message } = parseErrorBody(response.status, text);
      throw new MlflowError(response.status, errorCode, message, spec.method, spec.path);
    }
  }

  private url(path: string, query: Query | undefined): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) params.append(key, item);
      else params.append(key, String(value));
    }
    const qs = params.toString();
    return `${this.uri}${path}${qs ? `?${qs}` : ''}`;
  }
}

const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)));

/** A client for the MLflow server of the platform's configuration (PAC_MLFLOW_URI). */
export function mlflowClientFromConfig(config: Config, options: Omit<MlflowClientOptions, 'uri'> = {}): MlflowClient {
  return new MlflowClient({ ...options, uri: config.mlflow.uri });
}
