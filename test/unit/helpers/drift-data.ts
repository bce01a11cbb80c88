/**
 * Seeded test data for the drift tests: a tiny PRNG (mulberry32) and samplers (tests never use
 * Math.random), a three-feature spec with its rows, and the report meta.
 */
import type { FeatureSpec } from '../../../activities/features/spec';
import type { DataRow, DriftReportMetaInput } from '../../../activities/monitoring';

export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normalSampler(seed: number): (mean?: number, sd?: number) => number {
  const uniform = prng(seed);
  return (mean = 0, sd = 1) => {
    const u = 1 - uniform(); // (0, 1]
    const v = uniform();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export function pick<T>(uniform: () => number, items: readonly T[], weights: readonly number[]): T {
  let r = uniform() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < items.length; i++) {
    r -= weights[i] as number;
    if (r < 0) return items[i] as T;
  }
  return items[items.length - 1] as T;
}

export const SPEC: FeatureSpec[] = [
  { name: 'cpu', type: 'numeric' },
  { name: 'replicas', type: 'numeric' },
  { name: 'kind', type: 'categorical' },
];
export const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

export function makeRows(seed: number, n: number, shape: { cpuMean?: number; kindWeights?: number[] } = {}): DataRow[] {
  const normal = normalSampler(seed);
  const uniform = prng(seed + 1000);
  const rows: DataRow[] = [];
  for (let i = 0; i < n; i++) {
    rows.push({
      cpu: normal(shape.cpuMean ?? 0, 1),
      replicas: Math.floor(uniform() * 5) + 1,
      kind: pick(uniform, KINDS, shape.kindWeights ?? [0.6, 0.3, 0.1]),
    });
  }
  return rows;
}

export const META: DriftReportMetaInput = {
  title: 'Drift of the policy ranker',
  model: 'kpc-policy-ranker',
  version: '3',
  createdAt: '2024-05-01T12:00:00.000Z',
  referenceRows: 4000,
  currentRows: 1500,
};
