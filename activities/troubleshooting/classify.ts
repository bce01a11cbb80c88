/**
 * Failure classifier: what kind of failure an admission denial, an `opa` error, an audit result or
 * a CI-log excerpt shows. Two parts, combined:
 *
 * - rules: ordered regular expressions over the text (OPA error codes, the API server's phrases);
 *   the first that matches decides;
 * - a learned text model: multinomial naive Bayes over word unigrams and bigrams (numbers, ids and
 *   quoted names masked), trained on the failure log's denial messages (all `policy_violation`;
 *   the log has no other class) plus the labelled texts written for this project
 *   (datasets/ci-logs/failure-texts.jsonl, every other class).
 *
 * `classifyFailure` uses the rules when one fires and the model otherwise. Pure, deterministic.
 */
import { z } from 'zod';
import { readJsonl } from '../../datasets/load';
import { FAILURE_LOG_FILE, FAILURE_TEXTS_FILE } from '../../datasets/paths';
import { failureRecordSchema } from '../../datasets/schemas';
import { type ClassificationReport, classificationReport } from '../training/metrics';
import { stableUnit, trainTestSplit } from '../training/split';

export const FAILURE_CLASSES = [
  'policy_violation',
  'rego_compile_error',
  'rego_eval_error',
  'webhook_timeout',
  'missing_inventory_data',
  'schema_mismatch',
  'image_pull',
  'rbac_forbidden',
  'quota_exceeded',
  'other',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** One labelled failure text (datasets/ci-logs/failure-texts.jsonl). */
export const failureTextSchema = z.object({
  id: z.string().min(1),
  source: z.enum(['admission', 'opa', 'audit', 'ci']),
  label: z.enum(FAILURE_CLASSES),
  text: z.string().min(5),
});
export type FailureText = z.infer<typeof failureTextSchema>;

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

export interface FailureRule {
  id: string;
  label: FailureClass;
  pattern: RegExp;
}

/** Ordered: the first match wins, so the specific ones come before the broad ones. */
export const FAILURE_RULES: readonly FailureRule[] = [
  {
    id: 'opa-parse-compile',
    label: 'rego_compile_error',
    pattern: /rego_(parse|compile|type|recursion|unsafe_var)_error|could not compile rego/i,
  },
  {
    id: 'opa-eval',
    label: 'rego_eval_error',
    pattern: /eval_(conflict|builtin|type|cancel)_error|query evaluation timed out|evaluation deadline/i,
  },
  {
    id: 'inventory',
    label: 'missing_inventory_data',
    pattern: /data\.inventory|inventory\.json|syncOnly|sync config|referential data|replicated cache/i,
  },
  {
    id: 'webhook-call',
    label: 'webhook_timeout',
    pattern: /failed calling webhook|failed to call webhook|webhook did not respond|admission webhook .* timed out/i,
  },
  {
    id: 'quota',
    label: 'quota_exceeded',
    pattern: /exceeded quota|failed quota|Insufficient (cpu|memory)|(maximum|minimum) (cpu|memory) usage per Container/i,
  },
  {
    id: 'image-pull',
    label: 'image_pull',
    pattern: /ImagePullBackOff|ErrImagePull|Failed to pull image|pull rate limit|manifest unknown|InvalidImageName|Back-off pulling image/i,
  },
  {
    id: 'rbac',
    label: 'rbac_forbidden',
    pattern: /cannot (get|list|watch|create|patch|update|delete) resource|attempting to grant RBAC|\(Unauthorized\)|RBAC: access denied/i,
  },
  {
    id: 'schema',
    label: 'schema_mismatch',
    pattern:
      /unknown field|strict decoding error|no matches for kind|cannot unmarshal|ValidationError\(|field is immutable|does not validate/i,
  },
  {
    id: 'admission-deny',
    label: 'policy_violation',
    pattern: /denied the request|violates PodSecurity|would violate PodSecurity|^FAIL - |constraint \S+\/\S+:/im,
  },
];

export function ruleClass(text: string): FailureRule | undefined {
  return FAILURE_RULES.find((rule) => rule.pattern.test(text));
}

// ---------------------------------------------------------------------------------------------
// Text features and the naive Bayes model
// ---------------------------------------------------------------------------------------------

/** Lower-cased words with numbers, quoted strings, ids and paths masked; plus bigrams. */
export function textFeatures(text: string): string[] {
  const masked = text
    .toLowerCase()
    .replace(/"[^"\n]{0,200}"/g, ' qstr ')
    .replace(/sha256:[0-9a-f]+/g, ' digest ')
    .replace(/\b\d+(\.\d+)*\b/g, ' num ');
  const words = masked.split(/[^a-z_]+/).filter((w) => w.length > 1);
  const out = [...words];
  for (let i = 0; i + 1 < words.length; i++) out.push(`${words[i]} ${words[i + 1]}`);
  return out;
}

export const naiveBayesSchema = z.object({
  classes: z.array(z.enum(FAILURE_CLASSES)),
  logPrior: z.array(z.number()),
  /** token → log P(token | class) per class */
  logLikelihood: z.record(z.string(), z.array(z.number())),
  /** log P(unseen token | class) */
  logUnseen: z.array(z.number()),
});
export type NaiveBayesModel = z.infer<typeof naiveBayesSchema>;

export interface LabelledText {
  text: string;
  label: FailureClass;
}

export function trainNaiveBayes(examples: readonly LabelledText[], alpha = 0.5): NaiveBayesModel {
  const classes = FAILURE_CLASSES.filter((c) => examples.some((e) => e.label === c));
  const counts = classes.map(() => new Map<string, number>());
  const totals = classes.map(() => 0);
  const docs = classes.map(() => 0);
  const vocabulary = new Set<string>();
  for (const example of examples) {
    const k = classes.indexOf(example.label);
    docs[k] = (docs[k] ?? 0) + 1;
    // binary per document: repeated words in one long message do not dominate
    for (const token of new Set(textFeatures(example.text))) {
      vocabulary.add(token);
      counts[k]?.set(token, (counts[k]?.get(token) ?? 0) + 1);
      totals[k] = (totals[k] ?? 0) + 1;
    }
  }
  const v = vocabulary.size;
  // uniform prior: the training mix (how many examples were written per class) says nothing about real traffic
  const logPrior = classes.map(() => Math.log(1 / classes.length));
  const logLikelihood: Record<string, number[]> = {};
  for (const token of [...vocabulary].sort()) {
    logLikelihood[token] = classes.map((_, k) => Math.log(((counts[k]?.get(token) ?? 0) + alpha) / ((totals[k] ?? 0) + alpha * v)));
  }
  const logUnseen = classes.map((_, k) => Math.log(alpha / ((totals[k] ?? 0) + alpha * v)));
  return { classes, logPrior, logLikelihood, logUnseen };
}

export function predictNaiveBayes(model: NaiveBayesModel, text: string): { label: FailureClass; probabilities: Record<string, number> } {
  const scores = [...model.logPrior];
  for (const token of new Set(textFeatures(text))) {
    const ll = model.logLikelihood[token];
    if (!ll) continue; // unseen everywhere: adds the same to every class up to normalisation
    for (let k = 0; k < scores.length; k++) scores[k] = (scores[k] as number) + (ll[k] as number);
  }
  const max = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  const probabilities = Object.fromEntries(model.classes.map((c, k) => [c, (exp[k] as number) / sum]));
  let best = 0;
  for (let k = 1; k < scores.length; k++) if ((scores[k] as number) > (scores[best] as number)) best = k;
  return { label: model.classes[best] as FailureClass, probabilities };
}

// ---------------------------------------------------------------------------------------------
// Data, training, evaluation
// ---------------------------------------------------------------------------------------------

export interface FailureExample extends LabelledText {
  id: string;
  origin: 'failure_log' | 'written';
}

/**
 * The training examples: the written texts, and a deterministic sample of the failure log's denial
 * messages (`maxPolicyViolations`, default 120, so the one class the log holds does not swamp the
 * others; the sample is by a stable hash of the row id).
 */
export function loadFailureExamples(options: { maxPolicyViolations?: number } = {}): FailureExample[] {
  const written = readJsonl(FAILURE_TEXTS_FILE, failureTextSchema).map((t) => ({
    id: t.id,
    text: t.text,
    label: t.label,
    origin: 'written' as const,
  }));
  const log = readJsonl(FAILURE_LOG_FILE, failureRecordSchema)
    .map((r) => ({ r, h: stableUnit(r.id, 6) }))
    .sort((a, b) => a.h - b.h)
    .slice(0, options.maxPolicyViolations ?? 120)
    .map(({ r }) => ({ id: r.id, text: r.message, label: 'policy_violation' as const, origin: 'failure_log' as const }));
  return [...written, ...log];
}

/** Stratified split: testShare of each class (by a stable hash of the id) is held out. */
export function stratifiedSplit(
  examples: readonly FailureExample[],
  testShare = 0.3,
  seed = 20261123,
): { train: FailureExample[]; test: FailureExample[] } {
  const train: FailureExample[] = [];
  const test: FailureExample[] = [];
  for (const label of FAILURE_CLASSES) {
    const rows = examples.filter((e) => e.label === label);
    if (rows.length < 2) {
      train.push(...rows);
      continue;
    }
    const split = trainTestSplit(
      rows.map((r) => r.id),
      testShare,
      seed,
    );
    for (const i of split.train) train.push(rows[i] as FailureExample);
    for (const i of split.test) test.push(rows[i] as FailureExample);
  }
  return { train, test };
}

export interface FailureClassification {
  label: FailureClass;
  /** rule: a rule fired; model: the text model decided */
  by: 'rule' | 'model';
  rule?: string;
  confidence: number;
  /** the model's class probabilities */
  probabilities: Record<string, number>;
}

export class FailureClassifier {
  constructor(readonly model: NaiveBayesModel) {}

  classify(text: string, mode: 'combined' | 'rules' | 'model' = 'combined'): FailureClassification {
    const predicted = predictNaiveBayes(this.model, text);
    const rule = mode === 'model' ? undefined : ruleClass(text);
    if (rule) return { label: rule.label, by: 'rule', rule: rule.id, confidence: 0.95, probabilities: predicted.probabilities };
    if (mode === 'rules') return { label: 'other', by: 'rule', confidence: 0.3, probabilities: predicted.probabilities };
    return {
      label: predicted.label,
      by: 'model',
      confidence: predicted.probabilities[predicted.label] ?? 0,
      probabilities: predicted.probabilities,
    };
  }

  static train(examples: readonly LabelledText[]): FailureClassifier {
    return new FailureClassifier(trainNaiveBayes(examples));
  }
}

let defaultClassifier: FailureClassifier | undefined;

/** The classifier trained on every example (the failure log sample and the written texts), once per process. */
export function failureClassifier(): FailureClassifier {
  defaultClassifier ??= FailureClassifier.train(loadFailureExamples());
  return defaultClassifier;
}

export function classifyFailure(text: string): FailureClassification {
  if (text.trim() === '') throw new Error('classifyFailure: the failure text is empty');
  return failureClassifier().classify(text);
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  support: number;
}

export interface ClassifierEvaluation {
  train: number;
  test: number;
  accuracy: Record<'rules' | 'model' | 'combined', number>;
  macroF1: Record<'rules' | 'model' | 'combined', number>;
  perClass: Record<'rules' | 'model' | 'combined', Record<string, ClassMetrics>>;
}

/** Trains on the training split and scores rules, model and both on the held-out split. */
export function evaluateFailureClassifier(
  examples: readonly FailureExample[] = loadFailureExamples(),
  testShare = 0.3,
): ClassifierEvaluation {
  const { train, test } = stratifiedSplit(examples, testShare);
  const classifier = FailureClassifier.train(train);
  const actual = test.map((e) => e.label);
  const out = { train: train.length, test: test.length, accuracy: {}, macroF1: {}, perClass: {} } as ClassifierEvaluation;
  for (const mode of ['rules', 'model', 'combined'] as const) {
    const predicted = test.map((e) => classifier.classify(e.text, mode).label);
    const perClass: Record<string, ClassMetrics> = {};
    let f1Sum = 0;
    let report: ClassificationReport<FailureClass> | undefined;
    for (const c of FAILURE_CLASSES) {
      report = classificationReport(actual, predicted, c, FAILURE_CLASSES);
      perClass[c] = { precision: report.precision, recall: report.recall, support: report.support };
      f1Sum += report.f1;
    }
    out.accuracy[mode] = report?.accuracy ?? 0;
    out.macroF1[mode] = f1Sum / FAILURE_CLASSES.length;
    out.perClass[mode] = perClass;
  }
  return out;
}

/**
 * k-fold cross-validation (folds by a stable hash of the id): every example is predicted once by a
 * model that did not see it; metrics are over the pooled predictions.
 */
export function crossValidateFailureClassifier(examples: readonly FailureExample[] = loadFailureExamples(), k = 5, seed = 20261123) {
  const fold = examples.map((e) => Math.floor(stableUnit(e.id, seed) * k));
  const predicted: Record<'rules' | 'model' | 'combined', FailureClass[]> = { rules: [], model: [], combined: [] };
  const actual: FailureClass[] = [];
  for (let f = 0; f < k; f++) {
    const train = examples.filter((_, i) => fold[i] !== f);
    const test = examples.filter((_, i) => fold[i] === f);
    if (test.length === 0) continue;
    const classifier = FailureClassifier.train(train);
    for (const e of test) {
      actual.push(e.label);
      for (const mode of ['rules', 'model', 'combined'] as const) predicted[mode].push(classifier.classify(e.text, mode).label);
    }
  }
  const summary = (mode: 'rules' | 'model' | 'combined') => {
    const perClass: Record<string, ClassMetrics> = {};
    let f1 = 0;
    let acc = 0;
    for (const c of FAILURE_CLASSES) {
      const r = classificationReport(actual, predicted[mode], c, FAILURE_CLASSES);
      perClass[c] = { precision: r.precision, recall: r.recall, support: r.support };
      f1 += r.f1;
      acc = r.accuracy;
    }
    return { accuracy: acc, macroF1: f1 / FAILURE_CLASSES.length, perClass };
  };
  return { k, examples: actual.length, rules: summary('rules'), model: summary('model'), combined: summary('combined') };
}
