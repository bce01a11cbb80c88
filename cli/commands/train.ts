/** pac train — start (or join) the lifecycle workflow of a model family. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac train [--family ranker|fix|latency|all] [--wait] [--seed N] [--count N] [--json]',
  description:
    'Starts the lifecycle workflow `lifecycle-<family>` (ingest → features → train → evaluate → register); a second identical\ntrigger joins the running one. Without --wait a worker must be running (`pac worker`).',
  options: {
    family: { type: 'string', value: 'F', help: 'ranker | fix | latency | all (default all)' },
    wait: { type: 'boolean', help: 'wait for the result, with progress (runs an in-process worker)' },
    seed: { type: 'string', value: 'N', help: 'generator seed' },
    count: { type: 'string', value: 'N', help: 'number of generated manifests (ranker)' },
  },
  exitCodes: { ok: 'the workflows were started (with --wait: completed and registered)' },
  async run({ values, json, config }) {
    const { trainCommand } = await import('../models');
    return trainCommand(await config(), { family: values.family, wait: values.wait, json, seed: values.seed, count: values.count });
  },
});
