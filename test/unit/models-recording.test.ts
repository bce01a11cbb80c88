/**
 * What analyses record, without engines: the observer's fields, its time budget (an analysis never
 * waits for recording beyond its share), the source of a command-line run (cli or ci), and the
 * simulated generator following the house standard that the corpus now checks.
 */
import { describe, expect, it } from 'vitest';
import { analysisObserver, commandLineSource, RecordingBudget } from '../../activities/analyze/observe';
import type { ObservationInput, Recorder } from '../../activities/observations';
import { generateManifests } from '../../datasets/synthetic/manifests';

function fakeRecorder(options: { costMs?: number; clock?: { t: number } } = {}) {
  const records: ObservationInput[] = [];
  let flushes = 0;
  const recorder: Recorder = {
    enabled: true,
    errors: 0,
    record(input) {
      records.push(input);
      if (options.clock) options.clock.t += options.costMs ?? 0;
      return `${records.length}`;
    },
    recordNow: () => undefined,
    flush() {
      flushes++;
    },
  };
  return { recorder, records, flushes: () => flushes };
}

const config = { observations: { enabled: true, dir: '/nonexistent', retentionMs: 1, windowMs: 1 } };

describe('analysis observer', () => {
  it('records the manifest, the denying policies, the engine timings in ms, the ranker top-k and the origin', () => {
    const { recorder, records } = fakeRecorder();
    const observer = analysisObserver(config, { source: 'cli', corpusDigest: 'abc', ranker: 'kpc-policy-ranker v3 (champion)', recorder });
    const manifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } };
    observer.observe(
      { manifest, source: 'dump.yaml', line: 12, item: 3 },
      { denied: { 'pss-privileged': ['m'] }, timingsUs: { 'pss-privileged': 1234 } },
      [{ policy: 'pss-privileged', score: 0.93 }],
    );
    observer.observe({ manifest, source: 'pod.yaml', line: 1 }, { denied: {} });
    expect(observer.finish()).toEqual({ recorded: 2, skipped: 0 });
    expect(records[0]).toEqual({
      source: 'cli',
      manifest,
      denied: ['pss-privileged'],
      ranker: { version: 'kpc-policy-ranker v3 (champion)', top: [{ policy: 'pss-privileged', score: 0.93 }] },
      timings: [{ policy: 'pss-privileged', ms: 1.234 }],
      corpusDigest: 'abc',
      origin: 'dump.yaml:12#items[3]',
    });
    expect(records[1]).toMatchObject({ denied: [], ranker: null, timings: null, origin: 'pod.yaml:1' });
  });

  it('is a no-op when recording is off (PAC_OBSERVE=off)', () => {
    const observer = analysisObserver({ observations: { ...config.observations, enabled: false } }, { source: 'api', corpusDigest: 'x' });
    observer.observe({ manifest: { kind: 'Pod' }, source: '-', line: 1 }, { denied: {} });
    expect(observer.finish()).toEqual({ recorded: 0, skipped: 0 });
  });

  it('keeps recording within its share of the wall time: a burst, then as much as the share allows', () => {
    const clock = { t: 0 };
    const budget = new RecordingBudget(0.05, 10, () => clock.t);
    const { recorder, records } = fakeRecorder({ clock, costMs: 1 });
    const observer = analysisObserver(config, { source: 'cli', corpusDigest: 'x', budget, recorder });
    // 1,000 objects, 1 ms of analysis each; recording one costs 1 ms
    for (let i = 0; i < 1000; i++) {
      clock.t += 1;
      observer.observe({ manifest: { kind: 'Pod', metadata: { name: `p${i}` } }, source: 'f', line: i }, { denied: {} });
    }
    const { recorded, skipped } = observer.finish();
    expect(recorded + skipped).toBe(1000);
    expect(records).toHaveLength(recorded);
    // 10 ms of burst + 5 % of about 1,000-1,050 ms
    expect(recorded).toBeGreaterThanOrEqual(55);
    expect(recorded).toBeLessThanOrEqual(70);
  });

  it('flushes the recorder in small batches, not one big write at the end', () => {
    const { recorder, flushes } = fakeRecorder();
    const observer = analysisObserver(config, { source: 'cli', corpusDigest: 'x', recorder });
    for (let i = 0; i < 100; i++) observer.observe({ manifest: { kind: 'Pod' }, source: 'f', line: i }, { denied: {} });
    expect(flushes()).toBe(3);
    observer.finish();
    expect(flushes()).toBe(4);
  });

  it('calls a command-line run ci when the CI variable says so', () => {
    expect(commandLineSource({})).toBe('cli');
    expect(commandLineSource({ CI: 'true' })).toBe('ci');
    expect(commandLineSource({ CI: '1' })).toBe('ci');
    expect(commandLineSource({ CI: 'false' })).toBe('cli');
    expect(commandLineSource({ CI: '' })).toBe('cli');
  });
});

describe('the simulated generator follows the house standard it starts from', () => {
  const manifests = generateManifests(3, 3000);
  // biome-ignore lint/suspicious/noExplicitAny: walking the generator's untyped JSON
  type Json = Record<string, any>;
  const podSpecOf = (m: Json): Json | undefined =>
    m.kind === 'CronJob' ? m.spec?.jobTemplate?.spec?.template?.spec : m.spec?.template?.spec;

  it('spreads most replicated Deployments and StatefulSets, and sets priorityClassName on most DaemonSets', () => {
    const replicated = manifests.filter((m: Json) => ['Deployment', 'StatefulSet'].includes(m.kind) && (m.spec?.replicas ?? 1) >= 2);
    const spread = replicated.filter((m: Json) => podSpecOf(m)?.topologySpreadConstraints?.[0]?.topologyKey === 'kubernetes.io/hostname');
    expect(spread.length / replicated.length).toBeGreaterThan(0.75);
    expect(spread.length).toBeLessThan(replicated.length);
    const daemonSets = manifests.filter((m: Json) => m.kind === 'DaemonSet');
    const agents = daemonSets.filter((m: Json) => podSpecOf(m)?.priorityClassName === 'node-agent');
    expect(agents.length / daemonSets.length).toBeGreaterThan(0.7);
  });

  it('probes declared ports and reads Secrets of the inventory, with a few slips', () => {
    let probes = 0;
    let declared = 0;
    let refs = 0;
    let missing = 0;
    for (const m of manifests as Json[]) {
      for (const c of podSpecOf(m)?.containers ?? []) {
        const ports = new Set((c.ports ?? []).flatMap((p: Json) => [p.name, p.containerPort]));
        for (const probe of [c.livenessProbe, c.readinessProbe].filter(Boolean)) {
          probes++;
          if (ports.has(probe.httpGet?.port ?? probe.tcpSocket?.port)) declared++;
        }
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (!ref) continue;
          refs++;
          if (String(ref.name).endsWith('-secrets')) missing++;
        }
      }
    }
    expect(declared / probes).toBeGreaterThan(0.9);
    expect(declared).toBeLessThan(probes);
    expect(missing / refs).toBeLessThan(0.12);
    expect(missing).toBeGreaterThan(0);
  });
});
