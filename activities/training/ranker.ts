/**
 * Policy ranker: for a manifest (as a feature row), which corpus policies are most likely to deny it.
 * Labels come from real OPA (datasets/generated/*.jsonl rows `{manifest, deny}`).
 *
 * - heuristicRanker: the baseline without training — kind match + share of the policy's relevant
 *   numeric features that are set in the row + a small reliability bonus.
 * - trainRanker: one-vs-rest, one binary model per policy over the encoded features, with a
 *   pluggable base learner (our logistic regression, an ml-cart tree, an ml-random-forest forest).
 *   The score is the predicted probability; a policy never denied in training scores 0. Ties are
 *   broken by the policy's training base rate, then by id, so rankings are deterministic.
 *   With policy metadata (`policyInfo`), a policy is scored only for the kinds it applies to (the
 *   others score 0 and are left out of the ranking) and carries its severity; with a calibration
 *   (ranker-quality.ts calibrateRanker: Platt scaling per policy on a validation split) the score
 *   is a calibrated probability.
 * - selectRankerLearner: trains every candidate on one split and compares them on the validation
 *   part (hit@5, then MRR, then inference p99), so the choice of learner is measured and reported.
 *
 * Models serialise to JSON (`rankerModelSchema`) and load back to identical scores.
 */
import { z } from 'zod';
import type { FeatureSpec } from '../features/spec';
import { EncodedModel, encodedStateSchema, loadEncodedModel } from './encoded-model';
import { type EncoderOptions, type FeatureEncoder, type FeatureRow, fitEncoder } from './encoder';
import { percentile, perLabelAuc, type RankedCase, rankingReport } from './metrics';
import {
  type ForestTrainOptions,
  fitCartClassifier,
  fitForestClassifier,
  fitLogisticRegression,
  type LogisticOptions,
  ModelError,
  predictModel,
  type ScoringModel,
  scoringModelSchema,
  sigmoid,
  type TreeOptions,
} from './models';
import { splitRows, trainTestSplit } from './split';

export interface RankedPolicy {
  id: string;
  score: number;
  /** the policy's severity, when the ranker knows it */
  severity?: string;
}

/** What a ranker may know about a policy besides its id: which kinds it applies to ("*": all) and its severity. */
export interface PolicyInfo {
  id: string;
  kinds: readonly string[];
  severity?: string;
}

/** Anything that ranks policies for a feature row. */
export interface Ranker {
  /** scores aligned with `policies` */
  readonly policies: readonly string[];
  scores(row: FeatureRow): ArrayLike<number>;
  /** policies best first (all of them, or the top k) */
  rank(row: FeatureRow, k?: number): RankedPolicy[];
}

export function rankFrom(
  policies: readonly string[],
  scores: ArrayLike<number>,
  tieBreak: ArrayLike<number> | undefined,
  k?: number,
  include?: (index: number) => boolean,
): RankedPolicy[] {
  const order = Array.from({ length: policies.length }, (_, i) => i).filter((i) => include?.(i) ?? true);
  order.sort((a, b) => {
    const diff = (scores[b] as number) - (scores[a] as number);
    if (diff !== 0) return diff;
    if (tieBreak) {
      const t = (tieBreak[b] as number) - (tieBreak[a] as number);
      if (t !== 0) return t;
    }
    const pa = policies[a] as string;
    const pb = policies[b] as string;
    return pa < pb ? -1 : pa > pb ? 1 : 0;
  });
  return order.slice(0, k ?? order.length).map((i) => ({ id: policies[i] as string, score: scores[i] as number }));
}

// ---------------------------------------------------------------------------------------------
// Heuristic baseline
// ---------------------------------------------------------------------------------------------

export interface HeuristicPolicy {
  id: string;
  /** kinds the policy applies to; "*" means every kind */
  kinds: readonly string[];
  reliability: number;
  /** manifest feature names that indicate the policy is relevant when non-zero / true */
  relevant: readonly string[];
}

export interface HeuristicOptions {
  /** the feature holding the manifest's kind; default "kind" */
  kindFeature?: string;
  /** weight of the reliability bonus; default 0.1 */
  reliabilityWeight?: number;
  /** when given, decides which relevant features are numeric; otherwise the row's value types do */
  spec?: readonly FeatureSpec[];
}

/**
 * score = [kind matches] + (share of the policy's relevant numeric features that are non-zero in
 * the row) + reliabilityWeight · reliability. A relevant numeric feature missing from the row counts
 * as zero when a spec is given, and is ignored otherwise (its type is unknown).
 */
export function heuristicRanker(policies: readonly HeuristicPolicy[], options: HeuristicOptions = {}): Ranker {
  const kindFeature = options.kindFeature ?? 'kind';
  const weight = options.reliabilityWeight ?? 0.1;
  const numeric = options.spec ? new Set(options.spec.filter((f) => f.type === 'numeric').map((f) => f.name)) : undefined;
  const ids = policies.map((p) => p.id);
  if (new Set(ids).size !== ids.length) throw new ModelError('heuristicRanker: policy ids must be unique');
  const kinds = policies.map((p) => new Set(p.kinds));
  const relevant = policies.map((p) => (numeric ? p.relevant.filter((name) => numeric.has(name)) : [...p.relevant]));
  const scores = (row: FeatureRow): Float64Array => {
    const kind = row[kindFeature];
    const out = new Float64Array(policies.length);
    policies.forEach((policy, i) => {
      const k = kinds[i] as Set<string>;
      let score = k.has('*') || (kind !== undefined && k.has(String(kind))) ? 1 : 0;
      let considered = 0;
      let set = 0;
      for (const name of relevant[i] as string[]) {
        const value = row[name];
        if (numeric) {
          considered++;
          if ((typeof value === 'number' && value !== 0) || value === true) set++;
        } else if (typeof value === 'number' || typeof value === 'boolean') {
          considered++;
          if (value !== 0 && value !== false) set++;
        }
      }
      if (considered > 0) score += set / considered;
      out[i] = score + weight * policy.reliability;
    });
    return out;
  };
  return { policies: ids, scores, rank: (row, k) => rankFrom(ids, scores(row), undefined, k) };
}

// ---------------------------------------------------------------------------------------------
// Learned ranker
// ---------------------------------------------------------------------------------------------

export const RANKER_LEARNERS = ['logistic', 'cart', 'forest'] as const;
export type RankerLearner = (typeof RANKER_LEARNERS)[number];

export interface RankerExample {
  id: string;
  features: FeatureRow;
  /** ids of the policies that deny the manifest */
  deny: readonly string[];
}

export interface LearnerOptions {
  logistic?: LogisticOptions;
  cart?: TreeOptions;
  forest?: ForestTrainOptions;
}

export const rankerModelSchema = z
  .object({
    learner: z.enum(RANKER_LEARNERS),
    /** the feature holding the manifest's kind (for `kinds`); default "kind" */
    kindFeature: z.string().min(1).optional(),
    policies: z
      .array(
        z.object({
          id: z.string().min(1),
          /** share of training manifests the policy denies (tie-break) */
          prior: z.number().min(0).max(1),
          model: scoringModelSchema,
          /** kinds the policy applies to ("*": every kind); absent (older artifacts): every kind */
          kinds: z.array(z.string().min(1)).min(1).optional(),
          severity: z.string().min(1).optional(),
          /** Platt scaling: probability = sigmoid(a · logit(raw score) + b); absent: the raw score */
          calibration: z.object({ a: z.number(), b: z.number() }).optional(),
        }),
      )
      .min(1),
  })
  .superRefine((m, ctx) => {
    const ids = m.policies.map((p) => p.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['policies'], message: 'policy ids must be unique' });
  });
export type RankerModel = z.infer<typeof rankerModelSchema>;

export const rankerStateSchema = encodedStateSchema(rankerModelSchema);
export type RankerState = z.infer<typeof rankerStateSchema>;

/** Raw scores are clamped to [ε, 1 − ε] before the logit, so a saturated model still maps to a finite value. */
const LOGIT_EPSILON = 1e-6;
export function logit(p: number): number {
  const q = Math.min(1 - LOGIT_EPSILON, Math.max(LOGIT_EPSILON, p));
  return Math.log(q / (1 - q));
}

export class PolicyRanker extends EncodedModel<RankerModel> implements Ranker {
  readonly policies: readonly string[];
  private readonly priors: Float64Array;
  private readonly models: ScoringModel[];
  private readonly buffer: Float64Array;
  /** per policy: the kinds it applies to, or undefined for every kind */
  private readonly kinds: (ReadonlySet<string> | undefined)[];
  private readonly calibration: ({ a: number; b: number } | undefined)[];
  private readonly kindFeature: string;
  private readonly severities: ReadonlyMap<string, string>;

  constructor(encoder: FeatureEncoder, model: RankerModel) {
    super(
      encoder,
      model,
      model.policies.map((p) => [`ranker: the model of ${p.id}`, p.model]),
    );
    this.policies = model.policies.map((p) => p.id);
    this.priors = Float64Array.from(model.policies, (p) => p.prior);
    this.models = model.policies.map((p) => p.model);
    this.buffer = new Float64Array(encoder.width);
    this.kinds = model.policies.map((p) => (p.kinds && !p.kinds.includes('*') ? new Set(p.kinds) : undefined));
    this.calibration = model.policies.map((p) => p.calibration);
    this.kindFeature = model.kindFeature ?? 'kind';
    this.severities = new Map(model.policies.flatMap((p) => (p.severity ? [[p.id, p.severity] as const] : [])));
  }

  get learner(): RankerLearner {
    return this.model.learner;
  }

  /** Whether policy i applies to the row's kind (always, when the ranker has no kinds for it). */
  private appliesTo(i: number, kind: unknown): boolean {
    const kinds = this.kinds[i];
    return kinds === undefined || (kind !== undefined && kinds.has(String(kind)));
  }

  /** The models' outputs before calibration and kind gating (what calibration is fitted on). */
  rawScores(row: FeatureRow): Float64Array {
    const x = this.encoder.transformInto(row, this.buffer) as Float64Array;
    const out = new Float64Array(this.models.length);
    for (let i = 0; i < this.models.length; i++) out[i] = predictModel(this.models[i] as ScoringModel, x);
    return out;
  }

  /** Calibrated probabilities; 0 for a policy that does not apply to the row's kind. */
  scores(row: FeatureRow): Float64Array {
    const out = this.rawScores(row);
    const kind = row[this.kindFeature];
    for (let i = 0; i < out.length; i++) {
      if (!this.appliesTo(i, kind)) {
        out[i] = 0;
        continue;
      }
      const c = this.calibration[i];
      if (c) out[i] = sigmoid(c.a * logit(out[i] as number) + c.b);
    }
    return out;
  }

  /** Policies that apply to the row's kind, best first, with their severity when known. */
  rank(row: FeatureRow, k?: number): RankedPolicy[] {
    const kind = row[this.kindFeature];
    const ranked = rankFrom(this.policies, this.scores(row), this.priors, k, (i) => this.appliesTo(i, kind));
    if (this.severities.size === 0) return ranked;
    return ranked.map((r) => {
      const severity = this.severities.get(r.id);
      return severity ? { ...r, severity } : r;
    });
  }

  static fromJSON(json: unknown): PolicyRanker {
    return loadEncodedModel(rankerStateSchema, json, PolicyRanker);
  }
}

export interface TrainRankerInput {
  examples: readonly RankerExample[];
  spec: readonly FeatureSpec[];
  /** every policy to score, in a fixed order (those never denied in training get score 0) */
  policies: readonly string[];
  /** kinds and severity per policy id: the model then scores a policy only for its kinds */
  policyInfo?: readonly PolicyInfo[];
  learner: RankerLearner;
  options?: LearnerOptions;
  encoder?: EncoderOptions;
  /** called after each policy's model is fitted (a training's heartbeat) */
  onProgress?: (message: string) => void;
}

function fitBinary(learner: RankerLearner, x: number[][], y: number[], options: LearnerOptions): ScoringModel {
  switch (learner) {
    case 'logistic':
      return fitLogisticRegression(x, y, options.logistic);
    case 'cart':
      return fitCartClassifier(x, y, options.cart);
    case 'forest':
      // few small trees: ml-cart's training cost makes a large forest impractical for ~65 policies
      return fitForestClassifier(x, y, { trees: 5, maxDepth: 6, maxFeatures: 0.5, ...options.forest });
  }
}

export function trainRanker(input: TrainRankerInput): PolicyRanker {
  const { examples, policies, learner } = input;
  if (examples.length === 0) throw new ModelError('trainRanker: no training examples');
  if (policies.length === 0) throw new ModelError('trainRanker: no policies');
  if (new Set(policies).size !== policies.length) throw new ModelError('trainRanker: policy ids must be unique');
  const known = new Set(policies);
  for (const example of examples) {
    for (const id of example.deny)
      if (!known.has(id)) throw new ModelError(`trainRanker: example ${example.id} is denied by unknown policy "${id}"`);
  }
  const encoder = fitEncoder(
    examples.map((e) => e.features),
    input.spec,
    input.encoder,
  );
  const x = encoder.transformAll(examples.map((e) => e.features));
  const denied = examples.map((e) => new Set(e.deny));
  const info = new Map((input.policyInfo ?? []).map((p) => [p.id, p]));
  const models = policies.map((id, i) => {
    const y = denied.map((set) => (set.has(id) ? 1 : 0));
    const positives = y.reduce((a: number, b) => a + b, 0);
    const prior = positives / y.length;
    const meta = info.get(id);
    const extra = meta ? { kinds: [...meta.kinds], ...(meta.severity ? { severity: meta.severity } : {}) } : {};
    // one class only: nothing to learn; never denied → 0, always denied → 1
    if (positives === 0 || positives === y.length)
      return { id, prior, model: { type: 'constant', value: prior } as ScoringModel, ...extra };
    const model = fitBinary(learner, x, y, input.options ?? {});
    input.onProgress?.(`${learner}: fitted ${i + 1}/${policies.length} policies on ${examples.length} rows`);
    return { id, prior, model, ...extra };
  });
  return new PolicyRanker(encoder, rankerModelSchema.parse({ learner, policies: models }));
}

// ---------------------------------------------------------------------------------------------
// Evaluation and learner selection
// ---------------------------------------------------------------------------------------------

export interface RankerEvaluation {
  /** MLflow-style metric names: hit_at_1/3/5, precision_at_5, recall_at_5, mrr, auc_macro, … */
  metrics: Record<string, number>;
  /** ROC AUC per policy (null: the policy has one class only in the evaluation data) */
  aucPerPolicy: Record<string, number | null>;
}

/** Ranking quality on labelled examples. Manifests denied by nothing are excluded from hit@k/MRR and counted. */
export function evaluateRanker(ranker: Ranker, examples: readonly RankerExample[], ks: readonly number[] = [1, 3, 5]): RankerEvaluation {
  if (examples.length === 0) throw new ModelError('evaluateRanker: no examples');
  const cases: RankedCase[] = [];
  const scoreRows: Record<string, number>[] = [];
  for (const example of examples) {
    const scores = ranker.scores(example.features);
    const row: Record<string, number> = {};
    ranker.policies.forEach((id, i) => {
      row[id] = scores[i] as number;
    });
    scoreRows.push(row);
    cases.push({ ranked: ranker.rank(example.features).map((r) => r.id), relevant: example.deny });
  }
  const report = rankingReport(cases, ks);
  const aucs = perLabelAuc(
    ranker.policies,
    scoreRows,
    examples.map((e) => e.deny),
  );
  const metrics: Record<string, number> = {
    mrr: report.mrr,
    auc_macro: aucs.macro,
    auc_policies: aucs.evaluatedLabels,
    evaluated: report.evaluated,
    excluded_no_labels: report.excludedNoLabels,
  };
  for (const k of ks) {
    metrics[`hit_at_${k}`] = report.hitAt[k] as number;
    metrics[`precision_at_${k}`] = report.precisionAt[k] as number;
    metrics[`recall_at_${k}`] = report.recallAt[k] as number;
  }
  return { metrics, aucPerPolicy: aucs.perLabel };
}

/** Wall-clock time of ranking one manifest (feature row → sorted policies), in microseconds. */
export function measureRankLatency(ranker: Ranker, rows: readonly FeatureRow[], options: { warmup?: number; repeats?: number } = {}) {
  if (rows.length === 0) throw new ModelError('measureRankLatency: no rows');
  const warmup = options.warmup ?? Math.min(200, rows.length);
  for (let i = 0; i < warmup; i++) ranker.rank(rows[i % rows.length] as FeatureRow);
  const repeats = options.repeats ?? 1;
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const row of rows) {
      const start = performance.now();
      ranker.rank(row);
      times.push((performance.now() - start) * 1000);
    }
  }
  return { p50Us: percentile(times, 50), p99Us: percentile(times, 99), samples: times.length };
}

export interface LearnerComparisonRow {
  learner: RankerLearner | 'heuristic';
  hitAt5: number;
  mrr: number;
  aucMacro: number;
  p50Us: number;
  p99Us: number;
  trainSeconds: number;
  metrics: Record<string, number>;
}

export interface LearnerSelection {
  /** the chosen learner: best hit@5, then MRR, then lowest p99 */
  best: RankerLearner;
  /** every candidate, best first (the heuristic baseline, when given, is listed but never chosen) */
  table: LearnerComparisonRow[];
  trainRows: number;
  validationRows: number;
  /** the model of the chosen learner, trained on the training part */
  ranker: PolicyRanker;
}

export interface SelectRankerInput extends Omit<TrainRankerInput, 'learner'> {
  learners?: readonly RankerLearner[];
  /** default 0.2 */
  validationShare?: number;
  /** split seed; default 1 */
  seed?: number;
  /** policies for the heuristic baseline row (optional) */
  heuristic?: readonly HeuristicPolicy[];
  onProgress?: (message: string) => void;
}

const TIE = 1e-9;

function compareRows(a: LearnerComparisonRow, b: LearnerComparisonRow): number {
  if (Math.abs(a.hitAt5 - b.hitAt5) > TIE) return b.hitAt5 - a.hitAt5;
  if (Math.abs(a.mrr - b.mrr) > TIE) return b.mrr - a.mrr;
  return a.p99Us - b.p99Us;
}

/** Trains each candidate learner on the same split and compares them on the validation part. */
export function selectRankerLearner(input: SelectRankerInput): LearnerSelection {
  const learners = input.learners ?? RANKER_LEARNERS;
  if (learners.length === 0) throw new ModelError('selectRankerLearner: no candidate learners');
  const split = trainTestSplit(
    input.examples.map((e) => e.id),
    input.validationShare ?? 0.2,
    input.seed ?? 1,
  );
  const { train, test: validation } = splitRows(input.examples, split);
  const rows: LearnerComparisonRow[] = [];
  const rankers = new Map<RankerLearner, PolicyRanker>();
  const measure = (learner: LearnerComparisonRow['learner'], ranker: Ranker, trainSeconds: number): LearnerComparisonRow => {
    const { metrics } = evaluateRanker(ranker, validation);
    const latency = measureRankLatency(
      ranker,
      validation.map((e) => e.features),
    );
    return {
      learner,
      hitAt5: metrics.hit_at_5 as number,
      mrr: metrics.mrr as number,
      aucMacro: metrics.auc_macro as number,
      p50Us: latency.p50Us,
      p99Us: latency.p99Us,
      trainSeconds,
      metrics,
    };
  };
  for (const learner of learners) {
    input.onProgress?.(`training ${learner} on ${train.length} rows`);
    const started = performance.now();
    const ranker = trainRanker({ ...input, examples: train, learner });
    const seconds = (performance.now() - started) / 1000;
    rankers.set(learner, ranker);
    const row = measure(learner, ranker, seconds);
    input.onProgress?.(
      `${learner}: hit@5 ${row.hitAt5.toFixed(4)}, MRR ${row.mrr.toFixed(4)}, p99 ${row.p99Us.toFixed(1)} µs, ${seconds.toFixed(1)} s`,
    );
    rows.push(row);
  }
  const learned = [...rows].sort(compareRows);
  const best = (learned[0] as LearnerComparisonRow).learner as RankerLearner;
  if (input.heuristic) rows.push(measure('heuristic', heuristicRanker(input.heuristic, { spec: input.spec }), 0));
  return {
    best,
    table: rows.sort(compareRows),
    trainRows: train.length,
    validationRows: validation.length,
    ranker: rankers.get(best) as PolicyRanker,
  };
}
