/**
 * Loopback load on the HTTP API: starts `pac serve` as a child process on a free port, sends a
 * bounded number of POST /v1/analyze requests (real OPA per request) with a fixed concurrency,
 * and prints latency p50/p95/p99 and throughput next to the same load on GET /healthz (the
 * baseline measured in the same run: the HTTP stack without the work).
 *
 *   npm run bench:api -- [--requests 200] [--concurrency 4]
 *
 * Only 127.0.0.1 is ever contacted; the run stops by itself (request count, and 180 s at most).
 * /v1 routes need a bearer token: the server gets a random read-scoped one for this run. Recording
 * is on (PAC_OBSERVE=on, as in production), into a throw-away observation store, so the numbers
 * include what recording every analysed object costs; the same load then runs against a server
 * with recording off, and the ratio on/off is printed with how many observations were written.
 *
 * Admission: POST /v1/admission/validate (an AdmissionReview of the same object) and /v1/analyze
 * at 1 and 4 concurrent clients against the same server, side by side. The webhook is called over
 * plain HTTP with a random PAC_ADMISSION_TOKEN (in a cluster it runs over HTTPS; TLS handshakes
 * are per connection and fetch keeps connections alive, so the per-request cost is comparable).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { quantile } from '../activities/qa/eval';
import { POLICIES_DIR } from '../datasets/paths';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '4' } } });
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
if (!(Number.isInteger(requests) && requests > 0 && requests <= 10_000)) throw new Error('--requests: 1 to 10000');
if (!(Number.isInteger(concurrency) && concurrency > 0 && concurrency <= 64)) throw new Error('--concurrency: 1 to 64');
const DEADLINE = Date.now() + 180_000;

const TOKEN = randomBytes(24).toString('hex');
const ADMISSION_TOKEN = randomBytes(24).toString('hex');
const STORE = mkdtempSync(join(tmpdir(), 'bench-api-observations-'));

const manifest = readFileSync(join(POLICIES_DIR, 'pss-privileged', 'samples', 'disallowed', 'daemonset-profiler-agent.yaml'), 'utf8');

function startServer(observe: 'on' | 'off'): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/pac.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      PAC_API_RATE_LIMIT: String(requests * 10),
      PAC_API_TOKENS: `bench:${TOKEN}:read`,
      PAC_ADMISSION_TOKEN: ADMISSION_TOKEN,
      PAC_OBSERVE: observe,
      PAC_OBSERVATIONS_DIR: STORE,
    },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += String(chunk);
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.once('exit', (code) => reject(new Error(`pac serve exited with ${code} before listening`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function load(
  name: string,
  send: () => Promise<Response>,
  clients = concurrency,
): Promise<{ name: string; ms: number[]; errors: number; seconds: number; clients: number }> {
  for (let i = 0; i < Math.min(5, requests); i++) await (await send()).arrayBuffer(); // warm-up
  const ms: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests && Date.now() < DEADLINE) {
      next++;
      const t0 = performance.now();
      const response = await send();
      await response.arrayBuffer();
      ms.push(performance.now() - t0);
      if (!response.ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  return { name, ms, errors, seconds: (performance.now() - started) / 1000, clients };
}

type Load = Awaited<ReturnType<typeof load>>;

/** The analyze load against a server with recording on or off, and (recording on) the /healthz baseline. */
const analyzeRequest = (url: string) =>
  fetch(`${url}/v1/analyze`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ manifests: manifest, top: 5 }),
  });

let uid = 0;
const reviewed = parse(manifest) as Record<string, unknown>;
const admissionRequest = (url: string) =>
  fetch(`${url}/v1/admission/validate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMISSION_TOKEN}` },
    body: JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: `bench-${++uid}`,
        kind: { group: 'apps', version: 'v1', kind: String(reviewed.kind) },
        operation: 'CREATE',
        object: reviewed,
        dryRun: false,
      },
    }),
  });

async function measure(observe: 'on' | 'off'): Promise<Load[]> {
  const { child, url } = await startServer(observe);
  try {
    const analyze = await load(`POST /v1/analyze (recording ${observe})`, () => analyzeRequest(url));
    if (observe === 'off') return [analyze];
    const health = await load('GET /healthz', () => fetch(`${url}/healthz`));
    const side: Load[] = [];
    for (const clients of [1, 4]) {
      side.push(await load(`POST /v1/analyze c=${clients}`, () => analyzeRequest(url), clients));
      side.push(await load(`POST /v1/admission/validate c=${clients}`, () => admissionRequest(url), clients));
    }
    return [analyze, health, ...side];
  } finally {
    // SIGTERM: the server closes, and its pending observations are written
    await stop(child);
  }
}

try {
  const [on, health, ...side] = (await measure('on')) as [Load, Load, ...Load[]];
  const [off] = (await measure('off')) as [Load];
  const { observationCounts } = await import('../activities/observations');
  const { loadConfig } = await import('../infra/config');
  const recorded = observationCounts(loadConfig({ ...process.env, PAC_OBSERVATIONS_DIR: STORE })).total;
  const rows = [on, off, health, ...side].map((r) => ({
    route: r.name,
    requests: r.ms.length,
    errors: r.errors,
    concurrency: r.clients,
    p50_ms: quantile(r.ms, 0.5),
    p95_ms: quantile(r.ms, 0.95),
    p99_ms: quantile(r.ms, 0.99),
    rps: r.ms.length / r.seconds,
  }));
  const [a, o, h] = rows as [(typeof rows)[number], (typeof rows)[number], (typeof rows)[number]];
  const summary = {
    rows,
    ratio_p50_analyze_to_healthz: a.p50_ms / h.p50_ms,
    ratio_p50_recording_on_to_off: a.p50_ms / o.p50_ms,
    ratio_p99_recording_on_to_off: a.p99_ms / o.p99_ms,
    observations_recorded: recorded,
    // the webhook next to /v1/analyze (same object, same server, same run): p50 and p99 ratios per client count
    admission_vs_analyze: [1, 4].map((clients) => {
      const row = (prefix: string) => rows.find((r) => r.route === `${prefix} c=${clients}`) as (typeof rows)[number];
      const [ad, an] = [row('POST /v1/admission/validate'), row('POST /v1/analyze')];
      return {
        clients,
        admission_p50_ms: ad.p50_ms,
        admission_p99_ms: ad.p99_ms,
        analyze_p50_ms: an.p50_ms,
        analyze_p99_ms: an.p99_ms,
        ratio_p99: ad.p99_ms / an.p99_ms,
      };
    }),
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  for (const r of rows)
    process.stderr.write(
      `${r.route.padEnd(40)} n=${r.requests} c=${r.concurrency} errors=${r.errors} p50=${r.p50_ms.toFixed(1)}ms p95=${r.p95_ms.toFixed(1)}ms p99=${r.p99_ms.toFixed(1)}ms ${r.rps.toFixed(1)} req/s\n`,
    );
  process.stderr.write(
    `p50 /v1/analyze is ${(a.p50_ms / h.p50_ms).toFixed(0)}× the HTTP baseline (/healthz); recording on / off: p50 ${summary.ratio_p50_recording_on_to_off.toFixed(2)}×, p99 ${summary.ratio_p99_recording_on_to_off.toFixed(2)}× (${recorded} observations recorded by the recording-on server, its admission and side-by-side loads included)\n`,
  );
} finally {
  rmSync(STORE, { recursive: true, force: true });
}
