/**
 * Latency from real timings: the input size of a manifest in items, observed engine timings
 * aggregated into training rows, the size-only baseline next to the model, and the draft's
 * predicted evaluation time at realistic sizes against the budget.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { latencyDetails, realisticSizes } from '../../activities/drafting/latency-budget';
import { latencyItemsOf } from '../../activities/features/latency';
import { type SourcedLatencyRow, scoreLatency } from '../../activities/lifecycle/compute-latency';
import { observedLatencyRows } from '../../activities/lifecycle/training-sets';
import { buildObservation } from '../../activities/observations/record';
import { toArtifact } from '../../activities/training/artifact';
import { latencyMetrics, trainLatencyRegressor, trainSizeOnlyLatency } from '../../activities/training/latency';
import { seededRandom } from '../../activities/training/models';

const pod = (containers: number, init = 0) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    template: {
      spec: {
        containers: Array.from({ length: containers }, (_, i) => ({ name: `c${i}`, image: 'x:1' })),
        initContainers: Array.from({ length: init }, (_, i) => ({ name: `i${i}`, image: 'x:1' })),
      },
    },
  },
});

describe('input size in items', () => {
  it('counts what the bench varies, per kind, and at least 1', () => {
    expect(latencyItemsOf(pod(3, 2))).toBe(5);
    expect(latencyItemsOf({ kind: 'Pod', spec: { containers: [{}, {}] } })).toBe(2);
    expect(latencyItemsOf({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [{}] } } } } } })).toBe(1);
    expect(latencyItemsOf({ kind: 'Role', rules: [{}, {}, {}] })).toBe(3);
    expect(latencyItemsOf({ kind: 'ClusterRoleBinding', subjects: [{}, {}] })).toBe(2);
    expect(latencyItemsOf({ kind: 'Service', spec: { ports: [{}, {}, {}, {}] } })).toBe(4);
    expect(latencyItemsOf({ kind: 'ConfigMap', data: { a: '1', b: '2' }, binaryData: { c: '' } })).toBe(3);
    expect(latencyItemsOf({ kind: 'Namespace', metadata: { labels: { a: 'b' } } })).toBe(1);
    expect(latencyItemsOf({ kind: 'Ingress', spec: {} })).toBe(1);
    expect(latencyItemsOf('not an object')).toBe(1);
  });
});

describe('observed timings as latency rows', () => {
  const key = randomBytes(32);
  const observe = (manifest: Record<string, unknown>, timings: { policy: string; ms: number }[] | null, minute: number) =>
    buildObservation({ source: 'api', manifest, denied: [], timings, time: new Date(Date.UTC(2026, 10, 2, 0, minute)).toISOString() }, key);

  it('one row per policy, kind and size: the median time in ns, with the number of timings and the latest time', () => {
    const policies = new Map([
      ['pss-privileged', { usesInventory: false }],
      ['pdb-required', { usesInventory: true }],
    ]);
    const { rows, skippedUnknownPolicy } = observedLatencyRows(
      [
        observe(pod(2), [{ policy: 'pss-privileged', ms: 0.01 }], 0),
        observe(
          pod(2),
          [
            { policy: 'pss-privileged', ms: 0.03 },
            { policy: 'pdb-required', ms: 0.2 },
          ],
          1,
        ),
        observe(
          pod(2),
          [
            { policy: 'pss-privileged', ms: 0.02 },
            { policy: 'draft-xyz', ms: 1 },
          ],
          2,
        ),
        observe(pod(4), [{ policy: 'pss-privileged', ms: 0.05 }], 3),
        observe(pod(4), null, 4),
      ],
      policies,
      42,
    );
    expect(skippedUnknownPolicy).toBe(1);
    expect(rows.map((r) => [r.policy, r.items, r.inventoryObjects, r.nsPerOp, r.samples])).toEqual([
      ['pdb-required', 2, 42, 200_000, 1],
      ['pss-privileged', 2, 0, 20_000, 3],
      ['pss-privileged', 4, 0, 50_000, 1],
    ]);
    expect(rows.every((r) => r.source === 'observed' && r.kind === 'Deployment')).toBe(true);
    expect(rows[1]?.measuredAt).toBe(new Date(Date.UTC(2026, 10, 2, 0, 2)).toISOString());
  });
});

/** ln ns = 9 + 0.8·loops + 0.7·ln items: the policy's rules matter as much as the size. */
function problem(): SourcedLatencyRow[] {
  const random = seededRandom(5);
  const rows: SourcedLatencyRow[] = [];
  for (let p = 0; p < 30; p++) {
    const features = { loops: Math.floor(random() * 5), lines: 10 + Math.floor(random() * 50) };
    for (const items of [1, 4, 16, 64])
      rows.push({
        policy: `p${p}`,
        features,
        items,
        inventoryObjects: 0,
        nsPerOp: Math.exp(9 + 0.8 * features.loops + 0.7 * Math.log(items)),
        source: 'bench',
      });
  }
  return rows;
}

describe('the size-only baseline', () => {
  const rows = problem();
  const spec = [
    { name: 'loops', type: 'numeric' as const },
    { name: 'lines', type: 'numeric' as const },
  ];

  it('sees the size, not the policy: the model beats it on policies it never saw', () => {
    const train = rows.filter((r) => Number(r.policy.slice(1)) < 24);
    const test = rows.filter((r) => Number(r.policy.slice(1)) >= 24);
    const size = latencyMetrics(trainSizeOnlyLatency(train), test);
    const model = latencyMetrics(trainLatencyRegressor({ rows: train, spec, learner: 'ridge', lambda: 1e-6 }), test);
    expect(size.r2_log).toBeLessThan(0.7);
    expect(size.r2_log).toBeGreaterThan(0);
    expect(model.r2_log).toBeGreaterThan(0.99);
  });

  it('scoreLatency reports the model, the size-only baseline on the same rows, r2_gain and per-source metrics', () => {
    const train = rows.filter((r) => Number(r.policy.slice(1)) < 24);
    const regressor = trainLatencyRegressor({ rows: train, spec, learner: 'ridge', lambda: 1e-6 });
    const json = JSON.parse(JSON.stringify(toArtifact(regressor, { datasetDigest: 'x' }, {})));
    const test = rows.flatMap((r, i) => (Number(r.policy.slice(1)) >= 24 ? [i] : []));
    const scored = scoreLatency(json, rows, test);
    expect(scored.metrics.r2_gain).toBeCloseTo((scored.metrics.r2 as number) - (scored.baselines.size_only?.r2 as number), 12);
    expect(scored.metrics.r2_gain).toBeGreaterThan(0.3);
    expect(scored.metrics).toMatchObject({ bench_rows: 24, observed_rows: 0 });
    expect(scored.baselines.size_only?.rows).toBe(24);
  });
});

describe('the draft latency prediction', () => {
  it('takes p50/p95 sizes from observed manifests of the draft kinds, else simulated ones', () => {
    const observed = [pod(1), pod(1), pod(2), pod(8), { kind: 'Service', spec: { ports: [{}] } }];
    const sizes = realisticSizes(['Deployment'], observed, () => []);
    expect(sizes).toMatchObject({ p50: 1.5, manifests: 4, from: 'observations' });
    expect(sizes.p95).toBeCloseTo(7.1, 10);
    expect(
      realisticSizes(['StatefulSet'], observed, () => [{ kind: 'StatefulSet', spec: { template: { spec: { containers: [{}, {}] } } } }]),
    ).toEqual({
      p50: 2,
      p95: 2,
      manifests: 1,
      from: 'simulated',
    });
  });

  it('shows the prediction and warns above the budget; without a model it says why', () => {
    const base = {
      modelVersion: '3',
      kinds: ['Deployment'],
      sizes: { p50: 2, p95: 8, manifests: 40, from: 'observations' as const },
      inventoryObjects: 0,
      budgetMs: 250,
      note: 'latency champion version 3',
    };
    const within = latencyDetails({ ...base, predictedMs: { p50: 0.05, p95: 0.2 }, overBudget: false });
    expect(within).toContain('p95 input 0.20 ms');
    expect(within).toContain('Within the budget of 250 ms');
    expect(latencyDetails({ ...base, predictedMs: { p50: 120, p95: 400 }, overBudget: true })).toContain('over the budget');
    expect(
      latencyDetails({ ...base, modelVersion: null, predictedMs: null, overBudget: false, note: 'no latency champion is registered' }),
    ).toBe('**Predicted evaluation time**: none — no latency champion is registered');
  });
});
