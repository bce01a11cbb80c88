/** pac models — registered model versions, aliases and metrics. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac models [--json]',
  description: 'Every registered version of the three models (ranker, fix, latency) with its aliases (champion, challenger) and metrics.',
  options: {},
  exitCodes: { ok: 'listed' },
  async run({ json, config }) {
    const { modelsCommand } = await import('../models');
    return modelsCommand(await config(), json);
  },
});
