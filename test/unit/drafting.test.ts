import { describe, expect, it } from 'vitest';
import { constraintDenies } from '../../activities/drafting/candidate';
import { checkGuardrails } from '../../activities/drafting/guardrail';
import { readOperator } from '../../activities/drafting/intent';
import { deleteAt, setAt, valuesAt } from '../../activities/drafting/manifest-paths';
import { deriveCandidates, generateOffline, NoCandidateError } from '../../activities/drafting/offline';
import { mergeIndex } from '../../activities/drafting/publish';
import { describeConstraint, displayPath } from '../../activities/drafting/rego-writer';
import { type Constraint, draftRequestSchema, type ValidationReport } from '../../activities/drafting/schemas';
import { calledBuiltins } from '../../activities/drafting/validate';
import { DraftRequestError, draftIdOf, parseDraftRequest } from '../../workers/drafts';

const deployment = (container: object = {}, pod: object = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.internal.example/shop/web:1.0.0', ...container }], ...pod } } },
});
const request = (intent: string, extra: object = {}) => draftRequestSchema.parse({ intent, requester: 'me', ...extra });

describe('draft requests', () => {
  it('names every invalid field', () => {
    try {
      parseDraftRequest({ intent: 'x', requester: '', severity: 'urgent', examples: { deny: [{ kind: 'Pod' }] }, extra: 1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DraftRequestError);
      const paths = (error as DraftRequestError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(['intent', 'requester', 'severity', 'examples.deny[0].apiVersion', 'examples.deny[0].metadata']),
      );
      expect((error as Error).message).toMatch(/unrecognized key/i);
    }
  });
  it('gives equal requests the same draft id and different ones different ids', () => {
    const a = request('Containers must not set stdin to true');
    expect(draftIdOf(a)).toBe(draftIdOf(request('Containers must not set stdin to true')));
    expect(draftIdOf(a)).not.toBe(draftIdOf(request('Containers must not set tty to true')));
    expect(draftIdOf(a)).toMatch(/^draft-[0-9a-f]{12}$/);
  });
});

describe('manifest paths', () => {
  it('sets, deletes and reads through list wildcards', () => {
    const m = setAt(deployment(), ['spec', 'template', 'spec', 'containers', '*', 'ports', '*', 'containerPort'], 80);
    expect(valuesAt(m, ['spec', 'template', 'spec', 'containers', '*', 'ports', '*', 'containerPort'])).toEqual([80]);
    const gone = deleteAt(m, ['spec', 'template', 'spec', 'containers', '*', 'ports']);
    expect(valuesAt(gone, ['spec', 'template', 'spec', 'containers', '*', 'ports'])).toEqual([]);
    expect(valuesAt(m, ['spec', 'template', 'spec', 'containers', '*', 'image'])).toEqual(['registry.internal.example/shop/web:1.0.0']);
  });
  it('displays paths the way messages show them', () => {
    expect(displayPath(['ports', '*', 'containerPort'])).toBe('ports[].containerPort');
    expect(displayPath(['metadata', 'annotations', 'nginx.ingress.kubernetes.io/server-snippet'])).toBe(
      'metadata.annotations["nginx.ingress.kubernetes.io/server-snippet"]',
    );
  });
});

describe('reading the intent', () => {
  it.each([
    ['Containers must not set stdin to true', 'boolean', { operator: 'equals', value: true }],
    ['readOnlyRootFilesystem must be false', 'boolean', { operator: 'equals', value: true }],
    ['terminationGracePeriodSeconds must be at most 300', 'number', { operator: 'gt', value: 300 }],
    ['containerPort below 1024 is not allowed', 'number', { operator: 'lt', value: 1024 }],
    ['runtimeClassName must be one of "gvisor" or "kata"', 'string', { operator: 'not-in', value: ['gvisor', 'kata'] }],
    ['dnsPolicy must not be "Default"', 'string', { operator: 'equals', value: 'Default' }],
    ['Secrets of type "kubernetes.io/basic-auth" are not allowed', 'string', { operator: 'equals', value: 'kubernetes.io/basic-auth' }],
    ['Pods must not define hostAliases', 'list', { operator: 'present' }],
    ['Deny pods without a priorityClassName', 'string', { operator: 'missing' }],
    ['images must come from registry.internal.example/', 'string', { operator: 'not-regex', value: '^registry\\.internal\\.example/' }],
    ['schedules that match /^\\*\\s/ are forbidden', 'string', { operator: 'regex', value: '^\\*\\s' }],
  ] as const)('%s', (intent, type, expected) => {
    expect(readOperator(intent, type)).toMatchObject(expected);
  });
});

describe('offline generator', () => {
  it('finds the distinguishing field by diffing must-deny against must-allow examples', () => {
    const r = request('Deny workloads like the first example', {
      examples: { deny: [deployment({ tty: true })], allow: [deployment({ tty: false }), deployment()] },
    });
    const [best] = deriveCandidates(r, []);
    expect(best?.constraint).toMatchObject({ scope: 'container', path: ['tty'], operator: 'equals', value: true });
    for (const m of r.examples.deny) expect(constraintDenies(best?.constraint as Constraint, m)).toBe(true);
    for (const m of r.examples.allow) expect(constraintDenies(best?.constraint as Constraint, m)).toBe(false);
  });
  it('derives a common image prefix from several must-deny examples', () => {
    const r = request('Deny workloads that look like the must-deny examples', {
      examples: {
        deny: [deployment({ image: 'docker.io/library/nginx:1.25' }), deployment({ image: 'docker.io/bitnami/redis:7' })],
        allow: [deployment()],
      },
    });
    const candidates = deriveCandidates(r, []).map((c) => c.constraint);
    expect(candidates).toContainEqual(expect.objectContaining({ path: ['image'], operator: 'regex', value: '^docker\\.io/' }));
  });
  it('writes a new policy in the house style, with the kinds and parameters it reads', () => {
    const draft = generateOffline({
      request: request('Pods must not set nodeName'),
      retrieved: [],
      corpusIds: [],
      rejected: [],
      attempt: 1,
    });
    expect(draft.policyId).toBe('pod-node-name-forbidden');
    expect(draft.policy).toContain('package kpc.policies.pod_node_name_forbidden');
    expect(draft.policy).toContain('deny contains msg if {');
    expect(draft.policy).toContain('exempt_namespaces');
    expect(draft.tests).toMatch(/test_deny_deployment/);
    expect(draft.tests).toMatch(/test_allow_deployment_compliant/);
  });
  it('never reuses a corpus id and moves to the next candidate once one is rejected', () => {
    const r = request('Pods must not set nodeName');
    const first = generateOffline({ request: r, retrieved: [], corpusIds: ['pod-node-name-forbidden'], rejected: [], attempt: 1 });
    expect(first.policyId).toBe('pod-node-name-forbidden-v2');
    const all = deriveCandidates(r, []);
    expect(() =>
      generateOffline({ request: r, retrieved: [], corpusIds: [], rejected: all.map((c) => describeConstraint(c.constraint)), attempt: 2 }),
    ).toThrow(NoCandidateError);
  });
  it('says what to do when the intent names no known field', () => {
    expect(() =>
      generateOffline({ request: request('make everything more secure please'), retrieved: [], corpusIds: [], rejected: [], attempt: 1 }),
    ).toThrow(/add must-deny and must-allow examples, or configure an LLM/);
  });
});

describe('guardrails', () => {
  const report = (patch: Partial<ValidationReport> = {}): ValidationReport => ({
    parses: true,
    checkErrors: [],
    tests: { total: 10, passed: 10, failed: [], allowTests: 3, denyTests: 5 },
    coverage: 100,
    falsePositives: [],
    positivesChecked: 73,
    missedDenyExamples: [],
    deniedAllowExamples: [],
    relevantNegatives: { checked: 3, denied: 0 },
    emptyMessages: 0,
    builtins: ['object.get', 'sprintf'],
    packageName: 'kpc.policies.pod_node_name_forbidden',
    duplicates: [],
    seconds: 0.2,
    ...patch,
  });
  const draft = generateOffline({ request: request('Pods must not set nodeName'), retrieved: [], corpusIds: [], rejected: [], attempt: 1 });
  it('passes a clean report', () => {
    expect(checkGuardrails(draft, report())).toMatchObject({ passed: true, failures: [] });
  });
  it.each([
    [{ falsePositives: ['a', 'b', 'c', 'd'] }, 'false-positive-rate'],
    [{ tests: { total: 20, passed: 18, failed: ['x', 'y'], allowTests: 3, denyTests: 5 } }, 'tests-pass'],
    [{ tests: { total: 5, passed: 5, failed: [], allowTests: 0, denyTests: 5 } }, 'allow-and-deny-tests'],
    [{ coverage: 70 }, 'coverage'],
    [{ builtins: ['http.send', 'sprintf'] }, 'no-forbidden-builtins'],
    [{ builtins: ['time.now_ns'] }, 'no-forbidden-builtins'],
    [{ missedDenyExamples: [0] }, 'must-deny-examples'],
    [{ deniedAllowExamples: [1] }, 'must-allow-examples'],
    [{ packageName: 'kpc.policies.other' }, 'package-naming'],
    [{ emptyMessages: 2 }, 'denial-message'],
    [{ duplicates: ['pss-privileged'] }, 'novel'],
    [{ parses: false, checkErrors: ['policy.rego:3: unexpected token'] }, 'parses'],
  ] as const)('fails %j at %s', (patch, gate) => {
    const verdict = checkGuardrails(draft, report(patch as Partial<ValidationReport>));
    expect(verdict.passed).toBe(false);
    expect(verdict.failures.some((f) => f.startsWith(`${gate}:`))).toBe(true);
  });
});

describe('built-ins in a parsed module', () => {
  it('collects dotted call names from calls and expressions', () => {
    const ast = {
      rules: [
        {
          body: [
            {
              terms: [
                { type: 'ref', value: [{ type: 'var', value: 'eq' }] },
                { type: 'var', value: 'x' },
              ],
            },
            {
              terms: {
                type: 'call',
                value: [
                  {
                    type: 'ref',
                    value: [
                      { type: 'var', value: 'http' },
                      { type: 'string', value: 'send' },
                    ],
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    expect(calledBuiltins(ast)).toEqual(['eq', 'http.send']);
  });
});

describe('publication index', () => {
  it('replaces the line of the same id and keeps the others', () => {
    const merged = mergeIndex('{"id":"a","v":1}\n{"id":"b"}\n', { id: 'a', v: 2 } as { id: string });
    expect(merged).toBe('{"id":"b"}\n{"id":"a","v":2}\n');
  });
});

describe('LLM prompt and answer', () => {
  it('renders the versioned template with the request, examples, few-shot policies and feedback', async () => {
    const { loadPromptTemplate, renderPrompt } = await import('../../activities/drafting/llm-generate');
    const template = loadPromptTemplate();
    expect(template).toMatchObject({ id: 'draft-policy', version: 'v1' });
    const prompt = renderPrompt(template, {
      request: request('Pods must not set nodeName', { examples: { deny: [deployment({}, { nodeName: 'n1' })], allow: [] } }),
      policyId: 'pod-node-name-forbidden',
      kinds: ['Deployment'],
      fewShot: [{ policyId: 'pss-host-ports', policy: 'package kpc.policies.pss_host_ports', tests: 'test_x if { true }' }],
      feedback: ['coverage: coverage 50.0 % (need ≥ 80 %)'],
    });
    expect(prompt).toContain('package kpc.policies.pod_node_name_forbidden');
    expect(prompt).toContain('Apply to these kinds only: Deployment.');
    expect(prompt).toContain('Must deny (example 1)');
    expect(prompt).toContain('--- pss-host-ports/policy.rego');
    expect(prompt).toContain('- coverage: coverage 50.0 %');
    expect(prompt).not.toMatch(/\{\{\w+\}\}/);
  });
  it('reads the policy and the test block from an answer, whatever their order', async () => {
    const { parseRegoBlocks } = await import('../../activities/drafting/llm-generate');
    const answer =
      'Sure.\n```rego\npackage kpc.policies.a_test\n\ntest_x if { true }\n```\ntext\n```rego\npackage kpc.policies.a\n\ndeny contains "m" if { false }\n```';
    const { policy, tests } = parseRegoBlocks(answer);
    expect(policy).toMatch(/^package kpc\.policies\.a\n/);
    expect(tests).toMatch(/^package kpc\.policies\.a_test\n/);
    expect(() => parseRegoBlocks('no code here')).toThrow(/expected a policy block and a test block/);
  });
});
