/** pac batch — `pac analyze` fanned out as shard activities over the lifecycle workers (Temporal). */
import { CliUsageError, defineCommand, EXIT, listValues, oneOf, wholeNumber } from '../common';

export const command = defineCommand({
  usage:
    'pac batch <file|dir|->... [--bundle B] [--policy ID] [--skip ID] [--severity-threshold S] [--shard-size N]\n       [--inventory FILE|DIR|none] [--output FILE] [--local-worker] [--json]',
  description: [
    'The same analysis as `pac analyze`, for big inputs: the objects are written once under $PAC_STATE_DIR/batches as',
    'shards of --shard-size objects (default PAC_SHARD_SIZE), and the `analyzeBatch` workflow runs one activity per shard',
    'on the lifecycle task queue. Every `pac worker --queues lifecycle` process (on this machine or another one that shares',
    'the state directory) takes shards; the merge keeps the input order, so the report equals a one-machine run. The',
    'reports are written as JSON lines (report.jsonl, one resource each); the summary goes to stdout. `pac analyze` stays',
    'local and is what to use for small inputs, other formats, --params, --rank and observations.',
  ].join('\n'),
  options: {
    bundle: { type: 'string', multiple: true, value: 'B[,B…]', help: 'policy bundles, as for pac analyze (default pss-baseline,rbac)' },
    policy: { type: 'string', multiple: true, value: 'ID[,ID…]', help: 'evaluate these policies (with --bundle: in addition)' },
    skip: { type: 'string', multiple: true, value: 'ID[,ID…]', help: 'do not evaluate these policies' },
    'severity-threshold': { type: 'string', value: 'S', help: 'low (default) | medium | high | critical: what makes exit code 3' },
    'shard-size': { type: 'string', value: 'N', help: 'objects per shard activity (default PAC_SHARD_SIZE, 500)' },
    inventory: {
      type: 'string',
      value: 'FILE|DIR|none',
      help: "data.inventory of cross-object policies, as for pac analyze (default: the input's own objects)",
    },
    output: { type: 'string', value: 'FILE', help: 'copy the merged report (JSON lines, one resource each) to FILE' },
    'local-worker': {
      type: 'boolean',
      help: 'also run a lifecycle worker in this process (otherwise start `pac worker --queues lifecycle`)',
    },
  },
  exitCodes: {
    ok: 'no active finding at or above the threshold',
    findings: 'findings at or above --severity-threshold',
  },
  examples: ['pac worker --queues lifecycle --identity a & pac worker --queues lifecycle --identity b &', 'pac batch cluster-dump/ --json'],
  async run({ values, positionals, config, print }) {
    if (positionals.length === 0) throw new CliUsageError('batch: name a file, a directory or - (standard input)');
    const { SEVERITIES } = await import('../../datasets/schemas');
    const [threshold] = oneOf('--severity-threshold', [values['severity-threshold'] ?? 'low'], SEVERITIES);
    const shardSize = wholeNumber('--shard-size', values['shard-size']);
    const cfg = await config();
    const started = performance.now();
    const { readBatch, runBatch } = await import('../analyze-batch');
    const input = await readBatch(
      cfg,
      positionals,
      {
        policies: listValues(values.policy),
        skip: listValues(values.skip),
        bundles: listValues(values.bundle),
      },
      values.inventory,
    );
    for (const note of input.notes) process.stderr.write(`${note}\n`);
    const outcome = await runBatch(cfg, input, {
      threshold: threshold as (typeof SEVERITIES)[number],
      ...(shardSize ? { shardSize } : {}),
      localWorker: values['local-worker'],
      ...(values.output ? { output: values.output } : {}),
      started,
    });
    print(outcome, outcome.line);
    return outcome.summary.exitCode === 0 ? EXIT.ok : outcome.summary.exitCode;
  },
});
