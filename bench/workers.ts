/**
 * Scale-out benchmark: throughput (manifests/s) of the ranker's sharded labelling + features (the
 * `rankerData` workflow: plan → labelShard × N → merge → featureShard × N → merge) with 1 and with
 * 2 `pac worker --queues lifecycle` OS processes, on the same SIMULATED data, in one run. The
 * 1-process run is the baseline; the ratio is printed with the machine's core count, since worker
 * processes on one machine can only use its cores. Both runs must produce the same dataset and
 * feature file (digests printed). Starts the engines if they are not up.
 *
 *   npm run bench:workers [-- --count 4000 --shard-size 250 --repeat 2]
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../infra/config';
import { up } from '../infra/engines';
import { sha256 } from '../lib/digest';
import { temporalClient } from '../workers/temporal';
import { type PacWorkerProcess, type ShardedRun, shardedRankerData, startPacWorker } from './pac-workers';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '4000' },
    'shard-size': { type: 'string', default: '250' },
    repeat: { type: 'string', default: '2' },
  },
});
const count = Number(values.count);
const shardSize = Number(values['shard-size']);
const repeat = Number(values.repeat);
const taskQueue = `bench-workers-${Date.now().toString(36)}`;
const env = { ...process.env, PAC_TASK_QUEUE_LIFECYCLE: taskQueue };
const config = loadConfig(env);
await up(config);
const client = await temporalClient(config);

interface Measured {
  processes: number;
  /** --concurrency of each process (activities at a time) */
  concurrency: number;
  runs: ShardedRun[];
  /** best wall time of the repeats (the least disturbed by other load on the machine) */
  seconds: number;
}

async function measure(processes: number, concurrency = 1): Promise<Measured> {
  const workers: PacWorkerProcess[] = [];
  const name = `${processes}p${concurrency > 1 ? `c${concurrency}` : ''}`;
  try {
    for (let i = 1; i <= processes; i++)
      workers.push(await startPacWorker(env, { identity: `bench-${name}-w${i}`, taskQueue, concurrency }));
    // warm-up: every process compiles its workflow bundle and starts its engine thread once
    await shardedRankerData(client, config, { taskQueue, label: `warm-${name}`, count: shardSize * processes * 2, shardSize });
    const runs: ShardedRun[] = [];
    for (let r = 0; r < repeat; r++)
      runs.push(await shardedRankerData(client, config, { taskQueue, label: `bench-${name}`, count, shardSize }));
    return { processes, concurrency, runs, seconds: Math.min(...runs.map((run) => run.seconds)) };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

const fileDigest = (path: string) => sha256(readFileSync(path)).slice(0, 16);
const shardsBy = (run: ShardedRun) => {
  const counts: Record<string, number> = {};
  for (const type of ['labelShard', 'featureShard'])
    for (const identity of run.ran.get(type) ?? []) counts[identity] = (counts[identity] ?? 0) + 1;
  return Object.entries(counts)
    .map(([identity, n]) => `${identity}: ${n}`)
    .join(', ');
};

try {
  const one = await measure(1);
  const two = await measure(2);
  // for comparison: one process running two shards at a time (--concurrency 2), the same cores in one process
  const oneByTwo = await measure(1, 2);
  const shards = one.runs[0]?.result.plan.shards ?? 0;
  console.log(
    `ranker sharded labelling + features: ${count} SIMULATED manifests, ${shards} shards of ${shardSize} (labelShard + featureShard each), best of ${repeat}`,
  );
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}); Temporal ${config.temporal.address}`);
  console.log(
    'processes × concurrency'.padEnd(22),
    'seconds'.padStart(8),
    'manifests/s'.padStart(12),
    'vs 1'.padStart(7),
    '  dataset / features digest',
    '  shard activities by worker',
  );
  for (const m of [one, two, oneByTwo]) {
    const run = m.runs[0] as ShardedRun;
    console.log(
      `${m.processes} × ${m.concurrency}`.padEnd(22),
      m.seconds.toFixed(2).padStart(8),
      (count / m.seconds).toFixed(0).padStart(12),
      `${(one.seconds / m.seconds).toFixed(2)}×`.padStart(7),
      `  ${run.result.dataset.digest.slice(0, 16)} / ${fileDigest(run.result.features.path)}`,
      `  ${shardsBy(run)}`,
    );
  }
  const same = [...one.runs, ...two.runs, ...oneByTwo.runs].every(
    (r) =>
      r.result.dataset.digest === one.runs[0]?.result.dataset.digest &&
      fileDigest(r.result.features.path) === fileDigest(one.runs[0]?.result.features.path as string),
  );
  console.log(`same dataset and feature file in every run: ${same ? 'yes' : 'NO'}`);
  const ratio = one.seconds / two.seconds;
  console.log(
    `2 worker processes vs 1: ${ratio.toFixed(2)}× the throughput on ${availableParallelism()} cores` +
      (availableParallelism() <= 2
        ? ' (the ceiling here is the core count: the 2 processes share 2 cores with Temporal, MLflow and the merges, which run on one worker)'
        : ''),
  );
  if (!same) process.exitCode = 1;
} finally {
  await client.connection.close();
}
console.log('The engines keep running; stop them with: npx pac down');
