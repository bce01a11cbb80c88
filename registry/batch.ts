/**
 * Splits what one logBatch call is asked to log into requests that respect MLflow's limits for
 * POST /api/2.0/mlflow/runs/log-batch: at most 1000 metrics, 100 params and 100 tags per request,
 * 1000 entities in all, and about 1 MB of JSON.
 */

/** MLflow's limits (mlflow/utils/validation.py: MAX_*_PER_BATCH, MAX_BATCH_LOG_REQUEST_SIZE). */
export const MLFLOW_BATCH_LIMITS = {
  maxMetrics: 1000,
  maxParams: 100,
  maxTags: 100,
  maxEntities: 1000,
  /** JSON characters of one request body; the server's limit is 1e6, this leaves room for run_id etc. */
  maxRequestChars: 990_000,
} as const;

export type BatchLimits = { [K in keyof typeof MLFLOW_BATCH_LIMITS]: number };

/** Metric as sent on the wire. Non-finite values are spelled as protobuf JSON spells them. */
export interface WireMetric {
  key: string;
  value: number | 'NaN' | 'Infinity' | '-Infinity';
  timestamp: number;
  step: number;
}

export interface WireKeyValue {
  key: string;
  value: string;
}

export interface BatchChunk {
  metrics: WireMetric[];
  params: WireKeyValue[];
  tags: WireKeyValue[];
}

/** A metric value ready for JSON: NaN and ±Infinity would otherwise become null. */
export function wireMetricValue(value: number): WireMetric['value'] {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

/** Parameters and tags may be given as a record or as MLflow's list of {key, value}. */
export type KeyValues = Record<string, string | number | boolean> | { key: string; value: string | number | boolean }[];

export function toKeyValues(values: KeyValues | undefined): WireKeyValue[] {
  if (!values) return [];
  const list = Array.isArray(values) ? values : Object.entries(values).map(([key, value]) => ({ key, value }));
  return list.map(({ key, value }) => ({ key, value: String(value) }));
}

const sizeOf = (item: unknown) => JSON.stringify(item).length + 1; // +1 for the separating comma

/**
 * Greedy split, order kept within each kind. Every request takes as many params as fit, then tags,
 * then fills up with metrics, so the number of requests is as small as the limits allow.
 * An item too large for the character budget on its own still goes out alone (the server judges it).
 */
export function splitBatch(batch: BatchChunk, limits: BatchLimits = MLFLOW_BATCH_LIMITS): BatchChunk[] {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`batch limit ${name} must be a positive integer`);
  }
  const chunks: BatchChunk[] = [];
  const next = { metrics: 0, params: 0, tags: 0 };
  const overhead = JSON.stringify({ run_id: '', metrics: [], params: [], tags: [] }).length + 64;
  const remaining = () => next.metrics < batch.metrics.length || next.params < batch.params.length || next.tags < batch.tags.length;

  while (remaining()) {
    const chunk: BatchChunk = { metrics: [], params: [], tags: [] };
    let chars = overhead;
    let total = 0;
    const take = <K extends keyof BatchChunk>(kind: K, limit: number) => {
      const source = batch[kind] as BatchChunk[K][number][];
      const target = chunk[kind] as BatchChunk[K][number][];
      while (next[kind] < source.length && target.length < limit && total < limits.maxEntities) {
        const item = source[next[kind]] as BatchChunk[K][number];
        const size = sizeOf(item);
        if (total > 0 && chars + size > limits.maxRequestChars) return;
        target.push(item);
        chars += size;
        total += 1;
        next[kind] += 1;
      }
    };
    take('params', limits.maxParams);
    take('tags', limits.maxTags);
    take('metrics', limits.maxMetrics);
    chunks.push(chunk);
  }
  return chunks;
}

/** Splits a list into pieces of at most `size` items (used for log-inputs' dataset limit). */
export function chunkList<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('chunk size must be a positive integer');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
