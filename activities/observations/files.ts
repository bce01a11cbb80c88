/**
 * File helpers of the store: directory listings that tolerate a missing folder, reading a
 * write-ahead file (complete, valid lines only), and reading every file of a folder while other
 * processes move files out of it (a file that vanishes between the listing and the read has moved
 * on to a later stage, where the reader looks next; the folder is listed again until no read
 * fails, so a file renamed within the folder is not missed either).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';

export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}

const gone = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** Runs `read` on every file of `dir` that `wanted` accepts, relisting after a file vanished. */
export function readEachStable<R>(dir: string, wanted: (name: string) => boolean, read: (path: string, name: string) => R): R[] {
  const out: R[] = [];
  const done = new Set<string>();
  for (let round = 0; round < 100; round++) {
    let vanished = false;
    for (const name of listDir(dir)) {
      if (!wanted(name) || done.has(name)) continue;
      try {
        out.push(read(join(dir, name), name));
        done.add(name);
      } catch (error) {
        if (!gone(error)) throw error;
        vanished = true;
      }
    }
    if (!vanished) break;
  }
  return out;
}

export interface WalContent<T> {
  records: T[];
  /** lines that were torn (no newline at the end: the writer died mid-write) or not valid records */
  skipped: number;
}

/** The valid records of a write-ahead file; a torn or invalid line is counted, never fatal. */
export function readWalFile<T>(path: string, schema: z.ZodType<T>): WalContent<T> {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const torn = lines.pop() ?? '';
  let skipped = torn.trim() ? 1 : 0;
  const records: T[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      const parsed = schema.safeParse(JSON.parse(line));
      if (parsed.success) records.push(parsed.data);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { records, skipped };
}
