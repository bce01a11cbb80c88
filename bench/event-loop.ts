/**
 * Event-loop lag during a training: the ranker's train step (learner comparison + final fit) run
 * on the worker's own event loop — as the activity did before — and in a worker thread, as it does
 * now (activities/lifecycle/thread.ts), on the same feature file in the same run. While it trains, a
 * 10 ms timer measures how late the event loop answers (what a heartbeat, a workflow task or another
 * queue's activity would wait), and perf_hooks' event-loop delay histogram gives p50/p99/max.
 *
 * Data: the committed datasets/generated/manifests-s42-n2000.jsonl (simulated manifests, labelled by
 * the real corpus). No engine is needed.
 *
 *   npm run bench:event-loop [-- --rows 2000]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { computeFeatures, computeTrain } from '../activities/lifecycle/compute';
import { runInThread } from '../activities/lifecycle/thread';
import { GENERATED_DIR } from '../datasets/paths';
import { loadConfig } from '../infra/config';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '2000' } } });
const rows = Number(values.rows);
const config = loadConfig();
const dir = mkdtempSync(join(tmpdir(), 'pac-bench-loop-'));

interface Lag {
  seconds: number;
  maxLateMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ticks: number;
}

/** Runs `work` while measuring how late a 10 ms timer fires and the event-loop delay histogram. */
async function measure(work: () => Promise<unknown>): Promise<Lag> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  let maxLate = 0;
  let ticks = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxLate = Math.max(maxLate, now - last - 10);
    last = now;
    ticks++;
  }, 10);
  histogram.enable();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  // one more turn of the loop, so a timer held back by a synchronous run fires and is counted
  await new Promise((resolve) => setTimeout(resolve, 20));
  histogram.disable();
  clearInterval(timer);
  // the histogram samples on the loop too: a loop blocked for the whole run leaves it (nearly) empty,
  // and what it holds then are the few samples outside the training — not shown
  const sampled = ticks > 10;
  const ms = (ns: number) => (sampled ? ns / 1e6 : Number.NaN);
  return {
    seconds,
    maxLateMs: maxLate,
    p50Ms: ms(histogram.percentile(50)),
    p99Ms: ms(histogram.percentile(99)),
    maxMs: ms(histogram.max),
    ticks,
  };
}

try {
  const source = join(GENERATED_DIR, 'manifests-s42-n2000.jsonl');
  const datasetPath = join(dir, 'dataset.jsonl');
  writeFileSync(datasetPath, `${readFileSync(source, 'utf8').trim().split('\n').slice(0, rows).join('\n')}\n`);
  const featuresPath = join(dir, 'features.json');
  await computeFeatures({ config, family: 'ranker', datasetPath, outPath: featuresPath }, () => {});
  const input = (name: string) => ({ family: 'ranker' as const, featuresPath, modelPath: join(dir, `${name}.json`), seed: 42 });

  const onLoop = await measure(async () => computeTrain(input('on-loop'), () => {}));
  let progress = 0;
  const inThread = await measure(() => runInThread('train', input('in-thread'), { onProgress: () => progress++ }));
  const same = readFileSync(join(dir, 'on-loop.json'), 'utf8').length === readFileSync(join(dir, 'in-thread.json'), 'utf8').length;

  const fmt = (v: number, digits: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(digits)} ms`).padStart(11);
  const row = (name: string, l: Lag) =>
    `${name.padEnd(22)} ${l.seconds.toFixed(1).padStart(7)} s ${l.maxLateMs.toFixed(0).padStart(9)} ms ${fmt(l.p50Ms, 1)} ${fmt(l.p99Ms, 1)} ${fmt(l.maxMs, 0)} ${String(l.ticks).padStart(7)}`;
  process.stdout.write(
    `${[
      `ranker train step on ${rows} simulated manifests (learner comparison + final fit); event-loop lag while it trains`,
      `${'where'.padEnd(22)} ${'train'.padStart(9)} ${'max late'.padStart(12)} ${'p50 delay'.padStart(11)} ${'p99 delay'.padStart(11)} ${'max delay'.padStart(11)} ${'10ms ticks'.padStart(7)}`,
      row('event loop (baseline)', onLoop),
      row('worker thread', inThread),
      `max lateness ratio (thread / baseline): ${(inThread.maxLateMs / Math.max(onLoop.maxLateMs, 1)).toFixed(4)}; progress reports forwarded as heartbeats: ${progress}; same model size: ${same}`,
      `train time ratio (thread / baseline): ${(inThread.seconds / onLoop.seconds).toFixed(2)} (thread start and module load included)`,
    ].join('\n')}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
