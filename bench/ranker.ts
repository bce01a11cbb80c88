/**
 * Ranker inference benchmark: time to rank the corpus policies for one manifest, for the trained
 * ranker (one-vs-rest logistic regression, trained here on generated data labelled by real OPA),
 * the heuristic baseline, and evaluating the full corpus with OPA (the ground truth the ranker
 * approximates) — all measured in this run, printed as ratios. Target: ranker p99 ≤ 1 ms.
 *
 *   npm run bench:ranker [-- --count 3000]
 */
import { parseArgs } from 'node:util';
import { extractManifestFeatures, MANIFEST_FEATURES, relevantFeatures } from '../activities/features';
import { evaluateCorpus } from '../activities/opa/corpus';
import { opaEval } from '../activities/opa/eval';
import { percentile } from '../activities/training/metrics';
import { evaluateRanker, heuristicRanker, measureRankLatency, trainRanker } from '../activities/training/ranker';
import { trainTestSplit } from '../activities/training/split';
import { corpusRegoFiles, loadPolicyIndex } from '../datasets/load';
import { INVENTORY_FILE } from '../datasets/paths';
import { generateManifests } from '../datasets/synthetic/manifests';
import { loadConfig } from '../infra/config';

const { values } = parseArgs({ options: { count: { type: 'string', default: '3000' }, opa: { type: 'string', default: '60' } } });
const count = Number(values.count);
const config = loadConfig();
const index = loadPolicyIndex();
const manifests = generateManifests(4242, count);
const evaluations = await evaluateCorpus({ opa: config.opa, regoFiles: corpusRegoFiles(), dataFiles: [INVENTORY_FILE], manifests });
const examples = manifests.map((m, i) => ({
  id: `b-${i}`,
  features: extractManifestFeatures(m),
  deny: Object.keys(evaluations[i]?.denied ?? {}),
}));
const split = trainTestSplit(
  examples.map((e) => e.id),
  0.2,
  1,
);
const train = split.train.map((i) => examples[i] as (typeof examples)[number]);
const test = split.test.map((i) => examples[i] as (typeof examples)[number]);

const ranker = trainRanker({ examples: train, spec: MANIFEST_FEATURES, policies: index.map((m) => m.id), learner: 'logistic' });
const heuristic = heuristicRanker(
  index.map((m) => ({ id: m.id, kinds: m.kinds, reliability: m.reliability, relevant: relevantFeatures(m) })),
  { spec: MANIFEST_FEATURES },
);

// ranking latency includes feature extraction from the raw manifest, as a webhook would pay it
const testManifests = split.test.map((i) => manifests[i] as Record<string, unknown>);
function timeEndToEnd(rank: (m: Record<string, unknown>) => unknown, repeats = 3) {
  for (const m of testManifests.slice(0, 200)) rank(m);
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const m of testManifests) {
      const start = performance.now();
      rank(m);
      times.push((performance.now() - start) * 1000);
    }
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}
const learned = timeEndToEnd((m) => ranker.rank(extractManifestFeatures(m), 5));
const base = timeEndToEnd((m) => heuristic.rank(extractManifestFeatures(m), 5));
const modelOnly = measureRankLatency(
  ranker,
  test.map((e) => e.features),
  { repeats: 3 },
);

// full corpus with OPA, one manifest per `opa eval` (what an uncached check of one manifest costs)
const opaTimes: number[] = [];
for (const m of testManifests.slice(0, Number(values.opa))) {
  const start = performance.now();
  await opaEval({
    opa: config.opa,
    query: 'x := {k | some k; count(data.kpc.policies[k].deny) > 0}',
    dataPaths: [...corpusRegoFiles(), INVENTORY_FILE],
    input: m,
  });
  opaTimes.push((performance.now() - start) * 1000);
}
const opa = { p50: percentile(opaTimes, 50), p99: percentile(opaTimes, 99) };

const quality = evaluateRanker(ranker, test).metrics;
const hq = evaluateRanker(heuristic, test).metrics;
const fmt = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);
const rows: [string, { p50: number; p99: number }][] = [
  ['learned ranker (features + rank)', learned],
  ['learned ranker (rank only)', { p50: modelOnly.p50Us, p99: modelOnly.p99Us }],
  ['heuristic baseline (features + rank)', base],
  ['full corpus with opa eval (per manifest)', opa],
];
console.log(`ranker inference over ${testManifests.length} held-out manifests (${index.length} policies, trained on ${train.length})`);
console.log('what'.padEnd(44), 'p50'.padStart(10), 'p99'.padStart(10), '  p99 vs heuristic');
for (const [name, t] of rows)
  console.log(name.padEnd(44), fmt(t.p50).padStart(10), fmt(t.p99).padStart(10), `  ${(t.p99 / base.p99).toFixed(2)}×`);
console.log(
  `learned p99 vs opa p99: ${(opa.p99 / learned.p99).toFixed(0)}× faster; target p99 ≤ 1 ms: ${learned.p99 <= 1000 ? 'met' : 'MISSED'}`,
);
console.log(
  `quality on held-out: learned hit@1 ${quality.hit_at_1?.toFixed(3)} hit@5 ${quality.hit_at_5?.toFixed(3)} mrr ${quality.mrr?.toFixed(3)}; heuristic hit@1 ${hq.hit_at_1?.toFixed(3)} hit@5 ${hq.hit_at_5?.toFixed(3)} mrr ${hq.mrr?.toFixed(3)}`,
);
