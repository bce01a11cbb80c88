/**
 * Prometheus metrics of the API process (prom-client, one registry per app so several apps can run
 * in one process). Scraped at GET /metrics; infra/prometheus.yml and infra/grafana-dashboard.json
 * use these names.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export class ApiMetrics {
  readonly registry = new Registry();

  readonly requestDuration = new Histogram({
    name: 'pac_http_request_duration_seconds',
    help: 'HTTP request latency by route (the route pattern, not the URL), method and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly predictions = new Counter({
    name: 'pac_predictions_total',
    help: 'Model predictions served (ranker rankings of analysed resources), by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  readonly denials = new Counter({
    name: 'pac_policy_denials_total',
    help: 'Policy denials found by /v1/analyze (real OPA), by policy',
    labelNames: ['policy'] as const,
    registers: [this.registry],
  });

  readonly driftShare = new Gauge({
    name: 'pac_drift_share',
    help: 'Share of drifted features in the latest drift report, by model family',
    labelNames: ['family'] as const,
    registers: [this.registry],
  });

  readonly driftDetected = new Gauge({
    name: 'pac_drift_detected',
    help: '1 when the latest drift report says drifted, else 0',
    labelNames: ['family'] as const,
    registers: [this.registry],
  });

  readonly predictionPsi = new Gauge({
    name: 'pac_drift_prediction_psi',
    help: 'PSI of the champion ranker predictions in the latest drift report',
    labelNames: ['family'] as const,
    registers: [this.registry],
  });

  readonly workflowOutcomes = new Counter({
    name: 'pac_workflow_outcomes_total',
    help: 'Outcomes of workflows driven through the API (e.g. draft proposed/approved/rejected), by workflow and outcome',
    labelNames: ['workflow', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly llmTokens = new Counter({
    name: 'pac_llm_tokens_total',
    help: 'LLM tokens used, by model and kind (prompt | completion)',
    labelNames: ['model', 'kind'] as const,
    registers: [this.registry],
  });

  readonly llmCost = new Counter({
    name: 'pac_llm_cost_usd_total',
    help: 'LLM cost in USD from the price table, by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  readonly queryCost = new Histogram({
    name: 'pac_qa_query_cost_usd',
    help: 'Cost in USD of one document Q&A answer',
    buckets: [0, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
    registers: [this.registry],
  });

  readonly qaAnswers = new Counter({
    name: 'pac_qa_answers_total',
    help: 'Document Q&A answers by outcome (answered | not_in_kb | off_topic | cached), route (cheap | strong) and prompt version',
    labelNames: ['outcome', 'route', 'prompt'] as const,
    registers: [this.registry],
  });

  readonly cacheLookups = new Counter({
    name: 'pac_qa_cache_lookups_total',
    help: 'Semantic cache lookups by result (hit | miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly cacheHitRate = new Gauge({
    name: 'pac_qa_cache_hit_ratio',
    help: 'Semantic cache hits / lookups since the process started',
    registers: [this.registry],
  });

  readonly piiMasked = new Counter({
    name: 'pac_pii_masked_total',
    help: 'PII findings masked, by type and where (input | output)',
    labelNames: ['type', 'where'] as const,
    registers: [this.registry],
  });

  readonly documentsIngested = new Counter({
    name: 'pac_qa_documents_ingested_total',
    help: 'Documents ingested into the knowledge base (replacements included)',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'pac_' });
  }

  /**
   * Creates the series whose label values are known up front at 0, so dashboards and alerts see
   * them before the first event (the configured models, the workflow outcomes, cache results).
   */
  initialize(models: readonly string[]): void {
    for (const model of new Set(models)) {
      this.llmTokens.inc({ model, kind: 'prompt' }, 0);
      this.llmTokens.inc({ model, kind: 'completion' }, 0);
      this.llmCost.inc({ model }, 0);
    }
    for (const outcome of ['proposed', 'approved', 'rejected']) this.workflowOutcomes.inc({ workflow: 'draft', outcome }, 0);
    for (const workflow of ['autofix', 'troubleshoot', 'ci-log']) this.workflowOutcomes.inc({ workflow, outcome: 'completed' }, 0);
    for (const result of ['hit', 'miss']) this.cacheLookups.inc({ result }, 0);
    this.cacheHitRate.set(0);
  }

  /** Records the cache counters of one query and refreshes the hit ratio. */
  recordCache(hit: boolean, hitRate: number): void {
    this.cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
    this.cacheHitRate.set(hitRate);
  }
}
