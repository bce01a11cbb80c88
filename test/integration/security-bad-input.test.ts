/**
 * The bad-input corpus (test/bad-input/) against the real `pac` CLI (spawned per case) and a real
 * `pac serve` (spawned once) on the real engines: every malformed case refused with a clear error
 * naming its place, every hostile case accepted and neutralised, the server up throughout and its
 * resident memory (sampled every 100 ms) under 1 GiB. Prints the table by category.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeaviateStore } from '../../activities/retrieval/weaviate';
import { loadConfig } from '../../infra/config';
import { createWorkers } from '../../workers/main';
import { manifestCorpus } from '../bad-input/cases-manifests';
import { regoCorpus } from '../bad-input/cases-rego';
import { requestCorpus } from '../bad-input/cases-requests';
import {
  apiCaller,
  countingListener,
  formatTable,
  passed,
  runCli,
  runCorpus,
  type Server,
  sampleRss,
  startServer,
  TOKENS_ENV,
  writeFileIn,
} from '../bad-input/runner';
import type { ApiResult, RunContext } from '../bad-input/types';
import { testEnv } from './harness';

const GIB = 1024 ** 3;
const WORKING = new Set(['retrieving', 'generating', 'testing', 'guardrails', 'publishing']);
const stamp = Date.now().toString(36);
const tmp = mkdtempSync(join(tmpdir(), 'pac-bad-input-'));
const env = () => ({
  ...testEnv(),
  PAC_API_TOKENS: TOKENS_ENV,
  PAC_API_RATE_LIMIT: '100000',
  PAC_TASK_QUEUE_DRAFTING: `bad-input-drafting-${stamp}`,
  PAC_PUBLISH_DIR: join(tmp, 'published'),
  PAC_QA_COLLECTION: `KbBadInput_${stamp}`,
});

let server: Server | undefined;
let rss: ReturnType<typeof sampleRss> | undefined;
let listener: Awaited<ReturnType<typeof countingListener>> | undefined;
let worker: Awaited<ReturnType<typeof createWorkers>> | undefined;
let running: Promise<void> | undefined;

beforeAll(async () => {
  worker = await createWorkers(loadConfig(env()), ['drafting']);
  running = worker.run();
  // the first `pac` run may (re)build dist/: do it once, before the parallel runs
  await runCli(env(), { args: ['--help'], timeoutMs: 120_000 });
  server = await startServer(env());
  rss = sampleRss(server.pid);
  listener = await countingListener();
});

afterAll(async () => {
  rss?.stop();
  await server?.stop();
  await listener?.close();
  worker?.shutdown();
  await running;
  const store = await WeaviateStore.connect(loadConfig(env()));
  await store.deleteCollection(`KbBadInput_${stamp}`).catch(() => {});
  await store.close();
});

describe('the bad-input corpus', () => {
  it('refuses every malformed input with its place, neutralises every hostile one, and stays up under 1 GiB', async () => {
    const all = [...manifestCorpus(), ...regoCorpus(), ...requestCorpus()];
    // BAD_INPUT_ONLY=<regular expression on case ids> replays a part of the corpus (while working on it)
    const only = process.env.BAD_INPUT_ONLY;
    const cases = only ? all.filter((c) => new RegExp(only).test(c.id)) : all;
    if (!only) expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    const live = server as Server;
    const api = apiCaller(live.base);
    const settledDraft = async (id: string): Promise<ApiResult> => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const got = await api({ method: 'GET', path: `/v1/drafts/${id}`, token: 'reader' });
        if (got.status !== 200 || !WORKING.has(got.json.state) || Date.now() > deadline) return got;
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    const make = (dir: string): RunContext => ({
      api,
      cli: (call) => runCli(env(), call),
      file: (name, content) => writeFileIn(dir, name, content),
      settledDraft,
      listener: listener as RunContext['listener'],
    });
    const started = performance.now();
    const outcomes = await runCorpus(cases, make, tmp, 4, (o) => {
      if (process.env.BAD_INPUT_PROGRESS)
        process.stderr.write(
          `[bad-input] ${passed(o) ? 'ok  ' : 'FAIL'} ${o.case.id} ${[o.cli, o.api, o.scenario].map((p) => (p ? Math.round(p.ms) : '-')).join('/')} ms${[o.cli, o.api, o.scenario].map((p) => (p && !p.ok ? `\n    ${p.reason?.slice(0, 400)}` : '')).join('')}\n`,
        );
    });
    const seconds = (performance.now() - started) / 1000;
    const failures = outcomes
      .filter((o) => !passed(o))
      .map((o) =>
        [
          `${o.case.id} (${o.case.what})`,
          ...(['cli', 'api', 'scenario'] as const).flatMap((part) => (o[part] && !o[part]?.ok ? [`  ${part}: ${o[part]?.reason}`] : [])),
        ].join('\n'),
      );
    process.stdout.write(
      `\nbad-input corpus: ${cases.length} cases in ${seconds.toFixed(0)} s; server RSS max ${((rss?.max() ?? 0) / 1024 ** 2).toFixed(0)} MiB over ${rss?.samples()} samples\n${formatTable(outcomes)}\n${failures.length ? `\nfailed:\n${failures.join('\n')}\n` : ''}`,
    );
    expect(live.alive()).toBe(true);
    expect((await api({ method: 'GET', path: '/healthz' })).status).toBe(200);
    expect(rss?.max()).toBeLessThan(GIB);
    expect(listener?.hits()).toBe(0);
    expect(failures).toEqual([]);
  }, 900_000);
});
