/**
 * The offline generator's reading of an intent (activities/drafting/intent-rule.ts and the modules
 * it reads with): fields named by API name or by words, numbers with units, comparison words,
 * allow- and deny-lists, what a missing field means, conjunctions and disjunctions, container
 * lists, scopes, and a conflict between the intent and the examples. The wordings here are this
 * file's own; the held-out evaluation set (datasets/draft-requests/heldout) is never used in tests.
 */
import { describe, expect, it } from 'vitest';
import { constraintDenies } from '../../activities/drafting/candidate';
import { findMentions } from '../../activities/drafting/fields';
import { readIntentRule } from '../../activities/drafting/intent-rule';
import { deriveCandidates, generateOffline } from '../../activities/drafting/offline';
import { type Constraint, draftRequestSchema } from '../../activities/drafting/schemas';
import { readBound, readLiterals } from '../../activities/drafting/value-words';

const pod = (container: object = {}, spec: object = {}, metadata: object = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'shop', ...metadata },
  spec: { containers: [{ name: 'app', image: 'registry.internal.example/shop/app:1.0.0', ...container }], ...spec },
});
const request = (intent: string, extra: object = {}) => draftRequestSchema.parse({ intent, requester: 'me', ...extra });
const rule = (intent: string, extra: object = {}) => readIntentRule(request(intent, extra))?.constraint as Constraint;

describe('numbers and units', () => {
  it.each([
    ['must stay below 3Gi', 'quantity', { zone: 'lt', value: 3 * 2 ** 30 }],
    ['no more than 1.5 cores', 'quantity', { zone: 'lte', value: 1.5 }],
    ['above 750m', 'quantity', { zone: 'gt', value: 0.75 }],
    ['at most 2 hours', 'seconds', { zone: 'lte', value: 7200 }],
    ['8080 or higher', 'plain', { zone: 'gte', value: 8080, good: true }],
    ['at least twelve', 'plain', { zone: 'gte', value: 12 }],
  ] as const)('%s', (text, kind, expected) => {
    expect(readBound(text, kind)).toMatchObject(expected);
  });
  it('reads quoted values, identifiers and bare numbers, and leaves kinds and connectives out', () => {
    const values = readLiterals(' must be "gold" or Silver, never NET_ADMIN AND not set to 0').map((l) => l.value);
    expect(values).toEqual(['gold', 'Silver', 'NET_ADMIN', 0]);
  });
});

describe('fields an intent names', () => {
  it('finds API names, dotted paths, list paths and words', () => {
    const fields = (intent: string) => findMentions(intent, []).map((m) => `${m.fields[0]?.scope}:${m.fields[0]?.path.join('.')}`);
    expect(fields('shareProcessNamespace must stay off')).toEqual(['pod:shareProcessNamespace']);
    expect(fields('every volumeMounts[].readOnly must be true')).toEqual(['container:volumeMounts.*.readOnly']);
    expect(fields('no container may set a memory request')).toEqual(['container:resources.requests.memory']);
    expect(fields('the label `cost-center` must be present')).toEqual(['object:metadata.labels.cost-center']);
  });
});

describe('the rule an intent states', () => {
  it('takes the bound and the unit from the intent, not from the examples', () => {
    const c = rule('A container memory limit above 512Mi is not allowed.', {
      examples: { deny: [pod({ resources: { limits: { memory: '2Gi' } } })], allow: [pod({ resources: { limits: { memory: '256Mi' } } })] },
    });
    expect(c).toMatchObject({
      scope: 'container',
      path: ['resources', 'limits', 'memory'],
      operator: 'gt',
      value: 512 * 2 ** 20,
      unit: 'quantity',
    });
    expect(constraintDenies(c, pod({ resources: { limits: { memory: '600Mi' } } }))).toBe(true);
    expect(constraintDenies(c, pod({ resources: { limits: { memory: '0.5Gi' } } }))).toBe(false);
    expect(constraintDenies(c, pod())).toBe(false);
  });
  it('ignores a bracketed reference such as a ticket or a CI run', () => {
    expect(rule('Pods must not set nodeName [plat-1234-review]')).toMatchObject({ path: ['nodeName'], operator: 'present' });
  });
  it('turns "must be one of" into an allow-list and "must not be" into a deny-list', () => {
    expect(rule('The pod dnsPolicy must be one of "ClusterFirst" or "None".')).toMatchObject({
      operator: 'not-in',
      value: ['ClusterFirst', 'None'],
    });
    expect(rule('The pod dnsPolicy must not be "Default".')).toMatchObject({ operator: 'equals', value: 'Default' });
  });
  it('denies a missing field only when the intent says so', () => {
    const optional = rule('If a pod sets a priorityClassName it has to be either tier-one or tier-two; pods without one are fine.');
    expect(optional).toMatchObject({ operator: 'not-in', value: ['tier-one', 'tier-two'] });
    expect(optional.ifMissing).toBeUndefined();
    const required = rule('Every pod must set priorityClassName to either tier-one or tier-two. A pod without one is denied.');
    expect(required).toMatchObject({ operator: 'not-in', ifMissing: 'deny' });
    expect(constraintDenies(required, pod())).toBe(true);
    expect(constraintDenies(required, pod({}, { priorityClassName: 'tier-two' }))).toBe(false);
  });
  it('reads "unset counts as N" against the bound', () => {
    const c = rule('StatefulSets must run at least 3 replicas; an unset spec.replicas counts as 1.', { kinds: ['StatefulSet'] });
    expect(c).toMatchObject({ path: ['spec', 'replicas'], operator: 'lt', value: 3, ifMissing: 'deny' });
  });
  it('joins prohibitions with "or" as alternatives and requirements as violations of any', () => {
    const either = rule('Deny pods where hostNetwork is true or shareProcessNamespace is true.');
    expect(either.combine).toBe('any');
    expect(constraintDenies(either, pod({}, { shareProcessNamespace: true }))).toBe(true);
    expect(constraintDenies(either, pod({}, { hostNetwork: false }))).toBe(false);
    const both = rule('Every container must define both a startupProbe and a livenessProbe.');
    expect(both.combine).toBe('any');
    expect(constraintDenies(both, pod({ livenessProbe: { tcpSocket: { port: 1 } } }))).toBe(true);
  });
  it('joins conditions with AND when the intent says the violation needs both', () => {
    const c = rule('Deny any container that sets stdin: true AND sets tty: true.');
    expect(c.combine).toBe('all');
    expect(constraintDenies(c, pod({ stdin: true, tty: true }))).toBe(true);
    expect(constraintDenies(c, pod({ stdin: true }))).toBe(false);
  });
  it('keeps a scope as a condition of the rule ("Services of type NodePort need …")', () => {
    const c = rule('Services of type NodePort must set spec.externalTrafficPolicy to "Local".', { kinds: ['Service'] });
    expect(c.when?.[0]).toMatchObject({ path: ['spec', 'type'], operator: 'equals', value: 'NodePort' });
    const svc = (spec: object) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec });
    expect(constraintDenies(c, svc({ type: 'NodePort', externalTrafficPolicy: 'Cluster' }))).toBe(true);
    expect(constraintDenies(c, svc({ type: 'ClusterIP', externalTrafficPolicy: 'Cluster' }))).toBe(false);
  });
  it('covers every container list unless the intent restricts it', () => {
    const all = rule('No container may allocate a tty.');
    const init = pod({}, { initContainers: [{ name: 'i', image: 'x', tty: true }] });
    expect(constraintDenies(all, init)).toBe(true);
    const apps = rule('Application containers (spec.containers) must define a readinessProbe; init containers are exempt.');
    expect(apps.lists).toEqual(['containers']);
    expect(
      constraintDenies(apps, pod({ readinessProbe: { tcpSocket: { port: 1 } } }, { initContainers: [{ name: 'i', image: 'x' }] })),
    ).toBe(false);
  });
  it('binds conditions on one list element together ("a variable named X whose value is Y")', () => {
    const c = rule('Containers must not carry an environment variable named LOG_LEVEL whose value is "trace".');
    expect(constraintDenies(c, pod({ env: [{ name: 'LOG_LEVEL', value: 'trace' }] }))).toBe(true);
    expect(
      constraintDenies(
        c,
        pod({
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'OTHER', value: 'trace' },
          ],
        }),
      ),
    ).toBe(false);
  });
  it('falls back on the pod securityContext for a container security setting', () => {
    const c = rule(
      'Every container must run with runAsNonRoot: true, set on the container or inherited from the pod. Unset counts as false.',
    );
    expect(c).toMatchObject({ operator: 'not-equals', value: true, fallback: ['securityContext', 'runAsNonRoot'], ifMissing: 'deny' });
    expect(constraintDenies(c, pod({}, { securityContext: { runAsNonRoot: true } }))).toBe(false);
    expect(constraintDenies(c, pod({ securityContext: { runAsNonRoot: false } }, { securityContext: { runAsNonRoot: true } }))).toBe(true);
    expect(constraintDenies(c, pod())).toBe(true);
  });
});

describe('when the intent and the examples disagree', () => {
  it('follows the intent and asks, instead of choosing silently', () => {
    const r = request('The terminationGracePeriodSeconds of a pod must be at most 120 seconds.', {
      examples: { deny: [pod({}, { terminationGracePeriodSeconds: 90 })], allow: [pod({}, { terminationGracePeriodSeconds: 30 })] },
    });
    const draft = generateOffline({ request: r, retrieved: [], corpusIds: [], rejected: [], attempt: 1 });
    expect(draft.constraint).toMatchObject({ operator: 'gt', value: 120 });
    expect(draft.clarification?.examples).toEqual(['examples.deny[0]']);
    expect(draft.clarification?.question).toMatch(/Which one is right/);
    // a later attempt never falls back on the examples' reading
    const again = generateOffline({ request: r, retrieved: [], corpusIds: [], rejected: ['anything'], attempt: 2 });
    expect(again.clarification).toBeDefined();
  });
  it('asks nothing when the examples confirm the intent', () => {
    const r = request('The terminationGracePeriodSeconds of a pod must be at most 120 seconds.', {
      examples: { deny: [pod({}, { terminationGracePeriodSeconds: 600 })], allow: [pod({}, { terminationGracePeriodSeconds: 30 })] },
    });
    const [best] = deriveCandidates(r, []);
    expect(best?.clarification).toBeUndefined();
  });
});
