/**
 * Latency regressor: predicts a policy's evaluation time (ns/op, measured with `opa bench`, see
 * `latencyMeasurementSchema`) from the policy's Rego features and the input size.
 *
 * The model works in log space: target ln(nsPerOp), inputs = the Rego features (generic numeric
 * record) + ln(items) + ln(1 + inventoryObjects), standardised by the shared encoder. Learners:
 * closed-form ridge regression (ml-matrix) and a regression forest (ml-random-forest). Splits are
 * GROUPED by policy, so a test policy was never seen in training: the model is judged on what it
 * must do in production, predicting a new draft's latency.
 *
 * Metrics: MAE in µs, MAPE, R² on the µs scale (`r2_us`) and on the log scale (`r2_log`). The
 * quality gate's `r2` is the log-scale one: the measurements span orders of magnitude (1 to 64
 * items, inventories up to 5,000 objects), and on the µs scale a handful of the largest rows decide
 * R² by themselves, whereas the question the model answers — how many times slower is this policy
 * on this input — is a relative one.
 */
import { z } from 'zod';
import { type DescribedFeature, type FeatureSpec, numericFeature } from '../features/spec';
import { EncodedModel, encodedStateSchema, loadEncodedModel } from './encoded-model';
import { type FeatureEncoder, type FeatureRow, fitEncoder } from './encoder';
import { type CrossValidation, meanAbsoluteError, meanAbsolutePercentageError, rSquared, summariseFolds } from './metrics';
import { type ForestTrainOptions, fitForestRegressor, fitRidge, ModelError, predictModel, scoringModelSchema } from './models';
import { groupedKFold, groupedSplit, splitRows } from './split';

/** Where a latency label came from: `opa bench` (datasets/latency) or the platform engine's own timings (observations). */
export const LATENCY_SOURCES = ['bench', 'observed'] as const;
export type LatencySource = (typeof LATENCY_SOURCES)[number];

/**
 * One row of the latency training set the lifecycle ingests: an `opa bench` measurement, or the
 * median of the engine's per-policy timings recorded in observations for one policy and input size.
 */
export const latencyTrainingRowSchema = z.strictObject({
  policy: z.string().min(1),
  kind: z.string(),
  items: z.number().int().positive(),
  inventoryObjects: z.number().int().nonnegative(),
  nsPerOp: z.number().nonnegative(),
  source: z.enum(LATENCY_SOURCES),
  /** timings behind the row (1 for a bench measurement: itself a mean over many iterations) */
  samples: z.number().int().positive(),
  measuredAt: z.iso.datetime(),
});
export type LatencyTrainingRow = z.infer<typeof latencyTrainingRowSchema>;

/** One training row (a subset of a latency measurement, plus the policy's Rego features). */
export interface LatencyRow {
  policy: string;
  /** the policy's Rego features (numeric) */
  features: Readonly<Record<string, number>>;
  items: number;
  inventoryObjects: number;
  nsPerOp: number;
}

export type LatencyInput = Omit<LatencyRow, 'nsPerOp' | 'policy'>;

export const SIZE_FEATURES: readonly DescribedFeature[] = [
  numericFeature('log_items', 'ln(items in the input)'),
  numericFeature('log1p_inventory_objects', 'ln(1 + objects in data.inventory)'),
];

/** The column of the product of ln(items) and a Rego feature. */
export const interactionName = (feature: string) => `log_items_x_${feature}`;

/**
 * The model's input row: the Rego features, the size features and, for each name in
 * `interactions`, ln(items) × that feature — how steeply a policy's time grows with the items
 * depends on its rules (one that iterates over containers grows, one that reads a single field
 * does not), which a sum of main effects cannot express.
 */
export function latencyFeatureRow(input: LatencyInput, interactions: readonly string[] = []): FeatureRow {
  if (!(input.items > 0)) throw new ModelError(`latency: items must be > 0, got ${input.items}`);
  if (!(input.inventoryObjects >= 0)) throw new ModelError(`latency: inventoryObjects must be ≥ 0, got ${input.inventoryObjects}`);
  const logItems = Math.log(input.items);
  const row: Record<string, number> = {
    ...input.features,
    log_items: logItems,
    log1p_inventory_objects: Math.log1p(input.inventoryObjects),
  };
  for (const name of interactions) row[interactionName(name)] = logItems * (input.features[name] ?? 0);
  return row;
}

/** ln(ns/op), with sub-nanosecond measurements clamped to 1 ns. */
export function latencyTarget(nsPerOp: number): number {
  if (!(nsPerOp >= 0) || !Number.isFinite(nsPerOp)) throw new ModelError(`latency: nsPerOp must be a finite number ≥ 0, got ${nsPerOp}`);
  return Math.log(Math.max(nsPerOp, 1));
}

export const LATENCY_LEARNERS = ['ridge', 'forest'] as const;
export type LatencyLearner = (typeof LATENCY_LEARNERS)[number];

export const latencyModelSchema = z.object({
  learner: z.enum(LATENCY_LEARNERS),
  /** Rego features multiplied by ln(items) as extra columns (see latencyFeatureRow) */
  interactions: z.array(z.string().min(1)).default([]),
  /** predicts ln(ns/op) */
  scorer: scoringModelSchema,
});
export type LatencyModel = z.infer<typeof latencyModelSchema>;

export const latencyStateSchema = encodedStateSchema(latencyModelSchema);
export type LatencyState = z.infer<typeof latencyStateSchema>;

export class LatencyRegressor extends EncodedModel<LatencyModel> {
  constructor(encoder: FeatureEncoder, model: LatencyModel) {
    super(encoder, model, [['latency regressor: the model', model.scorer]]);
  }

  /** predicted ln(ns/op) */
  predictLog(input: LatencyInput): number {
    return predictModel(this.model.scorer, this.encoder.transform(latencyFeatureRow(input, this.model.interactions)));
  }

  predictNs(input: LatencyInput): number {
    return Math.exp(this.predictLog(input));
  }

  static fromJSON(json: unknown): LatencyRegressor {
    return loadEncodedModel(latencyStateSchema, json, LatencyRegressor);
  }
}

export interface TrainLatencyInput {
  rows: readonly LatencyRow[];
  /** the Rego features to use (numeric); the size features are added */
  spec: readonly FeatureSpec[];
  learner: LatencyLearner;
  /** ridge penalty; default 100 (measured best of 0.1–100 in grouped CV on the first latency data) */
  lambda?: number;
  /**
   * add ln(items) × each Rego feature of the spec as columns; default yes (on the first latency data
   * they raised the grouped-CV R² (log) of both learners: forest 0.56 → 0.66, ridge λ=100 0.37 → 0.46)
   */
  interactions?: boolean;
  forest?: ForestTrainOptions;
}

export function trainLatencyRegressor(input: TrainLatencyInput): LatencyRegressor {
  if (input.rows.length === 0) throw new ModelError('trainLatencyRegressor: no rows');
  const rego = input.spec.filter((f) => !SIZE_FEATURES.some((s) => s.name === f.name));
  const interactions = (input.interactions ?? true) ? rego.filter((f) => f.type === 'numeric').map((f) => f.name) : [];
  const spec: FeatureSpec[] = [
    ...rego,
    ...SIZE_FEATURES,
    ...interactions.map((name) => ({ name: interactionName(name), type: 'numeric' as const })),
  ];
  const rows = input.rows.map((r) => latencyFeatureRow(r, interactions));
  const encoder = fitEncoder(rows, spec);
  const x = encoder.transformAll(rows);
  const y = input.rows.map((r) => latencyTarget(r.nsPerOp));
  const scorer =
    input.learner === 'ridge'
      ? fitRidge(x, y, input.lambda ?? 100)
      : fitForestRegressor(x, y, { trees: 30, maxDepth: 8, minNumSamples: 3, maxFeatures: 0.7, ...input.forest });
  return new LatencyRegressor(encoder, latencyModelSchema.parse({ learner: input.learner, interactions, scorer }));
}

/**
 * The size-only baseline: ridge on ln(items), ln(1 + inventory) (and whether the time was taken in
 * process, when the rows carry it) — what the input size alone says, without reading the policy.
 */
export function trainSizeOnlyLatency(rows: readonly LatencyRow[]): LatencyRegressor {
  const inProcess = rows.some((r) => r.features.in_process !== undefined);
  return trainLatencyRegressor({
    rows: rows.map((r): LatencyRow => ({ ...r, features: inProcess ? { in_process: r.features.in_process ?? 0 } : {} })),
    spec: inProcess ? [numericFeature('in_process', 'measured in process')] : [],
    learner: 'ridge',
    lambda: 1,
    interactions: false,
  });
}

/** mae_us, mape, r2_us, r2_log, and r2 (= r2_log, the one the quality gate reads). */
export function latencyMetrics(regressor: LatencyRegressor, rows: readonly LatencyRow[]): Record<string, number> {
  if (rows.length === 0) throw new ModelError('latencyMetrics: no rows');
  const logActual = rows.map((r) => latencyTarget(r.nsPerOp));
  const logPredicted = rows.map((r) => regressor.predictLog(r));
  const usActual = rows.map((r) => r.nsPerOp / 1000);
  const usPredicted = logPredicted.map((v) => Math.exp(v) / 1000);
  const r2Log = rSquared(logActual, logPredicted);
  return {
    mae_us: meanAbsoluteError(usActual, usPredicted),
    mape: meanAbsolutePercentageError(usActual, usPredicted).value,
    r2_us: rSquared(usActual, usPredicted),
    r2_log: r2Log,
    r2: r2Log,
    rows: rows.length,
    policies: new Set(rows.map((r) => r.policy)).size,
  };
}

export interface LatencyEvaluation {
  learner: LatencyLearner;
  train: Record<string, number>;
  test: Record<string, number>;
  regressor: LatencyRegressor;
}

const policiesOf = (rows: readonly LatencyRow[]) => rows.map((r) => r.policy);

/** Train on the training policies, report on the held-out policies (grouped split). */
export function holdoutLatency(input: TrainLatencyInput & { testShare?: number; seed?: number }): LatencyEvaluation {
  const { train, test } = splitRows(input.rows, groupedSplit(policiesOf(input.rows), input.testShare ?? 0.2, input.seed ?? 1));
  const regressor = trainLatencyRegressor({ ...input, rows: train });
  return { learner: input.learner, train: latencyMetrics(regressor, train), test: latencyMetrics(regressor, test), regressor };
}

/** Grouped k-fold (by policy): each fold's held-out metrics. */
export function crossValidateLatency(input: TrainLatencyInput & { k?: number; seed?: number }): Record<string, number>[] {
  return groupedKFold(policiesOf(input.rows), input.k ?? 5, input.seed ?? 1).map((fold) => {
    const { train, test } = splitRows(input.rows, fold);
    return latencyMetrics(trainLatencyRegressor({ ...input, rows: train }), test);
  });
}

export interface LatencyComparisonRow {
  learner: LatencyLearner;
  /** grouped k-fold: mean and standard deviation of each held-out metric */
  cv: CrossValidation;
}

export interface LatencyComparison {
  /** the best learner: highest mean r2 (the gate's, log scale), then lowest mean mae_us */
  best: LatencyLearner;
  table: LatencyComparisonRow[];
}

/** Grouped k-fold (by policy) of each learner on the same folds, so the choice is measured. */
export function compareLatencyLearners(
  input: Omit<TrainLatencyInput, 'learner'> & { learners?: readonly LatencyLearner[]; k?: number; seed?: number },
): LatencyComparison {
  const learners = input.learners ?? LATENCY_LEARNERS;
  if (learners.length === 0) throw new ModelError('compareLatencyLearners: no candidate learners');
  const table = learners.map((learner) => ({ learner, cv: summariseFolds(crossValidateLatency({ ...input, learner })) }));
  table.sort((a, b) => {
    const r2 = (b.cv.mean.r2 as number) - (a.cv.mean.r2 as number);
    return Math.abs(r2) > 1e-9 ? r2 : (a.cv.mean.mae_us as number) - (b.cv.mean.mae_us as number);
  });
  return { best: (table[0] as LatencyComparisonRow).learner, table };
}
