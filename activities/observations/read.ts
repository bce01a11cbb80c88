/**
 * Reading a table: every record in a time range, wherever it is now — write-ahead files (open and
 * sealed), claims being compacted, segments — read in that order (the order records move in), so
 * a record that moves while it is read is found at a later stage; a record seen twice (in a claim
 * and in the segment written from it, or in two merged segments) is kept once, by id.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { listDir, readEachStable, readWalFile } from './files';
import type { TablePaths } from './layout';
import { dayOf, type TableSpec, tableFrame } from './tables';

export interface TableReadOptions {
  /** epoch ms, inclusive */
  since: number;
  /** epoch ms, exclusive */
  until: number;
  /** only these columns (id and time are always read) */
  columns?: readonly string[];
}

export interface TableRead {
  frame: pl.DataFrame;
  /** torn or invalid write-ahead lines (a line being written right now counts here) */
  skipped: number;
  /** rows seen more than once and kept once */
  repeated: number;
}

const isJsonl = (name: string) => name.endsWith('.jsonl');

export function readTable<T extends { id: string; time: string }>(
  paths: TablePaths,
  table: TableSpec<T>,
  options: TableReadOptions,
): TableRead {
  const columns = options.columns ? [...new Set(['id', 'time', ...options.columns])] : table.columns.map((c) => c.name as string);
  const inRange = (time: string) => {
    const t = Date.parse(time);
    return t >= options.since && t < options.until;
  };
  let skipped = 0;
  const pending: T[] = [];
  const readWal = (path: string) => {
    const content = readWalFile(path, table.schema);
    skipped += content.skipped;
    for (const record of content.records) if (inRange(record.time)) pending.push(record);
  };
  readEachStable(paths.wal, isJsonl, readWal);
  for (const folder of listDir(paths.compacting)) {
    if (!folder.endsWith('.done')) readEachStable(join(paths.compacting, folder), isJsonl, readWal);
  }
  const frames: pl.DataFrame[] = [tableFrame(table, pending).select(...columns)];
  const first = dayOf(options.since);
  const last = dayOf(Math.max(options.since, Math.min(options.until, Date.UTC(10000, 0, 1)) - 1));
  for (const name of listDir(paths.segments)) {
    const day = name.slice(4);
    if (!name.startsWith('day=') || day < first || day > last) continue;
    const segments = readEachStable(
      join(paths.segments, name),
      (f) => f.endsWith('.parquet'),
      (path) => pl.readParquet(readFileSync(path), { columns: [...columns] }),
    );
    for (const segment of segments)
      frames.push(
        segment.select(...columns).filter(
          pl
            .col('time')
            .gtEq(pl.lit(new Date(options.since)))
            .and(pl.col('time').lt(pl.lit(new Date(options.until)))),
        ),
      );
  }
  const all = pl.concat(frames, { how: 'vertical' });
  const frame = all.unique({ subset: ['id'], keep: 'first', maintainOrder: true }).sort(['time', 'id']);
  return { frame, skipped, repeated: all.height - frame.height };
}
