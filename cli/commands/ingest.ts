/** pac ingest — bulk import of manifests as observations (source `import`). */
import { existsSync } from 'node:fs';
import { CliUsageError, defineCommand, EXIT } from '../common';

export const command = defineCommand({
  usage: 'pac ingest <file|dir|->... [--json]',
  description: [
    'Imports every Kubernetes object of the inputs as an observation with source `import`, timed by this import',
    '(metadata.creationTimestamp is kept as a feature only): a `kubectl get -A -o yaml|json` dump (a List: each item),',
    '`helm template` output, any multi-document YAML/JSON, standard input (-), or a directory such as a GitOps',
    'repository (every *.yaml, *.yml, *.json below it; hidden folders, node_modules and Helm chart sources are skipped).',
    'Secret material (Secret/ConfigMap data, env values, anything the PII masks catch) is redacted before it is stored.',
    'A document that does not parse is reported with file:line and the others are imported (exit code 2). The store is',
    'compacted at the end. The next ranker retrain and `pac drift` read the observation window (PAC_OBSERVATION_WINDOW).',
  ].join('\n'),
  options: {},
  exitCodes: { ok: 'every document was imported (in a directory, documents that are not cluster objects are ignored)' },
  examples: [
    'kubectl get deploy,sts,ds,cronjob,svc,ing,cm,secret -A -o yaml > cluster.yaml && pac ingest cluster.yaml',
    'helm template my-release ./chart | pac ingest -',
    'pac ingest ./gitops-repo --json',
  ],
  async run({ positionals, config, print }) {
    if (positionals.length === 0) throw new CliUsageError('ingest: name a file, a directory or - (standard input)');
    for (const input of positionals)
      if (input !== '-' && !existsSync(input)) throw new CliUsageError(`ingest: ${input}: no such file or directory`);
    const { formatImportReport, importManifests } = await import('../../activities/observations');
    const report = importManifests(await config(), positionals, {
      onProgress: (done, total, imported) => {
        if (total > 20 && process.stderr.isTTY) process.stderr.write(`\r[ingest] ${done}/${total} files, ${imported} objects`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\r\u001b[K');
    print({ report }, formatImportReport(report).trimEnd());
    return report.problems.length > 0 ? EXIT.usage : EXIT.ok;
  },
});
