/**
 * PAC_WEAVIATE_API_KEY against a real Weaviate that requires one: a second weaviate-server (the
 * installed binary) started by this test with API-key authentication and anonymous access off, on
 * free loopback ports. With the key the store creates a collection, inserts and counts (REST and
 * gRPC) and the health probe reads the version; without it, or with a wrong one, the server refuses.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeaviateStore } from '../../activities/retrieval/weaviate';
import { loadConfig } from '../../infra/config';
import { probeEngine } from '../../infra/health';
import { testEnv } from './harness';

const KEY = 'weaviate-test-key-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

let child: ChildProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), 'pac-weaviate-key-'));
let env: Record<string, string> = {};

beforeAll(async () => {
  const config = loadConfig(testEnv());
  const [http, grpc] = [await freePort(), await freePort()];
  // four consecutive free cluster ports
  let cluster = 0;
  for (let tries = 0; tries < 20 && !cluster; tries++) {
    const base = await freePort();
    if (base < 65_000 && (await Promise.all([1, 2, 3].map((d) => canListen(base + d)))).every(Boolean)) cluster = base;
  }
  child = spawn(config.weaviate.path, ['--host', '127.0.0.1', '--port', String(http), '--scheme', 'http'], {
    env: {
      PATH: process.env.PATH ?? '',
      PERSISTENCE_DATA_PATH: join(dir, 'data'),
      AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED: 'false',
      AUTHENTICATION_APIKEY_ENABLED: 'true',
      AUTHENTICATION_APIKEY_ALLOWED_KEYS: KEY,
      AUTHENTICATION_APIKEY_USERS: 'pac',
      DEFAULT_VECTORIZER_MODULE: 'none',
      ENABLE_MODULES: '',
      DISABLE_TELEMETRY: 'true',
      AUTOSCHEMA_ENABLED: 'false',
      CLUSTER_HOSTNAME: 'node1',
      CLUSTER_IN_LOCALHOST: 'true',
      CLUSTER_BIND_ADDR: '127.0.0.1',
      CLUSTER_ADVERTISE_ADDR: '127.0.0.1',
      CLUSTER_GOSSIP_BIND_PORT: String(cluster),
      CLUSTER_DATA_BIND_PORT: String(cluster + 1),
      RAFT_PORT: String(cluster + 2),
      RAFT_INTERNAL_RPC_PORT: String(cluster + 3),
      RAFT_BOOTSTRAP_EXPECT: '1',
      RAFT_JOIN: 'node1',
      GRPC_PORT: String(grpc),
      LOG_LEVEL: 'warning',
    },
    stdio: 'ignore',
  });
  env = { ...testEnv(), PAC_WEAVIATE_URL: `http://127.0.0.1:${http}`, PAC_WEAVIATE_GRPC_PORT: String(grpc) } as Record<string, string>;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${http}/v1/.well-known/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the Weaviate with API keys did not start');
    await new Promise((r) => setTimeout(r, 300));
  }
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the Weaviate API key', () => {
  it('with PAC_WEAVIATE_API_KEY the store works over REST and gRPC, and the probe reads the version', async () => {
    const config = loadConfig({ ...env, PAC_WEAVIATE_API_KEY: KEY });
    const store = await WeaviateStore.connect(config);
    try {
      await store.ensureCollection({ name: 'KeyCheck', properties: [{ name: 'text', type: 'text' }], vectorDimensions: 3 });
      await store.insertMany('KeyCheck', [{ properties: { text: 'hello' }, vector: [1, 0, 0] }]);
      expect(await store.count('KeyCheck')).toBe(1);
    } finally {
      await store.close();
    }
    const health = await probeEngine('weaviate', config);
    expect(health.healthy).toBe(true);
    expect(health.version).toMatch(/^\d+\.\d+/);
  });

  it('without the key, or with a wrong one, the server refuses', async () => {
    for (const key of [undefined, `${KEY}-wrong`]) {
      const config = loadConfig({ ...env, ...(key ? { PAC_WEAVIATE_API_KEY: key } : {}) });
      const store = await WeaviateStore.connect(config);
      try {
        await expect(store.count('KeyCheck')).rejects.toThrow(/401|unauthori[sz]ed|anonymous|api key/i);
      } finally {
        await store.close();
      }
      expect((await probeEngine('weaviate', config)).version).toBeUndefined();
    }
  });
});
