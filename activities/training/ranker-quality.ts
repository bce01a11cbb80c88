/**
 * What makes the ranker's scores mean something, and how that is measured:
 *
 * - calibrateRanker: Platt scaling per policy, fitted on a validation split the models never saw,
 *   so a score is a probability (measured by the Brier score), not a saturated 1.000;
 * - popularityRanker: the baseline with no features at all — per kind, the policies that deny
 *   most often in training (smoothed towards their overall rate), as probabilities;
 * - plattRanker: any ranker's scores mapped to probabilities by one Platt scaling (the heuristic);
 * - rankerQuality: the metrics every ranker is reported with, on the same rows — hit@k, MRR,
 *   precision@k and recall@k over the labelled rows (evaluateRanker) and over every row, clean
 *   manifests included (a policy counts as predicted when it is in the top k with probability ≥
 *   0.5), the Brier score over every (row, policy) pair and over the top k, and the share of rows
 *   whose top k is tied (all equal at the 4 decimals the CLI and API show).
 *
 * Pure and deterministic.
 */
import { ModelError, sigmoid } from './models';
import {
  evaluateRanker,
  logit,
  type PolicyInfo,
  PolicyRanker,
  type RankedPolicy,
  type Ranker,
  type RankerExample,
  rankFrom,
} from './ranker';

export interface PlattParameters {
  a: number;
  b: number;
}

/**
 * Platt scaling p = sigmoid(a·x + b), fitted by Newton's method on the log-loss with Platt's
 * smoothed targets ((N₊+1)/(N₊+2) and 1/(N₋+2): never exactly 0 or 1) plus a Gaussian prior
 * `prior/2 · ((a − 1)² + b²)` centred on the identity (for x a logit, p = the raw probability), so
 * a policy with few validation rows keeps close to its raw scores.
 */
export function fitPlatt(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: { prior?: number; iterations?: number } = {},
): PlattParameters {
  if (x.length !== y.length) throw new ModelError(`fitPlatt: ${x.length} scores but ${y.length} labels`);
  const lambda = options.prior ?? 1;
  const n = x.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (y[i]) positives++;
  const high = (positives + 1) / (positives + 2);
  const low = 1 / (n - positives + 2);
  const target = (i: number) => (y[i] ? high : low);
  const loss = (a: number, b: number) => {
    let sum = (lambda / 2) * ((a - 1) ** 2 + b * b);
    for (let i = 0; i < n; i++) {
      const z = a * (x[i] as number) + b;
      const t = target(i);
      // log(1 + e^z) − t·z, computed without overflow
      sum += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t * z;
    }
    return sum;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let iteration = 0; iteration < (options.iterations ?? 100); iteration++) {
    let ga = lambda * (a - 1);
    let gb = lambda * b;
    let haa = lambda;
    let hab = 0;
    let hbb = lambda;
    for (let i = 0; i < n; i++) {
      const xi = x[i] as number;
      const p = sigmoid(a * xi + b);
      const r = p - target(i);
      const w = p * (1 - p);
      ga += r * xi;
      gb += r;
      haa += w * xi * xi;
      hab += w * xi;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    // backtracking: the full Newton step can overshoot on separable data
    let step = 1;
    let next = loss(a - da, b - db);
    while (next > current && step > 1e-8) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (next > current) break;
    a -= step * da;
    b -= step * db;
    const gain = current - next;
    current = next;
    if (gain < 1e-10 * (1 + Math.abs(current))) break;
  }
  return { a, b };
}

/** The kind of a feature row, as the rankers read it. */
const kindOf = (row: RankerExample['features'], kindFeature = 'kind') => String(row[kindFeature] ?? '');

/** Whether a policy with these kinds applies to `kind`. */
const applies = (kinds: readonly string[] | undefined, kind: string) => !kinds || kinds.includes('*') || kinds.includes(kind);

/**
 * The ranker with a Platt scaling per policy fitted on `validation` (rows the models were not
 * trained on): only the rows whose kind the policy applies to take part.
 */
export function calibrateRanker(
  ranker: PolicyRanker,
  validation: readonly RankerExample[],
  options: { prior?: number } = {},
): PolicyRanker {
  if (validation.length === 0) throw new ModelError('calibrateRanker: no validation rows');
  const model = ranker.model;
  const raw = validation.map((e) => ranker.rawScores(e.features));
  const denied = validation.map((e) => new Set(e.deny));
  const kindFeature = model.kindFeature ?? 'kind';
  const policies = model.policies.map((policy, i) => {
    const x: number[] = [];
    const y: number[] = [];
    validation.forEach((example, j) => {
      if (!applies(policy.kinds, kindOf(example.features, kindFeature))) return;
      x.push(logit((raw[j] as Float64Array)[i] as number));
      y.push((denied[j] as Set<string>).has(policy.id) ? 1 : 0);
    });
    if (x.length === 0) return policy;
    return { ...policy, calibration: fitPlatt(x, y, options) };
  });
  return new PolicyRanker(ranker.encoder, { ...model, policies });
}

/** A ranker from a scoring function over a fixed policy list, ranking only the policies that apply to the row's kind. */
function gatedRanker(
  info: readonly PolicyInfo[],
  score: (row: RankerExample['features']) => Float64Array,
  tieBreak: ArrayLike<number>,
  kindFeature: string,
): Ranker {
  const ids = info.map((p) => p.id);
  const severity = new Map(info.flatMap((p) => (p.severity ? [[p.id, p.severity] as const] : [])));
  return {
    policies: ids,
    scores: score,
    rank(row, k): RankedPolicy[] {
      const kind = kindOf(row, kindFeature);
      return rankFrom(ids, score(row), tieBreak, k, (i) => applies(info[i]?.kinds, kind)).map((r) =>
        severity.has(r.id) ? { ...r, severity: severity.get(r.id) as string } : r,
      );
    },
  };
}

/**
 * Per-kind popularity: P(policy denies | kind) estimated by counting training rows of that kind,
 * smoothed towards the policy's rate over all rows (`smoothing` pseudo-rows); policies that do not
 * apply to the kind score 0 and are not ranked. Ties: the overall rate, then the id.
 */
export function popularityRanker(
  train: readonly RankerExample[],
  info: readonly PolicyInfo[],
  options: { kindFeature?: string; smoothing?: number } = {},
): Ranker {
  if (train.length === 0) throw new ModelError('popularityRanker: no training rows');
  const kindFeature = options.kindFeature ?? 'kind';
  const m = options.smoothing ?? 1;
  const index = new Map(info.map((p, i) => [p.id, i]));
  const overall = new Float64Array(info.length);
  const perKind = new Map<string, { rows: number; counts: Float64Array }>();
  for (const example of train) {
    const kind = kindOf(example.features, kindFeature);
    let entry = perKind.get(kind);
    if (!entry) {
      entry = { rows: 0, counts: new Float64Array(info.length) };
      perKind.set(kind, entry);
    }
    entry.rows++;
    for (const id of example.deny) {
      const i = index.get(id);
      if (i === undefined) continue;
      entry.counts[i] = (entry.counts[i] as number) + 1;
      overall[i] = (overall[i] as number) + 1;
    }
  }
  for (let i = 0; i < overall.length; i++) overall[i] = (overall[i] as number) / train.length;
  const cache = new Map<string, Float64Array>();
  const score = (row: RankerExample['features']) => {
    const kind = kindOf(row, kindFeature);
    let scores = cache.get(kind);
    if (!scores) {
      const entry = perKind.get(kind);
      scores = Float64Array.from(info, (p, i) =>
        applies(p.kinds, kind) ? ((entry?.counts[i] ?? 0) + m * (overall[i] as number)) / ((entry?.rows ?? 0) + m) : 0,
      );
      cache.set(kind, scores);
    }
    return Float64Array.from(scores);
  };
  return gatedRanker(info, score, overall, kindFeature);
}

/** `base` with its scores mapped to probabilities by one Platt scaling fitted on every (row, policy) pair of `train`. */
export function plattRanker(base: Ranker, train: readonly RankerExample[]): Ranker {
  if (train.length === 0) throw new ModelError('plattRanker: no training rows');
  const x: number[] = [];
  const y: number[] = [];
  for (const example of train) {
    const scores = base.scores(example.features);
    const denied = new Set(example.deny);
    base.policies.forEach((id, i) => {
      x.push(scores[i] as number);
      y.push(denied.has(id) ? 1 : 0);
    });
  }
  const { a, b } = fitPlatt(x, y, { prior: 0 });
  const map = (s: number) => sigmoid(a * s + b);
  return {
    policies: base.policies,
    scores: (row) => Float64Array.from(base.scores(row), map),
    rank: (row, k) => base.rank(row, k).map((r) => ({ ...r, score: map(r.score) })),
  };
}

export interface QualityOptions {
  /** the k of the every-row metrics and of the tie share (default 5) */
  k?: number;
  /** a policy in the top k is predicted when its probability is at least this (default 0.5) */
  threshold?: number;
  /** decimals at which scores count as tied (default 4: what the CLI and the API show) */
  decimals?: number;
}

/**
 * Every metric the ranker is reported with, for any ranker on any rows (see the module comment).
 * Metrics over labelled rows only are left out when no row is labelled.
 */
export function rankerQuality(ranker: Ranker, examples: readonly RankerExample[], options: QualityOptions = {}): Record<string, number> {
  if (examples.length === 0) throw new ModelError('rankerQuality: no rows');
  const k = options.k ?? 5;
  const threshold = options.threshold ?? 0.5;
  const scale = 10 ** (options.decimals ?? 4);
  let squared = 0;
  let pairs = 0;
  let topSquared = 0;
  let topPairs = 0;
  let predicted = 0;
  let truePositives = 0;
  let relevant = 0;
  let clean = 0;
  let cleanFlagged = 0;
  let tiedAll = 0;
  let tiedAny = 0;
  let rankable = 0;
  for (const example of examples) {
    const denied = new Set(example.deny);
    const scores = ranker.scores(example.features);
    ranker.policies.forEach((id, i) => {
      squared += ((scores[i] as number) - (denied.has(id) ? 1 : 0)) ** 2;
      pairs++;
    });
    // a denying policy the ranker does not know counts as predicted 0
    for (const id of denied) {
      if (ranker.policies.includes(id)) continue;
      squared += 1;
      pairs++;
    }
    const top = ranker.rank(example.features, k);
    let flagged = 0;
    for (const r of top) {
      const hit = denied.has(r.id);
      topSquared += (r.score - (hit ? 1 : 0)) ** 2;
      topPairs++;
      if (r.score >= threshold) {
        flagged++;
        if (hit) truePositives++;
      }
    }
    predicted += flagged;
    relevant += denied.size;
    if (denied.size === 0) {
      clean++;
      if (flagged > 0) cleanFlagged++;
    }
    if (top.length >= 2) {
      rankable++;
      const shown = top.map((r) => Math.round(r.score * scale));
      if (shown.every((s) => s === shown[0])) tiedAll++;
      if (new Set(shown).size < shown.length) tiedAny++;
    }
  }
  const labelled = examples.some((e) => e.deny.length > 0) ? evaluateRanker(ranker, examples).metrics : {};
  return {
    ...labelled,
    rows: examples.length,
    clean_rows: clean,
    brier: squared / pairs,
    [`brier_top${k}`]: topPairs ? topSquared / topPairs : 0,
    [`precision_all_at_${k}`]: predicted ? truePositives / predicted : 0,
    [`recall_all_at_${k}`]: relevant ? truePositives / relevant : 0,
    clean_flagged_share: clean ? cleanFlagged / clean : 0,
    [`tie_share_top${k}`]: rankable ? tiedAll / rankable : 0,
    [`tie_share_top${k}_any`]: rankable ? tiedAny / rankable : 0,
  };
}
