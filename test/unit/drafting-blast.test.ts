/**
 * Blast radius and the id rule of drafts (activities/drafting/blast-radius.ts, policy-ids.ts):
 * what a draft newly denies among known-good fixtures and observed workloads, the gate that
 * replaced the blanket false-positive gate, `maxBlastRadius` validation, the recent window read
 * from a real observation store, the id rule (a taken id needs `replaces`), derived ids that step
 * past taken ones, and a replacement's publication overwriting the policy and its index line.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  blastRadiusPasses,
  DEFAULT_MAX_BLAST_RADIUS,
  loadObservedWorkloads,
  measureBlastRadius,
  RESOURCE_LIST_LIMIT,
  reviewDetails,
} from '../../activities/drafting/blast-radius';
import { checkGuardrails } from '../../activities/drafting/guardrail';
import { policyIdFor } from '../../activities/drafting/naming';
import { generateOffline } from '../../activities/drafting/offline';
import {
  assertPolicyIdRule,
  checkPolicyIdRule,
  draftIdClash,
  PolicyIdRuleError,
  takenPolicyIds,
} from '../../activities/drafting/policy-ids';
import { publishDraft } from '../../activities/drafting/publish';
import { type Constraint, draftRequestSchema, type ValidationReport } from '../../activities/drafting/schemas';
import { closeWriters, observationRecorder } from '../../activities/observations';
import { loadPolicyIndex } from '../../datasets/load';
import { loadConfig } from '../../infra/config';
import { DraftRequestError, parseDraftRequest } from '../../workers/drafts';

const pod = (name: string, namespace = 'shop', image = 'nginx:1.27') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: { containers: [{ name: 'c', image }] },
});
const window = { since: '2026-01-01T00:00:00.000Z', limit: 2000 };
const observed = (name: string, messages: string[], alreadyDenied = false) => ({
  kind: 'Pod',
  namespace: 'prod',
  name,
  ref: 'api /v1/analyze',
  manifest: pod(name, 'prod'),
  alreadyDenied,
  messages,
});

const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterEach(() => {
  closeWriters();
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('measureBlastRadius', () => {
  it('counts what is newly denied in each population, lists the resources and takes the larger share', () => {
    const fixtures = Array.from({ length: 20 }, (_, i) => ({
      name: `ok-${i}`,
      manifest: pod(`web-${i}`),
      messages: i < 2 ? [`Pod shop/web-${i}: image must be pinned`] : [],
    }));
    const b = measureBlastRadius({
      fixtures,
      observed: {
        ...window,
        workloads: [
          observed('a', ['Pod prod/a: image must be pinned']),
          observed('b', []),
          observed('c', []),
          observed('d', []),
          // denied by another policy already: not newly denied, not in the denominator
          observed('e', ['Pod prod/e: image must be pinned'], true),
        ],
      },
    });
    expect(b.fixtures).toEqual({ checked: 20, newlyDenied: 2, share: 0.1 });
    expect(b.observed).toMatchObject({ checked: 4, newlyDenied: 1, share: 0.25, alreadyDenied: 1 });
    expect(b.share).toBe(0.25);
    expect(b).toMatchObject({ max: DEFAULT_MAX_BLAST_RADIUS, maxFrom: 'default', moreResources: 0 });
    expect(b.resources).toEqual([
      { kind: 'Pod', namespace: 'shop', name: 'web-0', source: 'fixture', ref: 'ok-0', message: 'Pod shop/web-0: image must be pinned' },
      { kind: 'Pod', namespace: 'shop', name: 'web-1', source: 'fixture', ref: 'ok-1', message: 'Pod shop/web-1: image must be pinned' },
      {
        kind: 'Pod',
        namespace: 'prod',
        name: 'a',
        source: 'observed',
        ref: 'api /v1/analyze',
        message: 'Pod prod/a: image must be pinned',
      },
    ]);
    expect(b.summary).toBe('blast radius 25 % (max 5 %, default): newly denies 2/20 known-good fixtures, 1/4 observed workloads');
    expect(blastRadiusPasses(b)).toBe(false);
    expect(reviewDetails(b, 'pod-image-pinned', 'pss-foo')).toContain('replaces the existing policy **pss-foo**');
    expect(reviewDetails(b, 'pod-image-pinned', undefined)).toMatch(/Pod prod\/a \[observed: api \/v1\/analyze\]/);
  });

  it('uses the request maximum, and passes exactly at it', () => {
    const fixtures = Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, manifest: pod(`p${i}`), messages: i === 0 ? ['no'] : [] }));
    const at = measureBlastRadius({ fixtures, observed: { ...window, workloads: [] }, max: 0.1 });
    expect(at).toMatchObject({ share: 0.1, max: 0.1, maxFrom: 'request' });
    expect(blastRadiusPasses(at)).toBe(true);
    expect(blastRadiusPasses(measureBlastRadius({ fixtures, observed: { ...window, workloads: [] }, max: 0.09 }))).toBe(false);
    // nothing checked at all: no evidence, no pass
    expect(blastRadiusPasses(measureBlastRadius({ fixtures: [], observed: { ...window, workloads: [] } }))).toBe(false);
  });

  it('lists at most RESOURCE_LIST_LIMIT resources and counts the rest; unnamed objects have null names', () => {
    const fixtures = Array.from({ length: RESOURCE_LIST_LIMIT + 7 }, (_, i) => ({
      name: `f${i}`,
      manifest: i === 0 ? { apiVersion: 'v1', kind: 'Pod', metadata: {} } : pod(`p${i}`),
      messages: ['denied'],
    }));
    const b = measureBlastRadius({ fixtures, observed: { ...window, workloads: [] } });
    expect(b.resources).toHaveLength(RESOURCE_LIST_LIMIT);
    expect(b.moreResources).toBe(7);
    expect(b.resources[0]).toMatchObject({ kind: 'Pod', namespace: null, name: null });
    expect(b.share).toBe(1);
  });
});

describe('the blast-radius gate', () => {
  const draft = generateOffline({
    request: draftRequestSchema.parse({ intent: 'Pods must not set nodeName', requester: 'me' }),
    retrieved: [],
    corpusIds: [],
    rejected: [],
    attempt: 1,
  });
  const report = (patch: Partial<ValidationReport> = {}): ValidationReport => ({
    parses: true,
    checkErrors: [],
    tests: { total: 10, passed: 10, failed: [], allowTests: 3, denyTests: 5 },
    coverage: 100,
    falsePositives: ['f0', 'f1', 'f2'],
    positivesChecked: 20,
    missedDenyExamples: [],
    deniedAllowExamples: [],
    relevantNegatives: { checked: 3, denied: 0 },
    emptyMessages: 0,
    builtins: ['sprintf'],
    packageName: draft.packageName,
    duplicates: [],
    seconds: 0.2,
    ...patch,
  });
  const fixtures = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, manifest: pod(`p${i}`), messages: i < 3 ? ['denied'] : [] }));

  it('holds a draft above maxBlastRadius and passes it below, with the resources in the detail', () => {
    const held = checkGuardrails(draft, report({ blastRadius: measureBlastRadius({ fixtures, observed: { ...window, workloads: [] } }) }));
    expect(held.passed).toBe(false);
    const gate = held.gates.find((g) => g.gate === 'blast-radius');
    expect(gate?.detail).toMatch(/^blast radius 15 % \(max 5 %, default\).*raise maxBlastRadius.*Pod shop\/p0 \[fixture: f0\]/);
    // the old blanket gate is gone when a blast radius was measured
    expect(held.gates.some((g) => g.gate === 'false-positive-rate')).toBe(false);
    const allowed = checkGuardrails(
      draft,
      report({ blastRadius: measureBlastRadius({ fixtures, observed: { ...window, workloads: [] }, max: 0.2 }) }),
    );
    expect(allowed).toMatchObject({ passed: true, failures: [] });
  });

  it('keeps the false-positive gate for reports without a blast radius (executions started before it)', () => {
    const verdict = checkGuardrails(draft, report());
    expect(verdict.failures.some((f) => f.startsWith('false-positive-rate:'))).toBe(true);
  });

  it('fails the policy-id gate on a clashing id', () => {
    const verdict = checkGuardrails(
      draft,
      report({
        falsePositives: [],
        idClash: 'the id "x" is already a corpus policy',
        blastRadius: measureBlastRadius({ fixtures: fixtures.slice(3), observed: { ...window, workloads: [] } }),
      }),
    );
    expect(verdict.failures).toEqual(['policy-id: the id "x" is already a corpus policy']);
  });
});

describe('maxBlastRadius in a request', () => {
  it.each([[1.5], [-0.1], ['0.1'], [25]])('refuses %j with the field and what is expected', (value) => {
    const error = (() => {
      try {
        parseDraftRequest({ intent: 'Pods must not set nodeName', requester: 'me', maxBlastRadius: value });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DraftRequestError);
    expect((error as DraftRequestError).issues).toEqual([
      { path: 'maxBlastRadius', message: expect.stringMatching(/from 0 to 1|a share from 0 to 1/) },
    ]);
  });
  it('accepts a share and leaves the request id unchanged when absent', () => {
    expect(parseDraftRequest({ intent: 'Pods must not set nodeName', requester: 'me', maxBlastRadius: 0.2 }).maxBlastRadius).toBe(0.2);
    expect(Object.keys(parseDraftRequest({ intent: 'Pods must not set nodeName', requester: 'me' }))).not.toContain('maxBlastRadius');
  });
});

describe('the id rule', () => {
  const taken = new Map([
    ['pss-privileged', 'corpus' as const],
    ['team-image-pinned', 'published' as const],
  ]);
  it('refuses a taken id without replaces, naming the fix', () => {
    expect(checkPolicyIdRule({ policyId: 'pss-privileged' }, taken)).toEqual({
      code: 'conflict',
      path: 'policyId',
      message: expect.stringContaining(
        '"pss-privileged" is already a corpus policy; to replace it say so with "replaces": "pss-privileged"',
      ),
    });
    expect(checkPolicyIdRule({ policyId: 'team-image-pinned' }, taken)?.message).toMatch(/already a published policy/);
  });
  it('accepts a replacement of an existing id, and a fresh id', () => {
    expect(checkPolicyIdRule({ replaces: 'pss-privileged' }, taken)).toBeNull();
    expect(checkPolicyIdRule({ policyId: 'pss-privileged', replaces: 'pss-privileged' }, taken)).toBeNull();
    expect(checkPolicyIdRule({ policyId: 'brand-new' }, taken)).toBeNull();
    expect(checkPolicyIdRule({}, taken)).toBeNull();
  });
  it('refuses a replaces that names nothing, or a different policyId', () => {
    expect(checkPolicyIdRule({ replaces: 'nothing-here' }, taken)).toMatchObject({ code: 'unprocessable', path: 'replaces' });
    expect(checkPolicyIdRule({ policyId: 'other', replaces: 'pss-privileged' }, taken)).toMatchObject({
      code: 'unprocessable',
      path: 'policyId',
    });
  });
  it('checks a finished draft too', () => {
    expect(draftIdClash({ policyId: 'pss-privileged' }, taken)).toMatch(/already a corpus policy/);
    expect(draftIdClash({ policyId: 'pss-privileged', replaces: 'pss-privileged' }, taken)).toBeUndefined();
    expect(draftIdClash({ policyId: 'fresh' }, taken)).toBeUndefined();
  });
  it('derived ids step past every taken id', () => {
    const c: Constraint = {
      scope: 'pod',
      path: ['nodeName'],
      operator: 'present',
      kinds: ['Pod'],
      expectation: 'nodeName must not be set',
      derivedFrom: [],
    };
    const first = policyIdFor(c, []);
    expect(policyIdFor(c, [first])).toBe(`${first}-v2`);
    expect(policyIdFor(c, [first, `${first}-v2`])).toBe(`${first}-v3`);
  });
  it('the CLI refuses a clashing id with exit code 2 before contacting anything, and says how to replace', async () => {
    const { draftCommand } = await import('../../cli/drafts');
    const dir = temp('pac-ids-cli-');
    const file = join(dir, 'request.json');
    writeFileSync(
      file,
      JSON.stringify({ intent: 'Deployments must have at least 3 replicas', requester: 'me', policyId: 'replicas-minimum' }),
    );
    // no engine listens here: a request that got past the check would fail to connect instead
    const config = loadConfig({ HOME: dir, PAC_STATE_DIR: dir, PAC_TEMPORAL_ADDRESS: '127.0.0.1:9' });
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      expect(await draftCommand(config, { requestFile: file, json: false, worker: false })).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(writes.join('')).toMatch(
      /"replicas-minimum" is already a corpus policy; to replace it say so with "replaces": "replicas-minimum"/,
    );
    // loading the CLI module (Temporal client, workers) takes a while on a busy machine
  }, 60_000);
  it('reads taken ids from the corpus and the publication directory', async () => {
    const dir = temp('pac-ids-');
    mkdirSync(join(dir, 'policies', 'folder-only'), { recursive: true });
    writeFileSync(join(dir, 'policies', 'index.jsonl'), '{"id":"team-image-pinned"}\n{torn\n');
    const config = { drafting: { publish: { mode: 'dir' as const, dir } } };
    const ids = await takenPolicyIds(config);
    const corpusId = loadPolicyIndex()[0]?.id as string;
    expect(ids.get(corpusId)).toBe('corpus');
    expect(ids.get('team-image-pinned')).toBe('published');
    expect(ids.get('folder-only')).toBe('published');
    await expect(assertPolicyIdRule(config, { policyId: corpusId })).rejects.toBeInstanceOf(PolicyIdRuleError);
    await expect(assertPolicyIdRule(config, { replaces: corpusId })).resolves.toBeUndefined();
  });
});

describe('observed workloads and replacements on real files', () => {
  it('reads the recent window of the observation store, newest first, bounded', () => {
    const dir = temp('pac-blast-obs-');
    const config = loadConfig({ HOME: dir, PAC_STATE_DIR: dir });
    const recorder = observationRecorder(config);
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString();
    recorder.recordNow({ source: 'api', manifest: pod('old', 'prod'), time: at(10), denied: [], origin: '/v1/analyze' });
    recorder.recordNow({ source: 'cli', manifest: pod('a', 'prod'), time: at(3), denied: [], origin: 'a.yaml:1' });
    recorder.recordNow({
      source: 'cli',
      manifest: pod('b', 'prod', 'nginx:latest'),
      time: at(2),
      denied: ['image-tag'],
      origin: 'b.yaml:1',
    });
    recorder.recordNow({ source: 'import', manifest: pod('c', 'prod'), time: at(1), origin: 'c.yaml:1' });
    recorder.flush();
    const read = loadObservedWorkloads(config, { now });
    expect(read.workloads.map((w) => [w.name, w.alreadyDenied, w.ref])).toEqual([
      ['c', false, 'import c.yaml:1'],
      ['b', true, 'cli b.yaml:1'],
      ['a', false, 'cli a.yaml:1'],
    ]);
    expect(loadObservedWorkloads(config, { now, limit: 2 }).workloads.map((w) => w.name)).toEqual(['c', 'b']);
    // an empty store: nothing observed
    const empty = temp('pac-blast-empty-');
    expect(loadObservedWorkloads(loadConfig({ HOME: empty, PAC_STATE_DIR: empty }), { now }).workloads).toEqual([]);
  });

  it('publishes a replacement over the policy files and its index line', async () => {
    const dir = temp('pac-blast-pub-');
    const config = loadConfig({ ...process.env, PAC_STATE_DIR: temp('pac-blast-state-'), PAC_PUBLISH_DIR: dir });
    const first = generateOffline({
      request: draftRequestSchema.parse({ intent: 'Pods must not set nodeName', requester: 'me' }),
      retrieved: [],
      corpusIds: [],
      rejected: [],
      attempt: 1,
    });
    await publishDraft(config, { draft: first, reviewer: 'bob', comment: '', key: 'wf-1/run', approvedAt: 0 });
    const replacement = generateOffline({
      request: draftRequestSchema.parse({
        intent: 'Pods must not set nodeName at all',
        requester: 'me',
        replaces: first.policyId,
        severity: 'high',
      }),
      retrieved: [],
      corpusIds: [first.policyId],
      rejected: [],
      attempt: 1,
    });
    expect(replacement).toMatchObject({ policyId: first.policyId, replaces: first.policyId });
    await publishDraft(config, { draft: replacement, reviewer: 'carol', comment: '', key: 'wf-2/run', approvedAt: 0 });
    const lines = readFileSync(join(dir, 'policies', 'index.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.severity])).toEqual([[first.policyId, 'high']]);
    expect(readFileSync(join(dir, 'policies', first.policyId, 'policy.rego'), 'utf8')).toBe(replacement.policy);
    expect(readFileSync(join(dir, 'policies', first.policyId, 'policy_test.rego'), 'utf8')).toBe(replacement.tests);
  });
});
