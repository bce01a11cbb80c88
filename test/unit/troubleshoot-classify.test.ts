import { describe, expect, it } from 'vitest';
import {
  crossValidateFailureClassifier,
  FAILURE_CLASSES,
  FailureClassifier,
  failureTextSchema,
  loadFailureExamples,
  predictNaiveBayes,
  ruleClass,
  stratifiedSplit,
  textFeatures,
  trainNaiveBayes,
} from '../../activities/troubleshooting/classify';
import { readJsonl } from '../../datasets/load';
import { FAILURE_TEXTS_FILE } from '../../datasets/paths';

describe('failure rules', () => {
  it.each([
    ['policy.rego:14: rego_parse_error: unexpected assign token', 'rego_compile_error'],
    ['policy.rego:12: eval_conflict_error: complete rules must not produce multiple outputs', 'rego_eval_error'],
    ['Internal error occurred: failed calling webhook "validation.gatekeeper.sh": context deadline exceeded', 'webhook_timeout'],
    ['pods "x" is forbidden: exceeded quota: compute, requested: limits.cpu=2', 'quota_exceeded'],
    ['Back-off pulling image "nginx:1.25"', 'image_pull'],
    ['User "bob" cannot create resource "configmaps" in API group ""', 'rbac_forbidden'],
    ['strict decoding error: unknown field "spec.replicaz"', 'schema_mismatch'],
    ['admission webhook "kpc" denied the request: [pss-privileged] Pod shop/x: privileged', 'policy_violation'],
    ['constraint netpol-namespace-required needs data.inventory synced', 'missing_inventory_data'],
  ])('%s → %s', (text, label) => {
    expect(ruleClass(text)?.label).toBe(label);
  });

  it('leave texts no rule knows to the model', () => {
    expect(ruleClass('the night was dark and stormy')).toBeUndefined();
  });
});

describe('text features', () => {
  it('mask numbers and quoted names and add bigrams', () => {
    const features = textFeatures('Pod "web-1" uses 3 CPUs');
    expect(features).toContain('pod');
    expect(features).toContain('qstr');
    expect(features).toContain('num');
    expect(features).toContain('uses num');
    expect(features).not.toContain('web');
  });
});

describe('naive Bayes', () => {
  it('learns separable classes and gives probabilities that sum to 1', () => {
    const model = trainNaiveBayes([
      { text: 'image pull back-off for registry', label: 'image_pull' },
      { text: 'failed to pull image from registry', label: 'image_pull' },
      { text: 'exceeded quota limits cpu', label: 'quota_exceeded' },
      { text: 'quota exceeded for requests memory', label: 'quota_exceeded' },
    ]);
    const p = predictNaiveBayes(model, 'cannot pull image from the registry');
    expect(p.label).toBe('image_pull');
    expect(Object.values(p.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(predictNaiveBayes(model, 'memory quota exceeded').label).toBe('quota_exceeded');
  });
});

describe('the labelled failure texts and the combined classifier', () => {
  it('every written text is valid and every class has examples', () => {
    const texts = readJsonl(FAILURE_TEXTS_FILE, failureTextSchema);
    expect(new Set(texts.map((t) => t.id)).size).toBe(texts.length);
    const examples = loadFailureExamples();
    for (const c of FAILURE_CLASSES) expect(examples.filter((e) => e.label === c).length).toBeGreaterThanOrEqual(10);
  });

  it('the stratified split holds out every class and never overlaps', () => {
    const { train, test } = stratifiedSplit(loadFailureExamples());
    const trainIds = new Set(train.map((e) => e.id));
    expect(test.every((e) => !trainIds.has(e.id))).toBe(true);
    for (const c of FAILURE_CLASSES) expect(test.some((e) => e.label === c)).toBe(true);
  });

  it('rules plus the model beat each alone on held-out folds', () => {
    const cv = crossValidateFailureClassifier();
    expect(cv.combined.accuracy).toBeGreaterThan(cv.rules.accuracy);
    expect(cv.combined.accuracy).toBeGreaterThanOrEqual(cv.model.accuracy);
    expect(cv.combined.accuracy).toBeGreaterThan(0.8);
  });

  it('says whether a rule or the model decided', () => {
    const classifier = FailureClassifier.train(loadFailureExamples());
    expect(classifier.classify('rego_parse_error: unexpected }').by).toBe('rule');
    const byModel = classifier.classify('Deployment shop/web: container "app" (containers) does not set securityContext.runAsNonRoot');
    expect(byModel.by).toBe('model');
    expect(byModel.label).toBe('policy_violation');
  });
});
