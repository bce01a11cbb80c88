/**
 * pac serve — the HTTP API on PAC_API_HOST:PAC_API_PORT until interrupted. The drafting routes
 * use the Temporal client (api/drafts-backend.ts; a worker must run on the drafting queue), the
 * troubleshooting routes the troubleshooting activities in this process (api/troubleshoot-backend.ts).
 */
import { temporalDraftsBackend } from '../api/drafts-backend';
import { buildApp } from '../api/server';
import { troubleshootBackend } from '../api/troubleshoot-backend';
import type { Config } from '../infra/config';

export async function serveCommand(config: Config, options: { json: boolean; port?: string; host?: string }): Promise<number> {
  const port = options.port === undefined ? config.api.port : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected a TCP port number, got "${options.port}"`);
  const host = options.host ?? config.api.host;
  const drafts = temporalDraftsBackend(config);
  const { app, close } = await buildApp({ config, drafts, troubleshoot: troubleshootBackend(config) });
  const address = await app.listen({ host, port });
  const info = { url: address, docs: `${address}/docs`, metrics: `${address}/metrics`, tokens: config.api.tokens.map((t) => t.name) };
  if (options.json) process.stdout.write(`${JSON.stringify(info)}\n`);
  else {
    process.stderr.write(`pac API listening on ${address} (OpenAPI UI ${address}/docs, metrics ${address}/metrics)\n`);
    if (info.tokens.length === 0)
      process.stderr.write('no PAC_API_TOKENS: every /v1 route will answer 401 (health, metrics and /docs stay open)\n');
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await close();
  await drafts.close();
  return 0;
}
