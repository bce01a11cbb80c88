/** pac observations — what the platform saw: observation counts per source, day and kind. */
import { CliUsageError, defineCommand, EXIT, listValues, oneOf } from '../common';

const KEYS = ['source', 'day', 'kind'] as const;
const SOURCES = ['cli', 'api', 'ci', 'import', 'admission'] as const;

export const command = defineCommand({
  usage: 'pac observations [--by source,day,kind] [--since DATE] [--until DATE] [--source S,…] [--json]',
  description: [
    'Counts the observations (every object `pac analyze`, the API, CI, troubleshooting, admission and `pac ingest` saw)',
    'per source, UTC day and kind — and the distinct manifests (by digest) among them —, over everything retained',
    '(PAC_OBSERVATIONS_RETENTION) unless --since/--until narrow it. The store is PAC_OBSERVATIONS_DIR.',
  ].join('\n'),
  options: {
    by: { type: 'string', multiple: true, value: 'K[,K…]', help: 'group by source, day and/or kind (default: all three)' },
    since: { type: 'string', value: 'DATE', help: 'from this date or date-time (UTC), e.g. 2026-01-31' },
    until: { type: 'string', value: 'DATE', help: 'before this date or date-time (exclusive)' },
    source: { type: 'string', multiple: true, value: 'S[,S…]', help: `only these sources: ${SOURCES.join(', ')}` },
  },
  exitCodes: { ok: 'counted (also when there are none)' },
  examples: ['pac observations', 'pac observations --by source,kind --since 2026-01-01', 'pac observations --source import --json'],
  async run({ values, config, print }) {
    const by = values.by === undefined ? [...KEYS] : oneOf('--by', listValues(values.by), KEYS);
    const sources = values.source === undefined ? undefined : oneOf('--source', listValues(values.source), SOURCES);
    for (const flag of ['since', 'until'] as const) {
      const value = values[flag];
      if (value !== undefined && !Number.isFinite(Date.parse(value)))
        throw new CliUsageError(`--${flag}: expected a date or date-time such as 2026-01-31 or 2026-01-31T12:00:00Z, got "${value}"`);
    }
    const { formatObservationCounts, observationCounts } = await import('../../activities/observations');
    const counts = observationCounts(await config(), {
      by,
      ...(values.since !== undefined ? { since: values.since } : {}),
      ...(values.until !== undefined ? { until: values.until } : {}),
      ...(sources ? { sources } : {}),
    });
    print({ observations: counts }, formatObservationCounts(counts).trimEnd());
    return EXIT.ok;
  },
});
