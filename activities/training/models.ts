/**
 * The model forms every family stores and predicts with, and the trainers that produce them.
 *
 * Stored forms (zod schemas; plain JSON, so a loaded model predicts exactly what the trained one did):
 * - `linear`: w·x + b, through the logistic function (`link: 'logistic'`) or not (`'identity'`);
 * - `trees`: an ensemble of compact binary trees (parallel arrays, preorder); the prediction is the
 *   mean of the leaves reached (class-1 share for classifiers, mean target for regression). A split
 *   sends x[feature] < threshold left, as ml-cart does;
 * - `constant`: one value for every input (e.g. a policy never denied in training scores 0).
 *
 * Trainers: our own mini-batch logistic regression (Adam, L2, seeded shuffles), ml-cart trees and
 * ml-random-forest ensembles converted to the compact form, closed-form ridge regression (ml-matrix),
 * and ml-logistic-regression (kept only to measure it against ours).
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { z } from 'zod';
import {
  type CartNode,
  type CartOptions,
  DecisionTreeClassifier,
  DecisionTreeRegression,
  LibraryLogisticRegression,
  RandomForestClassifier,
  RandomForestRegression,
} from './ml-libs';

export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

export const linearModelSchema = z.object({
  type: z.literal('linear'),
  link: z.enum(['logistic', 'identity']),
  weights: z.array(z.number()),
  bias: z.number(),
});
export type LinearModel = z.infer<typeof linearModelSchema>;

export const compactTreeSchema = z
  .object({
    /** split column per node; -1 marks a leaf */
    feature: z.array(z.number().int().min(-1)),
    threshold: z.array(z.number()),
    left: z.array(z.number().int().min(-1)),
    right: z.array(z.number().int().min(-1)),
    /** leaf value (0 for inner nodes) */
    value: z.array(z.number()),
  })
  .superRefine((tree, ctx) => {
    const n = tree.feature.length;
    if (n === 0) ctx.addIssue({ code: 'custom', message: 'a tree needs at least one node' });
    for (const key of ['threshold', 'left', 'right', 'value'] as const) {
      if (tree[key].length !== n) ctx.addIssue({ code: 'custom', path: [key], message: `expected ${n} entries, got ${tree[key].length}` });
    }
    for (let i = 0; i < n; i++) {
      if ((tree.feature[i] as number) < 0) continue;
      const l = tree.left[i] as number;
      const r = tree.right[i] as number;
      // children come after their parent in preorder, so every walk ends
      if (!(l > i && l < n && r > i && r < n))
        ctx.addIssue({ code: 'custom', path: ['left', i], message: `node ${i} has invalid children ${l}, ${r}` });
    }
  });
export type CompactTree = z.infer<typeof compactTreeSchema>;

export const treeEnsembleSchema = z.object({ type: z.literal('trees'), trees: z.array(compactTreeSchema).min(1) });
export type TreeEnsemble = z.infer<typeof treeEnsembleSchema>;

export const constantModelSchema = z.object({ type: z.literal('constant'), value: z.number() });
export type ConstantModel = z.infer<typeof constantModelSchema>;

export const scoringModelSchema = z.discriminatedUnion('type', [linearModelSchema, treeEnsembleSchema, constantModelSchema]);
export type ScoringModel = z.infer<typeof scoringModelSchema>;

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function predictTree(tree: CompactTree, x: ArrayLike<number>): number {
  let node = 0;
  let f = tree.feature[0] as number;
  while (f >= 0) {
    node = (x[f] as number) < (tree.threshold[node] as number) ? (tree.left[node] as number) : (tree.right[node] as number);
    f = tree.feature[node] as number;
  }
  return tree.value[node] as number;
}

/** The model's prediction for one encoded row (a probability for classifiers). */
export function predictModel(model: ScoringModel, x: ArrayLike<number>): number {
  switch (model.type) {
    case 'constant':
      return model.value;
    case 'linear': {
      let z = model.bias;
      const w = model.weights;
      for (let j = 0; j < w.length; j++) z += (w[j] as number) * (x[j] as number);
      return model.link === 'logistic' ? sigmoid(z) : z;
    }
    case 'trees': {
      let sum = 0;
      for (const tree of model.trees) sum += predictTree(tree, x);
      return sum / model.trees.length;
    }
  }
}

/** Number of input columns a model reads (linear: its weights; trees: max split column + 1). */
export function modelWidth(model: ScoringModel): number {
  if (model.type === 'linear') return model.weights.length;
  if (model.type === 'constant') return 0;
  let max = -1;
  for (const tree of model.trees) for (const f of tree.feature) if (f > max) max = f;
  return max + 1;
}

// ---------------------------------------------------------------------------------------------
// Input checks and a seeded generator
// ---------------------------------------------------------------------------------------------

function checkXy(what: string, x: readonly (readonly number[])[], y: readonly number[]): number {
  if (x.length === 0) throw new ModelError(`${what}: no training rows`);
  if (x.length !== y.length) throw new ModelError(`${what}: ${x.length} rows but ${y.length} targets`);
  const d = (x[0] as readonly number[]).length;
  x.forEach((row, i) => {
    if (row.length !== d) throw new ModelError(`${what}: row ${i} has ${row.length} columns, row 0 has ${d}`);
  });
  y.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new ModelError(`${what}: target ${i} is not a finite number (${v})`);
  });
  return d;
}

function checkBinary(what: string, y: readonly number[]): void {
  y.forEach((v, i) => {
    if (v !== 0 && v !== 1) throw new ModelError(`${what}: target ${i} must be 0 or 1, got ${v}`);
  });
}

/** splitmix32: a small seeded generator for shuffles (deterministic across platforms). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
}

// ---------------------------------------------------------------------------------------------
// Logistic regression (ours): mini-batch Adam on the mean log-loss + L2/2·|w|² (bias not penalised)
// ---------------------------------------------------------------------------------------------

export interface LogisticOptions {
  /** passes over the data; default 30 */
  epochs?: number;
  /** default 256 */
  batchSize?: number;
  /** Adam step size; default 0.05 */
  learningRate?: number;
  /** L2 penalty on the weights; default 1e-4 */
  l2?: number;
  /** shuffle seed; default 1 */
  seed?: number;
}

export function fitLogisticRegression(x: readonly (readonly number[])[], y: readonly number[], options: LogisticOptions = {}): LinearModel {
  const d = checkXy('logistic regression', x, y);
  checkBinary('logistic regression', y);
  const epochs = options.epochs ?? 30;
  const batchSize = options.batchSize ?? 256;
  const lr = options.learningRate ?? 0.05;
  const l2 = options.l2 ?? 1e-4;
  const n = x.length;
  const flat = new Float64Array(n * d);
  x.forEach((row, i) => {
    flat.set(row, i * d);
  });
  const positives = y.reduce((a, b) => a + b, 0);
  if (positives === 0 || positives === n) {
    // one class only: the MLE is the constant; keep the linear form with zero weights
    return { type: 'linear', link: 'logistic', weights: new Array<number>(d).fill(0), bias: positives === 0 ? -30 : 30 };
  }
  const w = new Float64Array(d);
  const base = positives / n;
  let b = Math.log(base / (1 - base));
  const mW = new Float64Array(d);
  const vW = new Float64Array(d);
  let mB = 0;
  let vB = 0;
  const g = new Float64Array(d);
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  let t = 0;
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const random = seededRandom(options.seed ?? 1);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const tmp = order[i] as number;
      order[i] = order[j] as number;
      order[j] = tmp;
    }
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      g.fill(0);
      let gB = 0;
      for (let k = start; k < end; k++) {
        const row = (order[k] as number) * d;
        let z = b;
        for (let j = 0; j < d; j++) z += (w[j] as number) * (flat[row + j] as number);
        const r = sigmoid(z) - (y[order[k] as number] as number);
        gB += r;
        for (let j = 0; j < d; j++) g[j] = (g[j] as number) + r * (flat[row + j] as number);
      }
      const m = end - start;
      t++;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (let j = 0; j < d; j++) {
        const grad = (g[j] as number) / m + l2 * (w[j] as number);
        mW[j] = beta1 * (mW[j] as number) + (1 - beta1) * grad;
        vW[j] = beta2 * (vW[j] as number) + (1 - beta2) * grad * grad;
        w[j] = (w[j] as number) - (lr * ((mW[j] as number) / c1)) / (Math.sqrt((vW[j] as number) / c2) + eps);
      }
      const gradB = gB / m;
      mB = beta1 * mB + (1 - beta1) * gradB;
      vB = beta2 * vB + (1 - beta2) * gradB * gradB;
      b -= (lr * (mB / c1)) / (Math.sqrt(vB / c2) + eps);
    }
  }
  return { type: 'linear', link: 'logistic', weights: Array.from(w), bias: b };
}

/**
 * ml-logistic-regression's two-class trainer (full-batch gradient ascent on the summed gradient, no
 * intercept: a constant column is appended for one), as a linear model. Only for measuring it.
 */
export function fitLibraryLogisticRegression(
  x: readonly (readonly number[])[],
  y: readonly number[],
  options: { numSteps: number; learningRate: number },
): LinearModel {
  const d = checkXy('ml-logistic-regression', x, y);
  checkBinary('ml-logistic-regression', y);
  const model = new LibraryLogisticRegression(options);
  // the library trains one-vs-all with class 0 as "the one": its classifiers[0] scores "not class 0"
  model.train(new Matrix(x.map((row) => [...row, 1])), Matrix.columnVector([...y]));
  const weights = (model.classifiers[0] as unknown as { weights: Matrix }).weights.to1DArray();
  return { type: 'linear', link: 'logistic', weights: weights.slice(0, d), bias: weights[d] as number };
}

// ---------------------------------------------------------------------------------------------
// Trees (ml-cart, ml-random-forest) → compact form
// ---------------------------------------------------------------------------------------------

type TreeKind = 'classifier' | 'regression';

/** Converts a trained ml-cart tree; `columns` maps the tree's split columns to input columns (forests). */
export function compactFromCart(root: CartNode, kind: TreeKind, columns?: readonly number[]): CompactTree {
  const tree: CompactTree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const visit = (node: CartNode): number => {
    const at = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    if (node.left && node.right) {
      const column = node.splitColumn as number;
      tree.feature[at] = columns ? (columns[column] as number) : column;
      tree.threshold[at] = node.splitValue as number;
      tree.left[at] = visit(node.left);
      tree.right[at] = visit(node.right);
    } else {
      const d = node.distribution;
      if (d === undefined) throw new ModelError('ml-cart leaf without a distribution');
      if (kind === 'regression') tree.value[at] = typeof d === 'number' ? d : d.get(0, 0);
      // ml-cart sums 1/n per row, so a pure leaf can hold 1.0000000000000002: clamp to a probability
      else tree.value[at] = Math.min(1, Math.max(0, typeof d === 'number' ? d : d.columns > 1 ? d.get(0, 1) : 0));
    }
    return at;
  };
  visit(root);
  return tree;
}

/**
 * The rows a tree learner trains on, and how to undo the sampling in its leaves.
 *
 * ml-cart's cost grows with the square of the rows: it proposes a split wherever the class changes
 * between neighbours in value order, and its Gini impurity finds the classes of an array with
 * `indexOf` per element. Two measures keep it usable on thousands of manifests:
 * - the majority class is subsampled (seeded) so at most `maxRows` rows remain (all of the minority
 *   class stay); each leaf's class-1 share s is then mapped back to the full data's rate, exactly
 *   as if every dropped row had gone to the leaf in proportion (p = s / (s + (1 − s) / r) when the
 *   negatives were kept at rate r, and the mirror image when the positives were);
 * - rows are put in class order: among rows with the same value ml-cart keeps the input order, so
 *   each run of equal values changes class at most once. The partitions of the training rows that
 *   can be chosen are the same as in any other order; only a threshold may sit on the upper value
 *   instead of the midpoint.
 */
function treeTrainingRows(
  x: readonly (readonly number[])[],
  y: readonly number[],
  maxRows: number,
  seed: number,
): { x: number[][]; y: number[]; correct: (share: number) => number } {
  const positives: number[] = [];
  const negatives: number[] = [];
  y.forEach((v, i) => {
    (v === 1 ? positives : negatives).push(i);
  });
  const majorityIsNegative = negatives.length >= positives.length;
  const majority = majorityIsNegative ? negatives : positives;
  const minority = majorityIsNegative ? positives : negatives;
  const keep = Math.min(majority.length, Math.max(maxRows - minority.length, minority.length));
  let kept = majority;
  if (keep < majority.length) {
    const random = seededRandom(seed);
    const pool = [...majority];
    for (let i = 0; i < keep; i++) {
      const j = i + Math.floor(random() * (pool.length - i));
      const tmp = pool[i] as number;
      pool[i] = pool[j] as number;
      pool[j] = tmp;
    }
    kept = pool.slice(0, keep).sort((a, b) => a - b);
  }
  const rate = kept.length / majority.length;
  const order = majorityIsNegative ? [...kept, ...minority] : [...minority, ...kept];
  order.sort((a, b) => (y[a] as number) - (y[b] as number) || a - b);
  const correct =
    rate === 1
      ? (s: number) => s
      : majorityIsNegative
        ? (s: number) => (s === 0 ? 0 : s / (s + (1 - s) / rate))
        : (s: number) => (s === 0 ? 0 : s / rate / (s / rate + (1 - s)));
  return { x: order.map((i) => [...(x[i] as readonly number[])]), y: order.map((i) => y[i] as number), correct };
}

function correctLeaves(tree: CompactTree, correct: (share: number) => number): CompactTree {
  return { ...tree, value: tree.value.map((v, i) => (tree.feature[i] === -1 ? Math.min(1, Math.max(0, correct(v))) : v)) };
}

export interface TreeOptions {
  /** default 8 */
  maxDepth?: number;
  /** a node with this many rows or fewer becomes a leaf; default 5 */
  minNumSamples?: number;
  /** least Gini gain to split (classifier); default 1e-4 */
  gainThreshold?: number;
  /** classifiers: subsample the majority class down to this many rows in all; default 2000 */
  maxRows?: number;
  /** seed of the subsample; default 1 */
  seed?: number;
}

function cartOptions(options: TreeOptions, kind: TreeKind): CartOptions {
  return {
    maxDepth: options.maxDepth ?? 8,
    minNumSamples: options.minNumSamples ?? 5,
    ...(kind === 'classifier' ? { gainThreshold: options.gainThreshold ?? 1e-4 } : {}),
  };
}

/**
 * The rows a tree learner of this kind trains on, after the input checks (named `what` in errors):
 * classifiers get the subsampled, class-ordered rows of treeTrainingRows and the correction of their
 * leaves; regression gets copies of all rows and leaves as they are.
 */
function treeRows(what: string, kind: TreeKind, x: readonly (readonly number[])[], y: readonly number[], options: TreeOptions) {
  const width = checkXy(what, x, y);
  if (kind === 'regression') return { width, x: x.map((row) => [...row]), y: [...y], leaves: (tree: CompactTree) => tree };
  checkBinary(what, y);
  const rows = treeTrainingRows(x, y, options.maxRows ?? 2000, options.seed ?? 1);
  return { width, x: rows.x, y: rows.y, leaves: (tree: CompactTree) => correctLeaves(tree, rows.correct) };
}

/** A tree trainer: training rows, their targets (0/1 for classifiers) and options. */
type TreeTrainer<O> = (x: readonly (readonly number[])[], y: readonly number[], options?: O) => TreeEnsemble;

const cartTrainer =
  (kind: TreeKind): TreeTrainer<TreeOptions> =>
  (x, y, options = {}) => {
    const rows = treeRows(kind === 'classifier' ? 'CART' : 'CART regression', kind, x, y, options);
    const tree =
      kind === 'classifier'
        ? new DecisionTreeClassifier(cartOptions(options, kind))
        : new DecisionTreeRegression(cartOptions(options, kind));
    tree.train(rows.x, rows.y);
    return { type: 'trees', trees: [rows.leaves(compactFromCart(tree.root, kind))] };
  };

/** A single CART classification tree (ml-cart), as a one-tree ensemble of class-1 probabilities. */
export const fitCartClassifier = cartTrainer('classifier');
/** A single CART regression tree (ml-cart). */
export const fitCartRegressor = cartTrainer('regression');

export interface ForestTrainOptions extends TreeOptions {
  /** default 10 */
  trees?: number;
  /** share of the columns each tree sees (sampled without replacement); default 0.7 */
  maxFeatures?: number;
  /**
   * bootstrap the rows of each tree; default true for regression, false for classification
   * (a bootstrap sample is in random order, which undoes the class order that keeps ml-cart fast:
   * measured 336 s for one policy's 10 trees on 8,000 manifests), so classifier trees differ by
   * their columns only (random subspaces)
   */
  bootstrap?: boolean;
}

function forestSettings(options: ForestTrainOptions, width: number, kind: TreeKind) {
  const share = options.maxFeatures ?? 0.7;
  if (!(share > 0 && share <= 1)) throw new ModelError(`random forest: maxFeatures must be a share in (0, 1], got ${share}`);
  return {
    nEstimators: options.trees ?? 10,
    // ml-random-forest reads a number in (0, 1] as a share of the columns (rounded down); with too
    // few columns for the share to leave one, every tree sees all of them
    maxFeatures: Math.floor(width * share) >= 1 ? share : 1,
    replacement: false,
    seed: options.seed ?? 1,
    useSampleBagging: options.bootstrap ?? kind === 'regression',
    noOOB: true,
    treeOptions: cartOptions(options, kind),
  };
}

const forestTrainer =
  (kind: TreeKind): TreeTrainer<ForestTrainOptions> =>
  (x, y, options = {}) => {
    const rows = treeRows(kind === 'classifier' ? 'random forest' : 'random forest regression', kind, x, y, options);
    const settings = forestSettings(options, rows.width, kind);
    const model =
      kind === 'classifier' ? new RandomForestClassifier(settings) : new RandomForestRegression({ ...settings, selectionMethod: 'mean' });
    model.train(rows.x, rows.y);
    return { type: 'trees', trees: model.estimators.map((tree, i) => rows.leaves(compactFromCart(tree.root, kind, model.indexes[i]))) };
  };

/** A random forest of classification trees (ml-random-forest); the score is the mean leaf probability. */
export const fitForestClassifier = forestTrainer('classifier');
/** A random forest of regression trees (ml-random-forest, mean of the trees). */
export const fitForestRegressor = forestTrainer('regression');

// ---------------------------------------------------------------------------------------------
// Ridge regression, closed form: (XcᵀXc + λI) w = Xcᵀyc on centred data; the intercept is not penalised
// ---------------------------------------------------------------------------------------------

export function fitRidge(x: readonly (readonly number[])[], y: readonly number[], lambda = 1): LinearModel {
  const d = checkXy('ridge regression', x, y);
  if (!(lambda > 0)) throw new ModelError(`ridge regression: lambda must be > 0, got ${lambda}`);
  const n = x.length;
  const means = new Array<number>(d).fill(0);
  for (const row of x) for (let j = 0; j < d; j++) means[j] = (means[j] as number) + (row[j] as number) / n;
  const yMean = y.reduce((a, b) => a + b, 0) / n;
  const xc = new Matrix(x.map((row) => row.map((v, j) => v - (means[j] as number))));
  const yc = Matrix.columnVector(y.map((v) => v - yMean));
  const xt = xc.transpose();
  const gram = xt.mmul(xc);
  for (let j = 0; j < d; j++) gram.set(j, j, gram.get(j, j) + lambda);
  const chol = new CholeskyDecomposition(gram);
  if (!chol.isPositiveDefinite()) throw new ModelError('ridge regression: the regularised Gram matrix is not positive definite');
  const weights = chol.solve(xt.mmul(yc)).to1DArray();
  const bias = yMean - weights.reduce((sum, w, j) => sum + w * (means[j] as number), 0);
  return { type: 'linear', link: 'identity', weights, bias };
}
