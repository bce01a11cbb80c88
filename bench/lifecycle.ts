/**
 * Lifecycle benchmark: the ranker's `lifecycle` workflow end to end on the real engines (Temporal,
 * OPA, MLflow), on 1,000 and 10,000 generated manifests, with the wall time of every step. The
 * 1,000-manifest run is the baseline the 10,000 run is compared with (same machine, same run).
 * Target: 10,000 manifests ≤ 60 s on a 2-core machine. Starts the engines if they are not up.
 *
 *   npm run bench:lifecycle [-- --sizes 1000,10000]
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../infra/config';
import { up } from '../infra/engines';
import { createWorkers } from '../workers/main';
import { startLifecycle } from '../workers/start';
import { temporalClient } from '../workers/temporal';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,10000' } } });
const sizes = values.sizes.split(',').map(Number);
const config = loadConfig();
await up(config);
const worker = await createWorkers(config);
const running = worker.run();
const client = await temporalClient(config);
const steps = ['ingest', 'features', 'train', 'evaluate', 'register'] as const;
const results: { count: number; wall: number; seconds: Record<string, number | undefined>; hit5: number }[] = [];
try {
  for (const count of sizes) {
    const started = performance.now();
    const handle = await startLifecycle(client, config, { family: 'ranker', seed: 9000 + count, count, reason: `benchmark ${count}` });
    const result = await handle.result();
    results.push({
      count,
      wall: (performance.now() - started) / 1000,
      seconds: result.seconds,
      hit5: result.evaluation.metrics.hit_at_5 ?? Number.NaN,
    });
  }
} finally {
  await client.connection.close();
  await worker.shutdown();
  await running;
}
const base = results[0];
console.log(`ranker lifecycle, wall seconds per step (${config.temporal.address}, ${config.mlflow.uri})`);
console.log('manifests'.padEnd(10), ...steps.map((s) => s.padStart(9)), 'total'.padStart(8), 'vs first'.padStart(9), 'hit@5'.padStart(7));
for (const r of results) {
  console.log(
    String(r.count).padEnd(10),
    ...steps.map((s) => (r.seconds[s] ?? 0).toFixed(1).padStart(9)),
    r.wall.toFixed(1).padStart(8),
    `${(r.wall / (base?.wall ?? r.wall)).toFixed(2)}×`.padStart(9),
    r.hit5.toFixed(3).padStart(7),
  );
}
const big = results.find((r) => r.count === 10_000);
if (big) console.log(`10,000 manifests in ${big.wall.toFixed(1)} s: target ≤ 60 s ${big.wall <= 60 ? 'met' : 'MISSED'}`);
console.log('The engines keep running; stop them with: npx pac down');
