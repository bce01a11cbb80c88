/**
 * The fix-strategy and latency sections of `npm run bench:models` (bench/models.ts calls them):
 * each model next to its baselines, measured in this run on the lifecycle's own split.
 *
 * fix      — the training set the lifecycle would ingest now (simulated failure log + real rows of
 *            the configured observation store), the lifecycle's split (hash of the row id), the
 *            chosen learner against the majority class and the fp_score rules, on real and on
 *            simulated held-out rows separately; and each feature's power alone (the leak check).
 * latency  — opa bench rows + observed engine timings, grouped by policy (held-out policies were
 *            never seen), the chosen regressor against the size-only baseline (R², MAE); then the
 *            foreign set: the in-process engine's per-policy timings on the 83 hand-written
 *            workloads (datasets/foreign/workloads), predicted by a model trained on opa bench rows
 *            plus engine timings on simulated manifests — never on the foreign files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusEngine } from '../activities/engine';
import { scoreFix, trainFix } from '../activities/lifecycle/compute-fix';
import { latencyFeatures, type SourcedLatencyRow, scoreLatency, trainLatency } from '../activities/lifecycle/compute-latency';
import { loadForeignWorkloads } from '../activities/lifecycle/ranker-data';
import { fixTrainingSet, inventoryFixtureSize, latencyTrainingSet, observedLatencyRows } from '../activities/lifecycle/training-sets';
import { buildObservation } from '../activities/observations/record';
import { toArtifact } from '../activities/training/artifact';
import { FIX_FEATURES, type FixRecord, featureLeakage } from '../activities/training/fix';
import { type LatencyTrainingRow, latencyMetrics, trainSizeOnlyLatency } from '../activities/training/latency';
import { groupedSplit, trainTestSplit } from '../activities/training/split';
import { loadPolicyIndex } from '../datasets/load';
import { failureRecordSchema } from '../datasets/schemas';
import { generateManifests } from '../datasets/synthetic/manifests';
import type { Config } from '../infra/config';

/** The lifecycle's split constants (activities/lifecycle/compute.ts). */
const TEST_SHARE = 0.2;
const SPLIT_SEED = 20261123;

const f3 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '   -  ' : v.toFixed(3));
const line = (label: string, cells: (number | undefined)[]) => `  ${label.padEnd(30)}${cells.map((c) => f3(c).padStart(10)).join('')}`;

export interface SectionResult {
  lines: string[];
  numbers: Record<string, number>;
}

export function fixSection(config: Config): SectionResult {
  const set = fixTrainingSet(config);
  const records = set.text
    .trim()
    .split('\n')
    .map((l) => failureRecordSchema.parse(JSON.parse(l)));
  const { train, test } = trainTestSplit(
    records.map((r) => r.id),
    TEST_SHARE,
    SPLIT_SEED,
  );
  const trained = trainFix(
    train.map((i) => records[i] as FixRecord),
    1,
    () => {},
  );
  const artifact = JSON.parse(JSON.stringify(toArtifact(trained.classifier, { datasetDigest: 'bench' }, trained.validation)));
  const { metrics, baselines } = scoreFix(artifact, records, test);
  const leak = featureLeakage(
    records.filter((r) => r.source === 'simulated'),
    {
      features: [...FIX_FEATURES.map((f) => f.name), 'co_denials'],
      extra: (r) => ({ co_denials: (r as { co_denials: number }).co_denials }),
    },
  );
  const lines = [
    `fix strategy — rows: ${Object.entries(set.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (simulated = generated failure log; real = feedback + observed)`,
    `  held-out rows: ${test.length} (real ${metrics.real_support}, simulated ${metrics.simulated_support}); learner ${trained.learner} (5-fold CV on the training part)`,
    `  ${''.padEnd(30)}${['accuracy', 'precision', 'recall', 'f1'].map((h) => h.padStart(10)).join('')}   (precision/recall/f1 of policy_change)`,
  ];
  for (const part of ['', 'simulated_', 'real_'] as const) {
    if (part === 'real_' && !metrics.real_support) {
      lines.push('  real rows: none in this store — nothing to report on real feedback yet (run `pac feedback`, or observe fixes)');
      continue;
    }
    const cells = (m: Record<string, number> | undefined) => ['accuracy', 'precision', 'recall', 'f1'].map((k) => m?.[`${part}${k}`]);
    const label = part === '' ? 'all' : part.slice(0, -1);
    lines.push(line(`model (${label})`, cells(metrics)));
    for (const [name, b] of Object.entries(baselines)) lines.push(line(`  ${name} (${label})`, cells(b)));
  }
  lines.push(
    `  accuracy gain over the best baseline: ${f3(metrics.accuracy_gain)} (the quality gate needs ≥ 0.010)`,
    `  one feature alone (5-fold CV lookup, simulated rows; majority ${f3(leak.majority)}): ${Object.entries(leak)
      .filter(([k]) => k !== 'majority')
      .map(([k, v]) => `${k} ${f3(v)}`)
      .join(', ')}  — co_denials is not a model feature (it carried the simulated label)`,
  );
  return {
    lines,
    numbers: {
      fix_accuracy: metrics.accuracy ?? Number.NaN,
      fix_majority_accuracy: baselines.majority?.accuracy ?? Number.NaN,
      fix_rule_fitted_accuracy: baselines.rule_fp_fitted?.accuracy ?? Number.NaN,
      fix_accuracy_gain: metrics.accuracy_gain ?? Number.NaN,
    },
  };
}

/** The engine's per-policy timings (sampled on every manifest) as latency rows. */
async function engineTimingRows(config: Config, manifests: readonly Record<string, unknown>[]): Promise<LatencyTrainingRow[]> {
  const engine = await corpusEngine(config, { threads: 0, sampleTimingEvery: 1, includePublished: false });
  try {
    const verdicts = await engine.evaluate(manifests as Record<string, unknown>[]);
    const key = new Uint8Array(32);
    const observations = verdicts.map((v, i) =>
      buildObservation(
        {
          source: 'cli',
          manifest: manifests[i] as Record<string, unknown>,
          denied: Object.keys(v.denied),
          timings: Object.entries(v.timingsUs ?? {}).map(([policy, us]) => ({ policy, ms: us / 1000 })),
        },
        key,
      ),
    );
    return observedLatencyRows(observations, new Map(loadPolicyIndex().map((m) => [m.id, m])), inventoryFixtureSize()).rows;
  } finally {
    await engine.close();
  }
}

export async function latencySection(config: Config): Promise<SectionResult> {
  const set = latencyTrainingSet(config);
  const dir = mkdtempSync(join(tmpdir(), 'pac-bench-latency-'));
  try {
    const path = join(dir, 'latency.jsonl');
    writeFileSync(path, set.text);
    const { records } = await latencyFeatures(config, path, () => {});
    const { train, test } = groupedSplit(
      records.map((r) => r.policy),
      TEST_SHARE,
      SPLIT_SEED,
    );
    const trained = trainLatency(
      train.map((i) => records[i] as SourcedLatencyRow),
      1,
      () => {},
    );
    const artifact = JSON.parse(JSON.stringify(toArtifact(trained.regressor, { datasetDigest: 'bench' }, trained.validation)));
    const { metrics, baselines } = scoreLatency(artifact, records, test);
    const size = baselines.size_only ?? {};
    const lines = [
      `latency — rows: ${Object.entries(set.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; held-out: ${metrics.rows} rows of ${metrics.policies} policies never seen in training; learner ${trained.learner}`,
      `  ${''.padEnd(30)}${['R² log', 'R² µs', 'MAE µs', 'MAPE'].map((h) => h.padStart(10)).join('')}`,
      line('model', [metrics.r2_log, metrics.r2_us, metrics.mae_us, metrics.mape]),
      line('  size-only baseline', [size.r2_log, size.r2_us, size.mae_us, size.mape]),
    ];
    // the foreign set: engine timings on the hand-written workloads; training: bench + engine timings on simulated manifests
    const policyFeatures = new Map(records.map((r) => [r.policy, r.features]));
    const withFeatures = (rows: readonly LatencyTrainingRow[]): SourcedLatencyRow[] =>
      rows.flatMap((r) => {
        const features = policyFeatures.get(r.policy);
        return features
          ? [
              {
                policy: r.policy,
                features: { ...features, in_process: 1 },
                items: r.items,
                inventoryObjects: r.inventoryObjects,
                nsPerOp: Math.max(r.nsPerOp, 1),
                source: 'observed' as const,
              },
            ]
          : [];
      });
    const simulated = withFeatures(await engineTimingRows(config, generateManifests(4242, 400) as Record<string, unknown>[]));
    const foreign = withFeatures(
      await engineTimingRows(
        config,
        loadForeignWorkloads().map((f) => f.manifest),
      ),
    );
    const bench = records.filter((r) => r.source === 'bench');
    const model = trainLatency([...bench, ...simulated], 1, () => {}).regressor;
    const sizeOnly = trainSizeOnlyLatency([...bench, ...simulated]);
    const m = latencyMetrics(model, foreign);
    const s = latencyMetrics(sizeOnly, foreign);
    lines.push(
      `  foreign: ${foreign.length} (policy, kind, size) rows of engine timings on ${loadForeignWorkloads().length} hand-written workloads; trained on ${bench.length} bench + ${simulated.length} simulated-manifest timing rows`,
      line('model (foreign)', [m.r2_log, m.r2_us, m.mae_us, m.mape]),
      line('  size-only baseline (foreign)', [s.r2_log, s.r2_us, s.mae_us, s.mape]),
    );
    return {
      lines,
      numbers: {
        latency_r2_log: metrics.r2_log ?? Number.NaN,
        latency_size_only_r2_log: size.r2_log ?? Number.NaN,
        latency_foreign_r2_log: m.r2_log ?? Number.NaN,
        latency_foreign_size_only_r2_log: s.r2_log ?? Number.NaN,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
