/**
 * MLflow REST API, runs: runs/create, get, update, delete, search, log-batch, set-tag,
 * log-parameter, log-metric, log-inputs, and metrics/get-history.
 */
import { type BatchLimits, chunkList, type KeyValues, MLFLOW_BATCH_LIMITS, splitBatch, toKeyValues, wireMetricValue } from './batch';
import { MlflowExperiments } from './experiments';
import { type ClientFields, millis, type ViewType, wireFields } from './http';
import { type Dataset, type Metric, type Run, type RunInfo, type RunStatus, responses } from './schemas';

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
  /** name, digest, sourceType, source, schema?, profile? (see Dataset) */
  dataset: ClientFields<Dataset>;
  /** e.g. {"mlflow.data.context": "training"} */
  tags?: KeyValues;
}

export interface LogInputsInput {
  runId: string;
  datasets: DatasetInputSpec[];
}

const TERMINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['FINISHED', 'FAILED', 'KILLED']);
/** MLflow accepts at most 1000 dataset inputs per log-inputs request. */
const MAX_DATASETS_PER_REQUEST = 1000;

/** A metric as runs/log-metric and runs/log-batch take it. */
const wireMetric = (metric: MetricInput, now: number) => ({
  key: metric.key,
  value: wireMetricValue(metric.value),
  timestamp: millis(metric.timestamp, now),
  step: metric.step ?? 0,
});

export class MlflowRuns extends MlflowExperiments {
  /** POST runs/create; the new run is RUNNING. */
  async createRun(input: CreateRunInput): Promise<Run> {
    const body = await this.api('POST', 'runs/create', responses.run, {
      json: wireFields({ ...input, startTime: millis(input.startTime, Date.now()), tags: toKeyValues(input.tags) }),
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
    const endTime = input.endTime !== undefined || ends ? millis(input.endTime, Date.now()) : undefined;
    const body = await this.api('POST', 'runs/update', responses.updateRun, { json: wireFields({ ...input, endTime }) });
    return body.run_info;
  }

  /** POST runs/delete (soft delete). */
  async deleteRun(runId: string): Promise<void> {
    await this.api('POST', 'runs/delete', responses.empty, { json: { run_id: runId } });
  }

  /** POST runs/search: one page. */
  async searchRuns(input: SearchRunsInput): Promise<SearchRunsPage> {
    const body = await this.api('POST', 'runs/search', responses.searchRuns, { json: wireFields(input) });
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
        metrics: (input.metrics ?? []).map((m) => wireMetric(m, now)),
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
      json: { run_id: runId, ...wireMetric({ key, value, ...options }, Date.now()) },
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
    const datasets = input.datasets.map((d) => ({ tags: toKeyValues(d.tags), dataset: wireFields(d.dataset) }));
    for (const chunk of chunkList(datasets, MAX_DATASETS_PER_REQUEST)) {
      await this.api('POST', 'runs/log-inputs', responses.empty, { json: { run_id: input.runId, datasets: chunk } });
    }
  }
}
