/**
 * Real labels for the fix-strategy model: explicit feedback → rows (latest outcome wins, revert
 * history replayed in time order), and implicit outcomes read from observations (a denial that
 * went away because the fields the policy reads changed, an exemption appeared, or the corpus
 * changed; nothing explained → not labelled).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { feedbackDecision, implicitOutcomes, type PolicyFacts, realFixRows } from '../../activities/observations/feedback-labels';
import { buildFeedback, buildObservation } from '../../activities/observations/record';
import type { Feedback, Observation } from '../../activities/observations/schemas';
import { rightDecision } from '../../activities/training/fix';
import { loadPolicyIndex, readJsonl } from '../../datasets/load';
import { FP_SCORES_FILE } from '../../datasets/paths';
import { type FailureRecord, fpMeasurementSchema } from '../../datasets/schemas';

const key = randomBytes(32);
const facts: PolicyFacts = {
  meta: new Map(loadPolicyIndex().map((m) => [m.id, m])),
  fp: new Map(readJsonl(FP_SCORES_FILE, fpMeasurementSchema).map((m) => [m.policy, m.fp_score])),
};
const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 12, minute)).toISOString();

function deployment(image: string, extra: { replicas?: number; annotations?: Record<string, string> } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      replicas: extra.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
    },
  };
}

function observed(minute: number, manifest: Record<string, unknown>, denied: string[] | null, corpus = 'corpus-a'): Observation {
  return buildObservation({ source: 'cli', manifest, denied, corpusDigest: corpus, time: at(minute) }, key);
}

function feedback(minute: number, outcome: Feedback['outcome'], extra: Partial<Parameters<typeof buildFeedback>[0]> = {}): Feedback {
  return buildFeedback({
    source: 'cli',
    outcome,
    policy: 'image-no-latest-tag',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace: 'shop',
    name: 'web',
    who: 'dev',
    time: at(minute),
    ...extra,
  });
}

describe('explicit feedback', () => {
  it('maps each outcome to the decision that was right', () => {
    const right = (outcome: Feedback['outcome'], strategy: string | null = null) => rightDecision(feedbackDecision({ outcome, strategy }));
    expect(right('accepted')).toBe('manifest_patch');
    expect(right('accepted', 'policy_change')).toBe('policy_change');
    expect(right('reverted')).toBe('policy_change');
    expect(right('reverted', 'policy_change')).toBe('manifest_patch');
    expect(right('policy_changed')).toBe('policy_change');
    expect(right('exempted')).toBe('policy_change');
  });

  it('keeps the latest outcome per policy and resource, counts earlier reverts, skips unknown policies', () => {
    const real = realFixRows({
      feedback: [
        feedback(3, 'exempted'),
        feedback(1, 'accepted'),
        feedback(2, 'reverted'),
        feedback(4, 'accepted', { policy: 'no-such-policy' }),
        feedback(5, 'accepted', { policy: 'pss-privileged', kind: 'DaemonSet', namespace: 'ops', name: 'agent' }),
      ],
      observations: [],
      facts,
    });
    expect(real.counts).toEqual({ feedback: 2, observed: 0 });
    expect(real.skipped).toMatchObject({ superseded: 2, unknownPolicy: 1 });
    const [web, agent] = real.rows;
    expect(web).toMatchObject({
      policy: 'image-no-latest-tag',
      resource: 'Deployment shop/web',
      source: 'feedback',
      developer_revert_history: 1,
    });
    expect(rightDecision(web as FailureRecord)).toBe('policy_change');
    expect(web?.fp_score).toBe(facts.fp.get('image-no-latest-tag'));
    expect(agent).toMatchObject({ severity: 'critical', failure_type: 'security_violation', developer_revert_history: 0, time: at(5) });
  });
});

describe('implicit feedback from observations', () => {
  it('a denial that went away after the fields the policy reads changed is an accepted manifest patch', () => {
    const result = implicitOutcomes(
      [
        observed(2, deployment('shop/web:1.2.0'), []),
        observed(0, deployment('shop/web:latest'), ['image-no-latest-tag']),
        observed(1, deployment('shop/web:latest'), ['image-no-latest-tag']),
      ],
      facts.meta,
    );
    expect(result.outcomes).toHaveLength(1);
    expect(result.outcomes[0]).toMatchObject({
      policy: 'image-no-latest-tag',
      kind: 'manifest_patch',
      changedFeatures: ['image_latest_count'],
    });
    // the last denial before the allow is the one paired with it
    expect(result.outcomes[0]?.denied.time).toBe(at(1));
  });

  it('an exemption annotation naming the policy is an exemption, whatever the verdict', () => {
    const exempted = deployment('shop/web:latest', {
      annotations: { 'kpc.io/exempt': 'image-no-latest-tag', 'kpc.io/exempt-reason': 'T-1' },
    });
    const result = implicitOutcomes(
      [observed(0, deployment('shop/web:latest'), ['image-no-latest-tag']), observed(1, exempted, ['image-no-latest-tag'])],
      facts.meta,
    );
    expect(result.outcomes.map((o) => o.kind)).toEqual(['exempted']);
  });

  it('the same manifest allowed after the corpus changed is a policy change; with no change it is not explained', () => {
    const manifest = deployment('shop/web:latest');
    const changed = implicitOutcomes([observed(0, manifest, ['image-no-latest-tag']), observed(1, manifest, [], 'corpus-b')], facts.meta);
    expect(changed.outcomes.map((o) => o.kind)).toEqual(['policy_changed']);
    const unexplained = implicitOutcomes([observed(0, manifest, ['image-no-latest-tag']), observed(1, manifest, [])], facts.meta);
    expect(unexplained).toMatchObject({ outcomes: [], unexplained: 1 });
  });

  it('a change in fields the policy does not read is not a patch of it', () => {
    // replicas changed, the image did not: the corpus changed, so it is a policy change, not a patch
    const result = implicitOutcomes(
      [
        observed(0, deployment('shop/web:latest', { replicas: 1 }), ['image-no-latest-tag']),
        observed(1, deployment('shop/web:latest', { replicas: 5 }), [], 'corpus-b'),
      ],
      facts.meta,
    );
    expect(result.outcomes.map((o) => o.kind)).toEqual(['policy_changed']);
  });

  it('skips observations that evaluated nothing, other objects and unknown policies', () => {
    const other = { ...deployment('shop/web:1.0.0'), metadata: { name: 'api', namespace: 'shop' } };
    const result = implicitOutcomes(
      [
        observed(0, deployment('shop/web:latest'), ['image-no-latest-tag', 'made-up-policy']),
        observed(1, deployment('shop/web:1.0.0'), null),
        observed(2, other, []),
      ],
      facts.meta,
    );
    expect(result).toEqual({ outcomes: [], unexplained: 0, unknownPolicy: 0 });
    const later = implicitOutcomes(
      [
        observed(0, deployment('shop/web:latest'), ['image-no-latest-tag', 'made-up-policy']),
        observed(3, deployment('shop/web:2.0.0'), []),
      ],
      facts.meta,
    );
    expect(later.outcomes.map((o) => o.policy)).toEqual(['image-no-latest-tag']);
    expect(later.unknownPolicy).toBe(1);
  });

  it('real rows: observed outcomes become rows unless explicit feedback covers the same policy and resource', () => {
    const observations = [
      observed(0, deployment('shop/web:latest'), ['image-no-latest-tag']),
      observed(1, deployment('shop/web:1.2.0'), []),
    ];
    const alone = realFixRows({ feedback: [], observations, facts });
    expect(alone.counts).toEqual({ feedback: 0, observed: 1 });
    expect(alone.rows[0]).toMatchObject({ source: 'observed', decision: 'manifest_patch', accepted: true, co_denials: 0, time: at(1) });
    const covered = realFixRows({ feedback: [feedback(2, 'reverted')], observations, facts });
    expect(covered.counts).toEqual({ feedback: 1, observed: 0 });
    expect(covered.skipped.coveredByFeedback).toBe(1);
  });
});
