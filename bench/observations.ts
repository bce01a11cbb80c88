/**
 * Observation store benchmark: what recording costs, measured against a baseline in the same run.
 *
 * 1. `pac analyze` of one manifest, in process (parse, real `opa eval` of the corpus, features,
 *    heuristic ranking — analyze() without the MLflow champion lookup), with recording off and on,
 *    interleaved; the ratio on/off, and the directly measured recording cost as a share of it;
 * 2. the same against the in-process part alone (parse + features + ranking, no OPA): a stricter
 *    baseline, standing in for a fast in-process policy engine;
 * 3. appends per second: record() alone (the hot path: validation and a normalised copy), and end to
 *    end (record + redaction, digests and the batched write at flush), against a disabled recorder;
 * 4. compaction of 10,000 observations into Parquet: records/s and MB/s;
 * 5. storage of those 10,000: the write-ahead JSONL against the Parquet segments (and the plain
 *    JSON of the manifests as a reference);
 * 6. reading them back: the window, deduplicated by digest, and the counts.
 *
 * Data: the simulated manifests of datasets/generated (labelled as such), renamed per copy so each
 * of the 10,000 has its own digest.
 *
 *   npm run bench:observations [-- --count 10000] [-- --runs 30] [-- --json out.json]
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { extractManifestFeatures, MANIFEST_FEATURES, relevantFeatures } from '../activities/features';
import {
  closeWriters,
  compactObservations,
  observationCounts,
  observationRecorder,
  type Recorder,
  readObservations,
} from '../activities/observations';
import { evaluateCorpus } from '../activities/opa/corpus';
import { heuristicRanker } from '../activities/training/ranker';
import { corpusDigest, corpusRegoFiles, loadPolicyIndex, readJsonl } from '../datasets/load';
import { GENERATED_DIR, INVENTORY_FILE } from '../datasets/paths';
import { labelledManifestSchema } from '../datasets/schemas';
import { loadConfig } from '../infra/config';
import { readManifestText } from '../lib/manifest-stream';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '10000' }, runs: { type: 'string', default: '30' }, json: { type: 'string' } },
});
const COUNT = Number(values.count);
const RUNS = Number(values.runs);
if (!(Number.isInteger(COUNT) && COUNT >= 100 && COUNT <= 1_000_000)) throw new Error('--count: 100 to 1000000');
if (!(Number.isInteger(RUNS) && RUNS >= 3 && RUNS <= 1000)) throw new Error('--runs: 3 to 1000');

const work = mkdtempSync(join(tmpdir(), 'pac-bench-obs-'));
const env = { ...process.env, PAC_STATE_DIR: work, PAC_OBSERVATIONS_DIR: join(work, 'store') };
const on = loadConfig({ ...env, PAC_OBSERVE: 'on' });
const off = loadConfig({ ...env, PAC_OBSERVE: 'off' });
const results: Record<string, unknown> = {};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? ((s[Math.floor((s.length - 1) / 2)] as number) + (s[Math.ceil((s.length - 1) / 2)] as number)) / 2 : 0;
};
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

function dirBytes(dir: string, suffix: string): number {
  let total = 0;
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const stat = statSync(path);
      if (stat.isDirectory()) visit(path);
      else if (name.endsWith(suffix)) total += stat.size;
    }
  };
  visit(dir);
  return total;
}

// the simulated manifests, and COUNT renamed copies (each its own digest)
const base = readJsonl(join(GENERATED_DIR, 'manifests-s42-n2000.jsonl'), labelledManifestSchema).map(
  (r) => r.manifest as Record<string, unknown>,
);
const copies = Array.from({ length: COUNT }, (_, i) => {
  const m = base[i % base.length] as Record<string, unknown>;
  const metadata = (m.metadata ?? {}) as Record<string, unknown>;
  return { ...m, metadata: { ...metadata, name: `${String(metadata.name ?? 'x')}-${Math.floor(i / base.length)}` } };
});

const policies = loadPolicyIndex().map((p) => ({ id: p.id, kinds: p.kinds, reliability: p.reliability, relevant: relevantFeatures(p) }));
const ranker = heuristicRanker(policies, { spec: MANIFEST_FEATURES });
const regoFiles = corpusRegoFiles();
const corpus = corpusDigest();
const ONE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: shop
  labels: {app: checkout}
spec:
  replicas: 2
  selector: {matchLabels: {app: checkout}}
  template:
    metadata: {labels: {app: checkout}}
    spec:
      containers:
      - name: app
        image: ghcr.io/shop/checkout:1.4.2
        ports: [{containerPort: 8080}]
        env:
        - {name: DB_PASSWORD, value: not-a-real-password}
        resources: {limits: {cpu: 500m, memory: 256Mi}}
`;

/** What analyze() does for its input (minus the champion lookup), then what its hook will record. */
async function analyzeOne(recorder: Recorder, withOpa: boolean, text = ONE) {
  const { objects } = readManifestText(text, 'bench.yaml');
  const denied = withOpa
    ? await evaluateCorpus({ opa: on.opa, regoFiles, dataFiles: [INVENTORY_FILE], manifests: objects.map((o) => o.manifest) })
    : objects.map(() => ({ denied: {} }));
  objects.forEach((object, i) => {
    const top = ranker.rank(extractManifestFeatures(object.manifest), 5).map((r) => ({ policy: r.id, score: r.score }));
    recorder.record({
      source: 'cli',
      manifest: object.manifest,
      denied: Object.keys(denied[i]?.denied ?? {}),
      ranker: { version: 'heuristic', top },
      corpusDigest: corpus,
      origin: `bench.yaml:${object.line}`,
    });
  });
}

/** CPU time of this process (user + system) in ms: unlike wall time, not inflated by other load. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** A recorder on its own store, whose batch never fills inside a measured loop (flushes measured apart). */
function quietRecorder(name: string): Recorder {
  return observationRecorder(loadConfig({ ...env, PAC_OBSERVE: 'on', PAC_OBSERVATIONS_DIR: join(work, name) }), {
    batch: 1_000_000,
    flushMs: 3_600_000,
  });
}

// 1. analyze of one manifest with real OPA, recording off vs on (interleaved) --------------------
{
  const recOn = observationRecorder(on);
  const recOff = observationRecorder(off);
  await analyzeOne(recOff, true); // warm-up: opa's first start, module loading
  await analyzeOne(recOn, true);
  const times = { off: [] as number[], on: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    for (const mode of i % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const t = performance.now();
      await analyzeOne(mode === 'on' ? recOn : recOff, true);
      times[mode].push(performance.now() - t);
    }
  }
  // the recording of this one manifest alone, many times (too small to see inside one analyze's
  // noise), in CPU time: the call itself (the hot path), then the flush (redaction, digests, write)
  const { manifest } = readManifestText(ONE, 'bench.yaml').objects[0] as { manifest: Record<string, unknown> };
  const quiet = quietRecorder('one');
  const n = 5000;
  const input = {
    source: 'cli' as const,
    manifest,
    denied: ['a', 'b'],
    ranker: { version: 'h', top: [{ policy: 'a', score: 0.5 }] },
    corpusDigest: corpus,
  };
  for (let i = 0; i < 500; i++) quiet.record(input);
  quiet.flush();
  let c = cpuMs();
  for (let i = 0; i < n; i++) quiet.record(input);
  const hot = (cpuMs() - c) / n;
  c = cpuMs();
  quiet.flush();
  const full = hot + (cpuMs() - c) / n;
  const offMedian = median(times.off);
  const onMedian = median(times.on);
  console.log(`\n== 1. analyze of one manifest (real opa eval + features + heuristic rank), ${RUNS} runs each, interleaved (wall time)`);
  console.log(`recording off (baseline): median ${offMedian.toFixed(2)} ms`);
  console.log(
    `recording on:             median ${onMedian.toFixed(2)} ms   ratio on/off ${(onMedian / offMedian).toFixed(3)} (run-to-run noise included)`,
  );
  console.log(
    `recording this manifest, CPU time: the call ${us(hot)} = ${pct(hot / offMedian)} of the analyze; all of it (+ flush) ${us(full)} = ${pct(full / offMedian)}`,
  );
  results.analyzeOne = { runs: RUNS, offMedianMs: offMedian, onMedianMs: onMedian, recordCallMs: hot, recordAllMs: full };
}

// 2. against the in-process part alone (no OPA) ---------------------------------------------
{
  const texts = base.slice(0, 1000).map((m) => JSON.stringify(m));
  const recOff = observationRecorder(off);
  // each manifest is analysed twice in a row, once with recording off and once on (the order
  // alternating), 5 rounds: both modes see the same machine load
  const sums = { off: 0, on: 0, flush: 0 };
  for (const text of texts.slice(0, 100)) await analyzeOne(recOff, false, text);
  for (let round = 0; round < 5; round++) {
    const recOn = quietRecorder(`inproc-${round}`);
    for (const [i, text] of texts.entries()) {
      for (const mode of (i + round) % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const t = performance.now();
        await analyzeOne(mode === 'on' ? recOn : recOff, false, text);
        sums[mode] += performance.now() - t;
      }
    }
    const t = performance.now();
    recOn.flush();
    sums.flush += performance.now() - t;
  }
  const n = 5 * texts.length;
  const [offM, onM, flushM] = [sums.off / n, sums.on / n, sums.flush / n];
  console.log(
    `\n== 2. the in-process part alone (parse + features + rank, no OPA), ${texts.length} simulated manifests × 5 rounds, off/on alternating (wall time)`,
  );
  console.log(`recording off (baseline): ${us(offM)} per manifest`);
  console.log(`recording on, the call:   ${us(onM)}   ratio ${(onM / offM).toFixed(3)} (+${pct(onM / offM - 1)}: what the analysis waits)`);
  console.log(
    `recording on, all of it:  ${us(onM + flushM)}   ratio ${((onM + flushM) / offM).toFixed(3)} (+${pct((onM + flushM) / offM - 1)}: with the flush, done off the path)`,
  );
  results.inProcess = { offUs: offM * 1000, callUs: onM * 1000, allUs: (onM + flushM) * 1000 };
}

// sections 1 and 2 wrote to the main store: start 3 to 6 from an empty one
closeWriters();
rmSync(on.observations.dir, { recursive: true, force: true });

// 3. appends per second -----------------------------------------------------------------------
{
  const recOff = observationRecorder(off);
  let c = cpuMs();
  for (const manifest of copies) recOff.record({ source: 'api', manifest, denied: [] });
  const offMs = cpuMs() - c;
  const recOn = observationRecorder(on, { batch: 256 });
  const wall = performance.now();
  let own = 0;
  for (const [i, manifest] of copies.entries()) {
    c = cpuMs();
    recOn.record({ source: 'api', manifest, denied: [], corpusDigest: corpus });
    own += cpuMs() - c;
    // yield as a server does between requests: the batched flushes run here
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  closeWriters(); // writes what is still queued and seals the file
  const wallMs = performance.now() - wall;
  const perSec = (ms: number) => Math.round(COUNT / (ms / 1000)).toLocaleString('en');
  console.log(`\n== 3. appends, ${COUNT} simulated manifests`);
  console.log(`recorder off (baseline, CPU):  ${perSec(offMs)} calls/s`);
  console.log(`record() call (CPU):           ${perSec(own)} appends/s (${us(own / COUNT)} each)`);
  console.log(`end to end (wall, with flushes): ${perSec(wallMs)} appends/s (${us(wallMs / COUNT)} each)`);
  results.appends = {
    count: COUNT,
    offPerSec: COUNT / (offMs / 1000),
    callPerSec: COUNT / (own / 1000),
    endToEndPerSec: COUNT / (wallMs / 1000),
  };
}

// 4 + 5. compaction and storage -----------------------------------------------------------------
{
  const table = join(on.observations.dir, 'observations');
  const walBytes = dirBytes(join(table, 'wal'), '.jsonl');
  const jsonBytes = copies.reduce((sum, m) => sum + Buffer.byteLength(JSON.stringify(m)) + 1, 0);
  const t = performance.now();
  const stats = compactObservations(on).observations;
  const ms = performance.now() - t;
  const parquetBytes = dirBytes(join(table, 'segments'), '.parquet');
  console.log(`\n== 4. compaction of ${stats.records} observations (${stats.files} write-ahead file(s), ${stats.segments} segment(s))`);
  console.log(
    `${(ms / 1000).toFixed(2)} s: ${Math.round(stats.records / (ms / 1000)).toLocaleString('en')} records/s, ${mb(walBytes / (ms / 1000))}/s of JSONL`,
  );
  console.log(`\n== 5. storage of ${COUNT} observations`);
  console.log(`plain JSON of the manifests (reference): ${mb(jsonBytes)}`);
  console.log(`write-ahead JSONL (baseline):            ${mb(walBytes)}  (${Math.round(walBytes / COUNT)} B per observation)`);
  console.log(
    `Parquet segments (zstd):                 ${mb(parquetBytes)}  (${Math.round(parquetBytes / COUNT)} B per observation), ${(walBytes / parquetBytes).toFixed(1)}x smaller than the JSONL`,
  );
  results.compaction = { records: stats.records, seconds: ms / 1000, recordsPerSec: stats.records / (ms / 1000) };
  results.storage = { count: COUNT, jsonBytes, walBytes, parquetBytes, ratio: walBytes / parquetBytes };
}

// 6. reading ----------------------------------------------------------------------------------
{
  let t = performance.now();
  const all = readObservations(on);
  const readMs = performance.now() - t;
  t = performance.now();
  const deduped = readObservations(on, { dedupe: 'digest' });
  const dedupMs = performance.now() - t;
  t = performance.now();
  const counts = observationCounts(on);
  const countMs = performance.now() - t;
  console.log(`\n== 6. reading ${all.length} observations back`);
  console.log(
    `window as records: ${readMs.toFixed(0)} ms; deduplicated by digest (${deduped.length} rows): ${dedupMs.toFixed(0)} ms; counts per source/day/kind (${counts.rows.length} rows): ${countMs.toFixed(0)} ms`,
  );
  results.read = { rows: all.length, readMs, dedupRows: deduped.length, dedupMs, countRows: counts.rows.length, countMs };
}

if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
