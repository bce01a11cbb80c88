/** pac worker — Temporal workers on the chosen task queues until SIGINT/SIGTERM. */
import { CliUsageError, defineCommand, EXIT, listValues, oneOf, wholeNumber } from '../common';

const QUEUES = ['main', 'lifecycle', 'drafting'] as const;

export const command = defineCommand({
  usage: 'pac worker [--queues main,lifecycle,drafting] [--concurrency N] [--identity NAME]',
  description:
    'Runs one worker per task queue until Ctrl-C: what schedules, drafts and `pac train` without --wait need. Scale out by\nrunning more `pac worker` processes, for example one per queue.',
  options: {
    queues: {
      type: 'string',
      multiple: true,
      value: 'Q[,Q…]',
      help: `task queues to poll: ${QUEUES.join(', ')} (default: all three; names from PAC_TASK_QUEUE*)`,
    },
    concurrency: {
      type: 'string',
      value: 'N',
      help: 'activities each worker runs at a time (default: lifecycle one per core, main and drafting 8)',
    },
    identity: {
      type: 'string',
      value: 'NAME',
      help: 'the worker identity the workflow histories record (default: pid@hostname)',
    },
  },
  exitCodes: { ok: 'the workers shut down cleanly after SIGINT/SIGTERM' },
  async run({ values, config }) {
    const queues = values.queues ? oneOf('--queues', listValues(values.queues), QUEUES) : [...QUEUES];
    if (queues.length === 0) throw new CliUsageError('--queues: name at least one queue');
    const concurrency = wholeNumber('--concurrency', values.concurrency);
    const identity = values.identity?.trim();
    if (values.identity !== undefined && !identity) throw new CliUsageError('--identity: give a name');
    const cfg = await config();
    const { createWorkers } = await import('../../workers/main');
    const worker = await createWorkers(cfg, {
      queues: [...new Set(queues)],
      ...(concurrency ? { concurrency } : {}),
      ...(identity ? { identity } : {}),
    });
    process.stderr.write(
      `workers polling task queues ${queues.map((q) => `"${cfg.temporal.taskQueues[q]}"`).join(', ')} on ${cfg.temporal.address}${concurrency ? ` (concurrency ${concurrency})` : ''}${identity ? ` as ${identity}` : ''}\n`,
    );
    await worker.run();
    return EXIT.ok;
  },
});
