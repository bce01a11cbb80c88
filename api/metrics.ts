/**
 * Prometheus metrics of the API process (prom-client, one registry per app so several apps can run
 * in one process). Scraped at GET /metrics; infra/prometheus.yml and infra/grafana-dashboard.json
 * use these names.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** A series of one kind, made in a given registry. */
type Series<M> = (registry: Registry) => M;

const counter =
  <L extends string>(name: string, help: string, labelNames: readonly L[]): Series<Counter<L>> =>
  (registry) =>
    new Counter({ name, help, labelNames, registers: [registry] });

const gauge =
  <L extends string>(name: string, help: string, labelNames: readonly L[]): Series<Gauge<L>> =>
  (registry) =>
    new Gauge({ name, help, labelNames, registers: [registry] });

const histogram =
  <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Series<Histogram<L>> =>
  (registry) =>
    new Histogram({ name, help, labelNames, buckets, registers: [registry] });

/** Every series the API exports, by the name the code uses. */
const API_SERIES = {
  requestDuration: histogram(
    'pac_http_request_duration_seconds',
    'HTTP request latency by route (the route pattern, not the URL), method and status code',
    ['method', 'route', 'status'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  ),
  predictions: counter('pac_predictions_total', 'Model predictions served (ranker rankings of analysed resources), by model', ['model']),
  denials: counter('pac_policy_denials_total', 'Policy denials found by /v1/analyze (real OPA), by policy', ['policy']),
  driftShare: gauge('pac_drift_share', 'Share of drifted features in the latest drift report, by model family', ['family']),
  driftDetected: gauge('pac_drift_detected', '1 when the latest drift report says drifted, else 0', ['family']),
  predictionPsi: gauge('pac_drift_prediction_psi', 'PSI of the champion ranker predictions in the latest drift report', ['family']),
  workflowOutcomes: counter(
    'pac_workflow_outcomes_total',
    'Outcomes of workflows driven through the API (e.g. draft proposed/approved/rejected), by workflow and outcome',
    ['workflow', 'outcome'],
  ),
  llmTokens: counter('pac_llm_tokens_total', 'LLM tokens used, by model and kind (prompt | completion)', ['model', 'kind']),
  llmCost: counter('pac_llm_cost_usd_total', 'LLM cost in USD from the price table, by model', ['model']),
  queryCost: histogram(
    'pac_qa_query_cost_usd',
    'Cost in USD of one document Q&A answer',
    [],
    [0, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
  ),
  qaAnswers: counter(
    'pac_qa_answers_total',
    'Document Q&A answers by outcome (answered | not_in_kb | off_topic | cached), route (cheap | strong) and prompt version',
    ['outcome', 'route', 'prompt'],
  ),
  cacheLookups: counter('pac_qa_cache_lookups_total', 'Semantic cache lookups by result (hit | miss)', ['result']),
  cacheHitRate: gauge('pac_qa_cache_hit_ratio', 'Semantic cache hits / lookups since the process started', []),
  piiMasked: counter('pac_pii_masked_total', 'PII findings masked, by type and where (input | output)', ['type', 'where']),
  documentsIngested: counter('pac_qa_documents_ingested_total', 'Documents ingested into the knowledge base (replacements included)', []),
};

type ApiSeries = { readonly [K in keyof typeof API_SERIES]: ReturnType<(typeof API_SERIES)[K]> };

export type ApiMetrics = ApiSeries & {
  readonly registry: Registry;
  /**
   * Creates the series whose label values are known up front at 0, so dashboards and alerts see
   * them before the first event (the configured models, the workflow outcomes, cache results).
   */
  initialize(models: readonly string[]): void;
  /** Records the cache counters of one query and refreshes the hit ratio. */
  recordCache(hit: boolean, hitRate: number): void;
};

/** The metrics of one app, in a registry of their own. */
export function apiMetrics(options: { defaultMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  const series = Object.fromEntries(Object.entries(API_SERIES).map(([key, make]) => [key, make(registry)])) as unknown as ApiSeries;
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'pac_' });
  return {
    ...series,
    registry,
    initialize(models) {
      for (const model of new Set(models)) {
        series.llmTokens.inc({ model, kind: 'prompt' }, 0);
        series.llmTokens.inc({ model, kind: 'completion' }, 0);
        series.llmCost.inc({ model }, 0);
      }
      for (const outcome of ['proposed', 'approved', 'rejected']) series.workflowOutcomes.inc({ workflow: 'draft', outcome }, 0);
      for (const workflow of ['autofix', 'troubleshoot', 'ci-log']) series.workflowOutcomes.inc({ workflow, outcome: 'completed' }, 0);
      for (const result of ['hit', 'miss']) series.cacheLookups.inc({ result }, 0);
      series.cacheHitRate.set(0);
    },
    recordCache(hit, hitRate) {
      series.cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
      series.cacheHitRate.set(hitRate);
    },
  };
}
