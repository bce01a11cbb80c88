/** pac status — health, URL and version of every engine. */
import { defineCommand, EXIT } from '../common';

export const command = defineCommand({
  usage: 'pac status [--json]',
  description:
    'Health, URL and version of Temporal, MLflow, Weaviate and OPA, probed in each engine\'s own protocol; with --json:\n{"engines": {"temporal": {healthy, url, version, detail, managed, pid}, ...}}.',
  options: {},
  exitCodes: { ok: 'every engine is healthy' },
  async run({ config, print }) {
    const { status } = await import('../../infra/engines');
    const report = await status(await config());
    print(
      report,
      Object.entries(report.engines)
        .map(([engine, h]) =>
          `${engine.padEnd(9)} ${h.healthy ? 'healthy  ' : 'unhealthy'} ${h.version ?? ''} ${h.url ?? ''} ${h.healthy ? '' : (h.detail ?? '')}`.trimEnd(),
        )
        .join('\n'),
    );
    // an engine that is down is an environment failure: exit code 1
    return Object.values(report.engines).every((h) => h.healthy) ? EXIT.ok : EXIT.internal;
  },
});
