/** pac status — health, URL and version of every engine, and the state of the Schedules. */
import type { Config } from '../../infra/config';
import { defineCommand, EXIT } from '../common';

export const command = defineCommand({
  usage: 'pac status [--json]',
  description:
    "Health, URL and version of Temporal, MLflow, Weaviate and OPA (and PostgreSQL of the team profile), probed in each\nengine's own protocol, then the retrain and monitor Schedules: running, paused (with who and why: `pac pause`) or\nmissing. With --json:\n" +
    '{"engines": {"temporal": {healthy, url, version, detail, managed, pid}, ...}, "schedules": [{id, exists, paused, note, nextRuns}]}.',
  options: {},
  exitCodes: { ok: 'every engine is healthy' },
  async run({ config, print }) {
    const { status } = await import('../../infra/engines');
    const cfg = await config();
    const report = await status(cfg);
    const schedules = report.engines.temporal?.healthy ? await schedulesOf(cfg) : undefined;
    print(
      { ...report, ...(schedules ? { schedules } : {}) },
      [
        ...Object.entries(report.engines).map(([engine, h]) =>
          `${engine.padEnd(9)} ${h?.healthy ? 'healthy  ' : 'unhealthy'} ${h?.version ?? ''} ${h?.url ?? ''} ${h?.healthy ? '' : (h?.detail ?? '')}`.trimEnd(),
        ),
        ...(schedules ?? []).map(
          (s) =>
            `schedule  ${s.id}: ${!s.exists ? 'missing (pac schedule)' : s.paused ? `PAUSED (${s.note ?? 'no note'})` : `running, next ${s.nextRuns[0] ?? '-'}`}`,
        ),
      ].join('\n'),
    );
    // an engine that is down is an environment failure: exit code 1
    return Object.values(report.engines).every((h) => h?.healthy) ? EXIT.ok : EXIT.internal;
  },
});

async function schedulesOf(config: Config) {
  const { temporalClient } = await import('../../workers/temporal');
  const { scheduleStatuses } = await import('../../workers/schedules-pause');
  const client = await temporalClient(config);
  try {
    return await scheduleStatuses(client);
  } finally {
    await client.connection.close();
  }
}
