/**
 * The two tables of the store and how a record becomes a row of a polars DataFrame (and back).
 *
 * Scalars keep their type (strings, 32-bit integers, millisecond timestamps); lists of strings are
 * polars lists; nested values (the manifest, the ranker's top-k, timings) are JSON text. Every
 * column has an explicit type, so frames from write-ahead files and from Parquet segments concat.
 */
import pl from 'nodejs-polars';
import type { z } from 'zod';
import { type Feedback, feedbackSchema, type Observation, observationSchema } from './schemas';

export type ColumnType = 'string' | 'int' | 'time' | 'strings' | 'json';

export interface TableSpec<T extends { id: string; time: string }> {
  /** the folder under the store: observations/ or feedback/ */
  name: string;
  schema: z.ZodType<T>;
  columns: readonly { name: keyof T & string; type: ColumnType }[];
}

/** The table's columns: the schema's fields in order, each a string unless `types` says otherwise. */
function columnsOf<T>(
  schema: z.ZodObject,
  types: Partial<Record<keyof T & string, ColumnType>>,
): { name: keyof T & string; type: ColumnType }[] {
  return Object.keys(schema.shape).map((name) => ({ name: name as keyof T & string, type: types[name as keyof T & string] ?? 'string' }));
}

export const OBSERVATIONS_TABLE: TableSpec<Observation> = {
  name: 'observations',
  schema: observationSchema,
  columns: columnsOf<Observation>(observationSchema, {
    v: 'int',
    time: 'time',
    manifest: 'json',
    redactions: 'int',
    denied: 'strings',
    ranker: 'json',
    timings: 'json',
  }),
};

export const FEEDBACK_TABLE: TableSpec<Feedback> = {
  name: 'feedback',
  schema: feedbackSchema,
  columns: columnsOf<Feedback>(feedbackSchema, { v: 'int', time: 'time' }),
};

const DTYPES = {
  string: () => pl.String,
  int: () => pl.Int32,
  time: () => pl.Datetime('ms'),
  strings: () => pl.List(pl.String),
  json: () => pl.String,
} as const;

function toCell(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'time') return new Date(value as string);
  if (type === 'json') return JSON.stringify(value);
  return value;
}

function fromCell(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'time') return (value as Date).toISOString();
  if (type === 'json') return JSON.parse(value as string);
  if (type === 'strings') return [...(value as string[])];
  return value;
}

/** Records as a DataFrame with the table's columns and types (an empty frame keeps them too). */
export function tableFrame<T extends { id: string; time: string }>(table: TableSpec<T>, records: readonly T[]): pl.DataFrame {
  return pl.DataFrame(
    table.columns.map((c) => {
      const cells = records.map((r) => toCell(c.type, r[c.name]));
      // nodejs-polars cannot type a list column that holds no non-empty list: lead with one, drop it
      return c.type === 'strings'
        ? pl.Series(c.name, [['-'], ...cells], DTYPES[c.type]()).slice(1, cells.length)
        : pl.Series(c.name, cells, DTYPES[c.type]());
    }),
  );
}

/** Rows of a table frame back into records (not re-validated: they were validated when written). */
export function frameRecords<T extends { id: string; time: string }>(table: TableSpec<T>, frame: pl.DataFrame): T[] {
  const types = new Map(table.columns.map((c) => [c.name as string, c.type]));
  return frame.toRecords().map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) out[k] = fromCell(types.get(k) ?? 'string', v);
    return out as T;
  });
}

/** The UTC day (YYYY-MM-DD) of an ISO time: the segment partition. */
export const dayOf = (time: string | number | Date): string => new Date(time).toISOString().slice(0, 10);
