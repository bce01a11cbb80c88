/** pac healthcheck — the healthcheck workflow on a running worker. */
import { defineCommand, wholeNumber } from '../common';

export const command = defineCommand({
  usage: 'pac healthcheck [--pause-ms N] [--json]',
  description:
    'Runs the `healthcheck` workflow on the main task queue (needs `pac worker` running): every engine is probed by an\nactivity, twice when --pause-ms puts a durable timer between the rounds.',
  options: { 'pause-ms': { type: 'string', value: 'N', help: 'wait N ms (a durable timer) between two rounds of checks' } },
  exitCodes: { ok: 'the workflow completed and every engine is healthy' },
  async run({ values, json, config, print }) {
    const pauseMs = wholeNumber('--pause-ms', values['pause-ms'], { min: 0 }) ?? 0;
    const { runHealthcheck } = await import('../healthcheck');
    return runHealthcheck(await config(), { demo: false, json, pauseMs, print });
  },
});
