/** pac train — start (or join) the lifecycle workflow of a model family. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac train [--family ranker|fix|latency|all] [--wait] [--seed N] [--count N] [--json]',
  description: [
    'Starts the lifecycle workflow `lifecycle-<family>` (ingest → features → train → evaluate → register); a second identical',
    'trigger joins the running one. Without --wait a worker must be running (`pac worker`).',
    'The ranker trains on the observation window (PAC_OBSERVATION_WINDOW, one row per manifest digest) plus the SIMULATED',
    'bootstrap set (PAC_RANKER_SIMULATED_SHARE of the rows; all --count rows when nothing was observed yet), labelled by the',
    'corpus and every published policy; MLflow shows the rows per origin and source in each part of the split.',
  ].join('\n'),
  options: {
    family: { type: 'string', value: 'F', help: 'ranker | fix | latency | all (default all)' },
    wait: { type: 'boolean', help: 'wait for the result, with progress (runs an in-process worker)' },
    seed: { type: 'string', value: 'N', help: 'seed of the SIMULATED set (ranker; default 42)' },
    count: { type: 'string', value: 'N', help: 'SIMULATED rows at most (ranker; default 2000)' },
  },
  exitCodes: { ok: 'the workflows were started (with --wait: completed and registered)' },
  async run({ values, json, config }) {
    const { trainCommand } = await import('../models');
    return trainCommand(await config(), { family: values.family, wait: values.wait, json, seed: values.seed, count: values.count });
  },
});
