/**
 * Every analysis records what it saw, on the real policy engine and the real observation store:
 * `pac analyze` (source cli, or ci when CI is set), POST /v1/analyze (source api, with the bearer
 * token the route needs), troubleshooting (the caller's source); PAC_OBSERVE=off records nothing.
 * Secret values never reach the store. Each case uses its own observation store.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { closeWriters, readObservations } from '../../activities/observations';
import { troubleshootInProcess } from '../../activities/troubleshooting';
import { buildApp } from '../../api/server';
import { loadConfig } from '../../infra/config';
import { testEnv } from './harness';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKEN = 'models-recording-token-0123456789';

const privileged = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx',
            securityContext: { privileged: true },
            env: [{ name: 'DB_PASSWORD', value: 'hunter2-very-secret' }],
          },
        ],
      },
    },
  },
};
const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { type: 'NodePort', selector: { app: 'web' } },
};

function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'pac-models-recording-'));
  return { ...testEnv(), PAC_OBSERVATIONS_DIR: join(dir, 'observations'), PAC_API_TOKENS: `tester:${TOKEN}:read`, ...extra };
}

function analyzeFile(env: NodeJS.ProcessEnv): Promise<number | null> {
  const dir = mkdtempSync(join(tmpdir(), 'pac-models-recording-in-'));
  const file = join(dir, 'app.yaml');
  writeFileSync(file, `${stringify(privileged)}---\n${stringify(service)}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'pac.js'), 'analyze', file, '--bundle', 'all', '--json'], {
      cwd: ROOT,
      env,
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('close', resolve);
  });
}

describe('recording what analyses saw', () => {
  it('pac analyze records each object with source cli, the denying policies, the corpus digest and file:line; secrets redacted', async () => {
    const env = envWith({ CI: '' });
    expect(await analyzeFile(env)).toBe(3);
    const observations = readObservations(loadConfig(env));
    expect(observations.map((o) => `${o.source} ${o.kind} ${o.origin?.replace(/^.*\//, '')}`)).toEqual([
      'cli Deployment app.yaml:1',
      `cli Service app.yaml:${stringify(privileged).split('\n').length + 1}`,
    ]);
    const [deployment] = observations;
    expect(deployment?.denied).toContain('pss-privileged');
    expect(deployment?.corpusDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(deployment?.manifest)).not.toContain('hunter2');
  });

  it('a run in CI records source ci; PAC_OBSERVE=off records nothing', async () => {
    const ci = envWith({ CI: 'true' });
    expect(await analyzeFile(ci)).toBe(3);
    expect(new Set(readObservations(loadConfig(ci)).map((o) => o.source))).toEqual(new Set(['ci']));
    const off = envWith({ PAC_OBSERVE: 'off' });
    expect(await analyzeFile(off)).toBe(3);
    expect(readObservations(loadConfig(off))).toEqual([]);
  });

  it('POST /v1/analyze (with its bearer token) records source api; closing the server writes what is pending', async () => {
    const config = loadConfig(envWith({}));
    const { app, close } = await buildApp({ config, log: false, processMetrics: false });
    const unauthenticated = await app.inject({ method: 'POST', url: '/v1/analyze', payload: { objects: [privileged] } });
    expect(unauthenticated.statusCode).toBe(401);
    const answer = await app.inject({
      method: 'POST',
      url: '/v1/analyze',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { objects: [privileged, service] },
    });
    expect(answer.statusCode, answer.body).toBe(200);
    // the answer does not wait for the store: the records are written when the batch is flushed
    await close();
    const observations = readObservations(config);
    expect(observations.map((o) => [o.source, o.kind, o.origin])).toEqual([
      ['api', 'Deployment', 'POST /v1/analyze'],
      ['api', 'Service', 'POST /v1/analyze'],
    ]);
    expect(observations[0]?.ranker?.top.length).toBeGreaterThan(0);
    expect(answer.json().resources[0].denied.map((d: { policy: string }) => d.policy)).toEqual(observations[0]?.denied);
  });

  it('troubleshooting records the manifest it diagnosed with its caller as source', async () => {
    const config = loadConfig(envWith({}));
    const result = await troubleshootInProcess(config, { manifest: privileged, source: 'api' });
    expect(result.diagnosis.denials['pss-privileged']).toBeDefined();
    closeWriters();
    const observations = readObservations(config);
    expect(observations).toHaveLength(1);
    expect(observations[0]).toMatchObject({ source: 'api', kind: 'Deployment', origin: 'troubleshoot' });
    expect(observations[0]?.denied).toEqual(Object.keys(result.diagnosis.denials).sort());
  });
});
