/** pac serve — the HTTP API until SIGINT/SIGTERM. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac serve [--host H] [--port N] [--json]',
  description:
    'The HTTP API: analysis, models and drift, document Q&A, drafting and troubleshooting routes, OpenAPI UI at /docs,\nPrometheus /metrics. Mutating routes need a bearer token from PAC_API_TOKENS.',
  options: {
    host: { type: 'string', value: 'H', help: 'listen address (default PAC_API_HOST)' },
    port: { type: 'string', value: 'N', help: 'listen port (default PAC_API_PORT)' },
  },
  exitCodes: { ok: 'stopped cleanly after SIGINT/SIGTERM' },
  async run({ values, json, config }) {
    const { serveCommand } = await import('../serve');
    return serveCommand(await config(), { json, port: values.port, host: values.host });
  },
});
