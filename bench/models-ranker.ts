/**
 * The ranker section of `npm run bench:models` (bench/models.ts calls it): the lifecycle's own
 * code path (compute-ranker.ts: features → learner selection, fit, Platt calibration → evaluation)
 * on SIMULATED manifests labelled by the committed corpus, then the candidate against the per-kind
 * popularity baseline and the heuristic (calibrated by one Platt scaling) — on the generated
 * holdout (20 % of the skeleton groups) and on the foreign set (datasets/foreign/workloads: 83
 * manifests written by hand, labelled by the engine now, never trained or tuned on).
 *
 * Every metric is printed next to both baselines, and the lines where the model does not beat the
 * better baseline are listed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  computeRankerEvaluation,
  computeRankerFeatures,
  computeRankerTrain,
  type ForeignRow,
  type RankerEvaluationReport,
} from '../activities/lifecycle/compute-ranker';
import { loadForeignWorkloads, openLabeller, policiesPathOf, policyInfoOf, type RankerRow } from '../activities/lifecycle/ranker-data';
import { skeletonDigest } from '../activities/observations';
import { generateManifests } from '../datasets/synthetic/manifests';
import type { Config } from '../infra/config';
import { writeAtomic } from '../lib/atomic';
import type { SectionResult } from './models-fix';

/** The metrics of the table: name, whether higher is better, and its label. */
const ROWS: [metric: string, higherIsBetter: boolean, label: string][] = [
  ['hit_at_1', true, 'hit@1'],
  ['hit_at_5', true, 'hit@5'],
  ['mrr', true, 'MRR'],
  ['precision_at_5', true, 'precision@5 (denied rows)'],
  ['recall_at_5', true, 'recall@5 (denied rows)'],
  ['precision_all_at_5', true, 'precision@5 (every row, p≥0.5)'],
  ['recall_all_at_5', true, 'recall@5 (every row, p≥0.5)'],
  ['clean_flagged_share', false, 'clean rows flagged (p≥0.5)'],
  ['brier', false, 'Brier (every row × policy)'],
  ['brier_top5', false, 'Brier (top 5)'],
  ['tie_share_top5', false, 'top 5 all tied (share)'],
  ['tie_share_top5_any', false, 'top 5 with a tie (share)'],
];

const f3 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(3));

function table(report: RankerEvaluationReport, prefix: string, title: string, notBeaten: string[]): string[] {
  const m = report.metrics;
  const pop = report.baselines.popularity ?? {};
  const heu = report.baselines.heuristic ?? {};
  const lines = [`  ${title}`, `  ${'metric'.padEnd(34)}${'model'.padStart(9)}${'popularity'.padStart(12)}${'heuristic'.padStart(11)}`];
  for (const [metric, higher, label] of ROWS) {
    const key = `${prefix}${metric}`;
    const [a, b, c] = [m[key], pop[key], heu[key]];
    lines.push(`  ${label.padEnd(34)}${f3(a).padStart(9)}${f3(b).padStart(12)}${f3(c).padStart(11)}`);
    if (a === undefined || b === undefined || c === undefined) continue;
    const best = higher ? Math.max(b, c) : Math.min(b, c);
    if (higher ? a <= best : a >= best)
      notBeaten.push(
        `${title.split(' (')[0]}: ${label} ${f3(a)} ${f3(a) === f3(best) ? 'ties' : 'trails'} the better baseline's ${f3(best)}`,
      );
  }
  return lines;
}

export async function rankerSection(config: Config, options: { seed?: number; count?: number } = {}): Promise<SectionResult> {
  const seed = options.seed ?? 4242;
  const count = options.count ?? 3000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-models-ranker-'));
  try {
    // SIMULATED data labelled by the committed corpus (not this machine's published policies)
    const labeller = await openLabeller(config, { includePublished: false });
    const manifests = generateManifests(seed, count);
    const foreign = loadForeignWorkloads();
    let labels: string[][];
    let foreignLabels: string[][];
    try {
      labels = await labeller.label(manifests);
      foreignLabels = await labeller.label(foreign.map((f) => f.manifest));
    } finally {
      await labeller.close();
    }
    const rows: RankerRow[] = manifests.map((manifest, i) => ({
      id: `sim-${seed}-${i}`,
      kind: String(manifest.kind),
      manifest,
      deny: labels[i] as string[],
      origin: 'simulated',
      source: 'simulated',
      time: null,
      group: skeletonDigest(manifest),
    }));
    const datasetPath = join(dir, 'ranker-data.jsonl');
    writeAtomic(datasetPath, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    writeAtomic(
      policiesPathOf(datasetPath),
      JSON.stringify({ corpusDigest: labeller.corpusDigest, policies: policyInfoOf(config, labeller.policyIds) }),
    );
    const foreignPath = join(dir, 'foreign.json');
    writeAtomic(
      foreignPath,
      JSON.stringify(foreign.map((f, i): ForeignRow => ({ file: f.file, manifest: f.manifest, deny: foreignLabels[i] as string[] }))),
    );
    const quiet = () => {};
    const featuresPath = join(dir, 'features.json');
    computeRankerFeatures({ datasetPath, outPath: featuresPath }, quiet);
    const trained = computeRankerTrain({ featuresPath, modelPath: join(dir, 'model.json'), seed: 42 }, quiet);
    const report = computeRankerEvaluation(
      { featuresPath, modelPath: join(dir, 'model.json'), reportPath: join(dir, 'evaluation.json'), foreignPath },
      quiet,
    );
    const notBeaten: string[] = [];
    const foreignDenied = foreignLabels.filter((l) => l.length > 0).length;
    const lines = [
      `ranker — ${trained.learner}, calibrated (Platt per policy), kind-gated; trained on ${trained.trainRows} SIMULATED rows (seed ${seed}), ${labeller.policyIds.length} policies`,
      ...table(
        report,
        '',
        `generated holdout (SIMULATED, ${report.testRows} rows, ${report.metrics.clean_rows} clean; 20 % of skeleton groups)`,
        notBeaten,
      ),
      ...table(
        report,
        'foreign_',
        `foreign set (${foreign.length} hand-written manifests, ${foreign.length - foreignDenied} clean; never tuned on)`,
        notBeaten,
      ),
      `  inference p50 ${f3(report.metrics.inference_p50_us)} µs, p99 ${f3(report.metrics.inference_p99_us)} µs per manifest (features → ranking)`,
      `  target: top 5 all tied ≤ 0.20 — holdout ${f3(report.metrics.tie_share_top5)}, foreign ${f3(report.metrics.foreign_tie_share_top5)}`,
      notBeaten.length
        ? '  where the model does NOT beat the better baseline (ties included):'
        : '  the model beats both baselines on every metric above',
      ...notBeaten.map((n) => `    - ${n}`),
    ];
    const numbers: Record<string, number> = {};
    for (const [name, metrics] of [['model', report.metrics], ...Object.entries(report.baselines)] as [string, Record<string, number>][])
      for (const [key, value] of Object.entries(metrics)) numbers[`ranker_${name}_${key}`] = value;
    return { lines, numbers };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
