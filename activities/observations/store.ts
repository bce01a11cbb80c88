/**
 * The store's entry points over the configuration: compaction, reading a window of observations
 * (deduplicated by id, optionally by manifest digest keeping the newest), counts for
 * `pac observations`, and feedback.
 *
 *   compactObservations(config)                                   // `pac ingest` does it at the end
 *   readObservations(config, { dedupe: 'digest' })                // the last PAC_OBSERVATION_WINDOW
 *   observationCounts(config, { by: ['source', 'day', 'kind'] })  // everything retained
 */
import pl from 'nodejs-polars';
import { type CompactionStats, type CompactOptions, compactTable } from './compact';
import { tablePaths } from './layout';
import { readTable, type TableRead } from './read';
import { closeWriters, flushWriters, type ObservationsConfig } from './record';
import type { Feedback, Observation, ObservationSource } from './schemas';
import { dayOf, FEEDBACK_TABLE, frameRecords, OBSERVATIONS_TABLE } from './tables';

/** "No upper bound": the end of year 9999 (day names still compare as text). */
const END_OF_TIME = Date.UTC(10000, 0, 1);

type When = Date | string | number;

function epoch(value: When, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new Error(`${name}: expected a date or date-time such as 2026-01-31 or 2026-01-31T12:00:00Z, got ${String(value)}`);
  return ms;
}

export interface ObservationQuery {
  /** default: now minus PAC_OBSERVATION_WINDOW (readObservations) or the retention (counts) */
  since?: When;
  /** exclusive; default: no bound */
  until?: When;
  sources?: readonly ObservationSource[];
  /** 'id' (default): every observation once; 'digest': one per manifest digest, the newest */
  dedupe?: 'id' | 'digest';
  now?: number;
}

export interface ObservationFrame extends TableRead {
  since: string;
  until: string | null;
}

export function compactObservations(
  config: ObservationsConfig,
  options: Partial<CompactOptions> = {},
): { observations: CompactionStats; feedback: CompactionStats } {
  // this process's own open files are sealed first, so what it recorded is compacted too
  closeWriters();
  const base = { retentionMs: config.observations.retentionMs, ...options };
  return {
    observations: compactTable(tablePaths(config.observations.dir, OBSERVATIONS_TABLE.name), OBSERVATIONS_TABLE, base),
    feedback: compactTable(tablePaths(config.observations.dir, FEEDBACK_TABLE.name), FEEDBACK_TABLE, base),
  };
}

/** Compacts every `intervalMs` (unref'd timer); returns the stop function. Compaction is synchronous. */
export function startBackgroundCompaction(
  config: ObservationsConfig,
  intervalMs = 5 * 60_000,
  onError?: (error: Error) => void,
): () => void {
  const timer = setInterval(() => {
    try {
      compactObservations(config);
    } catch (error) {
      (onError ?? ((e: Error) => process.stderr.write(`observations: compaction failed: ${e.message}\n`)))(error as Error);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The time range of a query; without `since`, the observation window or (span 'retained') everything retained. */
function window(
  config: ObservationsConfig,
  query: ObservationQuery,
  span: 'window' | 'retained',
): { since: number; until: number; now: number } {
  const now = query.now ?? Date.now();
  // retention is by day, as in compaction: everything from the first retained day on
  const floor = Date.parse(`${dayOf(now - config.observations.retentionMs)}T00:00:00Z`);
  const start = query.since !== undefined ? epoch(query.since, 'since') : span === 'window' ? now - config.observations.windowMs : floor;
  const since = Math.max(floor, start);
  const until = query.until === undefined ? END_OF_TIME : epoch(query.until, 'until');
  return { since, until, now };
}

function readObservationTable(
  config: ObservationsConfig,
  query: ObservationQuery,
  span: 'window' | 'retained',
  columns?: readonly string[],
): ObservationFrame {
  flushWriters();
  const { since, until } = window(config, query, span);
  const read = readTable(tablePaths(config.observations.dir, OBSERVATIONS_TABLE.name), OBSERVATIONS_TABLE, { since, until, columns });
  let frame = read.frame;
  if (query.sources) frame = frame.filter(pl.col('source').isIn([...query.sources]));
  if (query.dedupe === 'digest') {
    frame = frame
      .sort(['time', 'id'], true)
      .unique({ subset: ['manifestDigest'], keep: 'first', maintainOrder: true })
      .sort(['time', 'id']);
  }
  return { ...read, frame, since: new Date(since).toISOString(), until: until >= END_OF_TIME ? null : new Date(until).toISOString() };
}

/** The observations of a window as a polars DataFrame (the table's columns; JSON columns as text). */
export function readObservationFrame(config: ObservationsConfig, query: ObservationQuery = {}): ObservationFrame {
  return readObservationTable(config, query, 'window');
}

/** The observations of a window as records, oldest first. */
export function readObservations(config: ObservationsConfig, query: ObservationQuery = {}): Observation[] {
  return frameRecords(OBSERVATIONS_TABLE, readObservationFrame(config, query).frame);
}

export const COUNT_KEYS = ['source', 'day', 'kind'] as const;
export type CountKey = (typeof COUNT_KEYS)[number];

export interface CountRow {
  source?: string;
  day?: string;
  kind?: string;
  /** observations */
  count: number;
  /** distinct manifest digests among them */
  distinct: number;
}

export interface ObservationCounts {
  by: CountKey[];
  since: string;
  until: string | null;
  total: number;
  distinct: number;
  rows: CountRow[];
}

/** Observations per source, day and kind (any subset, in that order), over everything retained by default. */
export function observationCounts(
  config: ObservationsConfig,
  query: ObservationQuery & { by?: readonly CountKey[] } = {},
): ObservationCounts {
  const by = COUNT_KEYS.filter((k) => (query.by ?? COUNT_KEYS).includes(k));
  const read = readObservationTable(config, { ...query, dedupe: 'id' }, 'retained', ['source', 'kind', 'manifestDigest']);
  const frame = read.frame.withColumns(pl.col('time').dt.strftime('%Y-%m-%d').alias('day'));
  const distinct = pl.col('manifestDigest').nUnique().alias('distinct');
  const grouped = by.length
    ? frame
        .groupBy(by)
        .agg(pl.len().alias('count'), distinct)
        .sort([...by])
    : frame.select(pl.len().alias('count'), distinct);
  const rows = grouped.toRecords().map((r) => ({ ...r, count: Number(r.count), distinct: Number(r.distinct) })) as CountRow[];
  return {
    by,
    since: read.since,
    until: read.until,
    total: frame.height,
    distinct: frame.height ? Number(frame.select(distinct).toRecords()[0]?.distinct ?? 0) : 0,
    rows: by.length ? rows : [],
  };
}

/** Feedback records in a window (default: everything retained), oldest first. */
export function readFeedback(config: ObservationsConfig, query: Omit<ObservationQuery, 'sources' | 'dedupe'> = {}): Feedback[] {
  flushWriters();
  const { since, until } = window(config, query, 'retained');
  const read = readTable(tablePaths(config.observations.dir, FEEDBACK_TABLE.name), FEEDBACK_TABLE, { since, until });
  return frameRecords(FEEDBACK_TABLE, read.frame);
}
