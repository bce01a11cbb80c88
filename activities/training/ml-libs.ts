/**
 * The mljs learners, loaded through Node's require (they ship CommonJS; ml-cart has no type
 * declarations and ml-random-forest's are incomplete), typed here with just what training uses.
 * Trained trees are converted to our own compact form (models.ts) for inference and storage.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A node of a trained ml-cart tree (TreeNode): internal when both children exist. */
export interface CartNode {
  splitColumn?: number;
  splitValue?: number;
  left?: CartNode;
  right?: CartNode;
  /** classifier: a 1×classes ml-matrix row of class shares; regression: the mean target */
  distribution?: number | { columns: number; get(row: number, column: number): number };
}

export interface CartOptions {
  gainFunction?: 'gini' | 'regression';
  minNumSamples?: number;
  maxDepth?: number;
  gainThreshold?: number;
}

export interface CartTree {
  root: CartNode;
  train(x: number[][], y: number[]): void;
  predict(x: number[][]): number[];
}

export interface ForestOptions {
  nEstimators: number;
  maxFeatures: number;
  replacement: boolean;
  seed: number;
  useSampleBagging: boolean;
  noOOB: boolean;
  treeOptions: CartOptions;
  selectionMethod?: 'mean' | 'median';
}

export interface Forest {
  estimators: CartTree[];
  /** per estimator: the training columns it saw, in the order its splitColumn indexes them */
  indexes: number[][];
  train(x: number[][], y: number[]): void;
  predict(x: number[][]): number[];
}

const cart = require('ml-cart') as {
  DecisionTreeClassifier: new (options?: CartOptions) => CartTree;
  DecisionTreeRegression: new (options?: CartOptions) => CartTree;
};
const forest = require('ml-random-forest') as {
  RandomForestClassifier: new (options?: Partial<ForestOptions>) => Forest;
  RandomForestRegression: new (options?: Partial<ForestOptions>) => Forest;
};

export interface LibLogisticRegression {
  train(x: unknown, y: unknown): void;
  classifiers: { testScores(x: unknown): number[] }[];
}

const logreg = require('ml-logistic-regression') as {
  default?: new (options: { numSteps: number; learningRate: number }) => LibLogisticRegression;
} & (new (options: {
  numSteps: number;
  learningRate: number;
}) => LibLogisticRegression);

export const DecisionTreeClassifier = cart.DecisionTreeClassifier;
export const DecisionTreeRegression = cart.DecisionTreeRegression;
export const RandomForestClassifier = forest.RandomForestClassifier;
export const RandomForestRegression = forest.RandomForestRegression;
/** ml-logistic-regression (only used to measure it against our own trainer) */
export const LibraryLogisticRegression = logreg.default ?? logreg;
