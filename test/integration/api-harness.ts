/**
 * The HTTP API on the real engines for integration tests: the app with the Temporal drafts backend
 * and the troubleshooting backend, a drafting worker on the test's own queue, listening on a
 * loopback port chosen by the OS; `call` sends one request and reads the JSON answer.
 */
import type { Writable } from 'node:stream';
import { temporalDraftsBackend } from '../../api/drafts-backend';
import { type ApiRoute, buildApp } from '../../api/server';
import { troubleshootBackend } from '../../api/troubleshoot-backend';
import { loadConfig } from '../../infra/config';
import { createWorkers } from '../../workers/main';

export interface CallResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
  json: any;
  text: string;
  headers: Headers;
}

export type Call = (method: string, path: string, options?: { body?: unknown; token?: string; raw?: string }) => Promise<CallResult>;

export interface ApiServer {
  base: string;
  routes: readonly ApiRoute[];
  call: Call;
  close(): Promise<void>;
}

export async function startApiServer(env: NodeJS.ProcessEnv, options: { log?: Writable } = {}): Promise<ApiServer> {
  const config = loadConfig(env);
  const drafts = temporalDraftsBackend(config);
  const worker = await createWorkers(config, ['drafting']);
  const running = worker.run();
  const { app, routes, close } = await buildApp({
    config,
    drafts,
    troubleshoot: troubleshootBackend(config),
    log: options.log ?? false,
    processMetrics: false,
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });

  const call: Call = async (method, path, request = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(request.body !== undefined || request.raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
      },
      ...(request.raw !== undefined ? { body: request.raw } : request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text, headers: response.headers };
  };

  return {
    base,
    routes,
    call,
    async close() {
      await close();
      await drafts.close();
      await worker.shutdown();
      await running;
    },
  };
}
