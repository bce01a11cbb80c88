/**
 * Compaction: sealed write-ahead files become Parquet segments, without a lock.
 *
 *   1. recover: a claim folder whose owner died (or, from another host, older than the lease) is
 *      taken over by renaming it to this process (one rename wins) and finished (step 3);
 *      a folder already marked done is removed;
 *   2. seal the open write-ahead files of dead writers;
 *   3. claim: sealed files are renamed one by one into compacting/<claim>@<owner>/ (a rename
 *      succeeds for one compactor only); their records are written as one segment per day,
 *      segments/day=D/<claim>.parquet, each written to a temporary name and renamed; then the
 *      folder is renamed to <claim>.done (the commit point) and removed.
 *
 * A crash at any point loses nothing and duplicates nothing: until the done rename, the claimed
 * files are still there and the recovery rewrites the same segment names from them (same claim
 * id, same content); after it, the segments hold everything. Readers also drop repeated record
 * ids, so even a merge interrupted between writing its output and deleting its inputs counts once.
 *
 *   4. retention: day folders older than the retention are deleted (and such records are not written);
 *   5. merge: a past day with many segments is rewritten as one (ids deduplicated).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { writeAtomic } from '../../lib/atomic';
import { listDir, readWalFile } from './files';
import { abandoned, isOpenWal, isSealedWal, newClaimId, OPEN_SUFFIX, SEALED_SUFFIX, SELF_OWNER, type TablePaths } from './layout';
import { dayOf, type TableSpec, tableFrame } from './tables';

export type CompactionStep = 'claimed' | 'segment-written' | 'segments-written';

export interface CompactOptions {
  retentionMs: number;
  now?: number;
  /** how old another host's claim or open file must be before it is taken over (default 15 min) */
  leaseMs?: number;
  /** a past day with more segments than this is merged into one (default 16; 0 = never) */
  mergeAbove?: number;
  /** the most bytes of write-ahead files in one claim (default 64 MiB) */
  claimBytes?: number;
  /** called at each step (progress, and the crash tests) */
  onStep?: (step: CompactionStep, detail: { claim: string; day?: string }) => void;
}

export interface CompactionStats {
  /** write-ahead files compacted (claimed now or recovered) */
  files: number;
  records: number;
  /** torn or invalid lines */
  skipped: number;
  segments: number;
  recoveredClaims: number;
  sealedAbandoned: number;
  /** records older than the retention, not written */
  expired: number;
  droppedDays: string[];
  mergedDays: string[];
}

const ageMs = (path: string, now: number) => {
  try {
    return now - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
};

const ignoreGone = (fn: () => void): boolean => {
  try {
    fn();
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw error;
  }
};

const segmentName = (claim: string) => `${claim}.parquet`;
const dayDir = (paths: TablePaths, day: string) => join(paths.segments, `day=${day}`);

/** Writes the records of a claim folder as one segment per day, then commits and removes the folder. */
function finishClaim<T extends { id: string; time: string }>(
  paths: TablePaths,
  table: TableSpec<T>,
  folder: string,
  claim: string,
  options: CompactOptions,
  stats: CompactionStats,
): void {
  const dir = join(paths.compacting, folder);
  const cutoff = dayOf((options.now ?? Date.now()) - options.retentionMs);
  const byDay = new Map<string, T[]>();
  for (const name of listDir(dir)) {
    const content = readWalFile(join(dir, name), table.schema);
    stats.files++;
    stats.skipped += content.skipped;
    for (const record of content.records) {
      const day = dayOf(record.time);
      if (day < cutoff) {
        stats.expired++;
        continue;
      }
      const list = byDay.get(day);
      if (list) list.push(record);
      else byDay.set(day, [record]);
      stats.records++;
    }
  }
  for (const [day, records] of [...byDay].sort(([a], [b]) => a.localeCompare(b))) {
    writeAtomic(join(dayDir(paths, day), segmentName(claim)), tableFrame(table, records).writeParquet({ compression: 'zstd' }));
    stats.segments++;
    options.onStep?.('segment-written', { claim, day });
  }
  options.onStep?.('segments-written', { claim });
  const done = join(paths.compacting, `${claim}.done`);
  if (ignoreGone(() => renameSync(dir, done))) rmSync(done, { recursive: true, force: true });
}

function recoverClaims<T extends { id: string; time: string }>(
  paths: TablePaths,
  table: TableSpec<T>,
  options: CompactOptions,
  stats: CompactionStats,
): void {
  const now = options.now ?? Date.now();
  for (const folder of listDir(paths.compacting)) {
    if (folder.endsWith('.done')) {
      rmSync(join(paths.compacting, folder), { recursive: true, force: true });
      continue;
    }
    const at = folder.lastIndexOf('@');
    if (at <= 0) continue;
    const claim = folder.slice(0, at);
    const owner = folder.slice(at + 1);
    // this process's own leftover (an earlier compaction here threw) is retried like a dead one's
    if (owner !== SELF_OWNER && !abandoned(owner, ageMs(join(paths.compacting, folder), now), options.leaseMs ?? 15 * 60_000)) continue;
    const mine = `${claim}@${SELF_OWNER}`;
    if (owner !== SELF_OWNER && !ignoreGone(() => renameSync(join(paths.compacting, folder), join(paths.compacting, mine)))) continue;
    stats.recoveredClaims++;
    finishClaim(paths, table, mine, claim, options, stats);
  }
}

function sealAbandoned(paths: TablePaths, options: CompactOptions, stats: CompactionStats): void {
  const now = options.now ?? Date.now();
  for (const name of listDir(paths.wal)) {
    if (!isOpenWal(name)) continue;
    const path = join(paths.wal, name);
    if (!abandoned(name, ageMs(path, now), options.leaseMs ?? 15 * 60_000)) continue;
    const sealed = join(paths.wal, `${name.slice(0, -OPEN_SUFFIX.length)}${SEALED_SUFFIX}`);
    if (ignoreGone(() => renameSync(path, sealed))) stats.sealedAbandoned++;
  }
}

/** Claims sealed files (up to claimBytes per claim) and compacts them; returns false when none were left. */
function claimAndCompact<T extends { id: string; time: string }>(
  paths: TablePaths,
  table: TableSpec<T>,
  options: CompactOptions,
  stats: CompactionStats,
): boolean {
  const sealed = listDir(paths.wal).filter(isSealedWal);
  if (sealed.length === 0) return false;
  const claim = newClaimId(options.now);
  const folder = `${claim}@${SELF_OWNER}`;
  const dir = join(paths.compacting, folder);
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  let taken = 0;
  for (const name of sealed) {
    if (bytes >= (options.claimBytes ?? 64 * 1024 * 1024)) break;
    const size = (() => {
      try {
        return statSync(join(paths.wal, name)).size;
      } catch {
        return 0;
      }
    })();
    if (ignoreGone(() => renameSync(join(paths.wal, name), join(dir, name)))) {
      bytes += size;
      taken++;
    }
  }
  options.onStep?.('claimed', { claim });
  finishClaim(paths, table, folder, claim, options, stats);
  return taken > 0;
}

function applyRetention(paths: TablePaths, options: CompactOptions, stats: CompactionStats): void {
  const cutoff = dayOf((options.now ?? Date.now()) - options.retentionMs);
  for (const name of listDir(paths.segments)) {
    const day = name.startsWith('day=') ? name.slice(4) : '';
    if (day && day < cutoff) {
      rmSync(join(paths.segments, name), { recursive: true, force: true });
      stats.droppedDays.push(day);
    }
  }
  // temporary files of writers that crashed, once they are older than the lease
  for (const name of listDir(paths.segments)) {
    for (const file of listDir(join(paths.segments, name))) {
      const path = join(paths.segments, name, file);
      if (file.endsWith('.tmp') && ageMs(path, options.now ?? Date.now()) > (options.leaseMs ?? 15 * 60_000)) rmSync(path, { force: true });
    }
  }
}

function mergeDays(paths: TablePaths, options: CompactOptions, stats: CompactionStats): void {
  const limit = options.mergeAbove ?? 16;
  if (limit <= 0) return;
  const today = dayOf(options.now ?? Date.now());
  for (const name of listDir(paths.segments)) {
    const day = name.slice(4);
    if (!name.startsWith('day=') || day >= today) continue;
    const dir = join(paths.segments, name);
    const inputs = listDir(dir).filter((f) => f.endsWith('.parquet'));
    if (inputs.length <= limit) continue;
    const frames: pl.DataFrame[] = [];
    for (const file of inputs) {
      try {
        frames.push(pl.readParquet(readFileSync(join(dir, file))));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    if (frames.length === 0) continue;
    const merged = pl.concat(frames, { how: 'vertical' }).unique({ subset: ['id'], keep: 'first', maintainOrder: true });
    writeAtomic(join(dir, segmentName(newClaimId(options.now))), merged.writeParquet({ compression: 'zstd' }));
    for (const file of inputs) rmSync(join(dir, file), { force: true });
    stats.mergedDays.push(day);
  }
}

/** Recovers, seals, claims and compacts everything sealed, applies retention and merges past days. */
export function compactTable<T extends { id: string; time: string }>(
  paths: TablePaths,
  table: TableSpec<T>,
  options: CompactOptions,
): CompactionStats {
  const stats: CompactionStats = {
    files: 0,
    records: 0,
    skipped: 0,
    segments: 0,
    recoveredClaims: 0,
    sealedAbandoned: 0,
    expired: 0,
    droppedDays: [],
    mergedDays: [],
  };
  recoverClaims(paths, table, options, stats);
  sealAbandoned(paths, options, stats);
  while (claimAndCompact(paths, table, options, stats)) {}
  applyRetention(paths, options, stats);
  mergeDays(paths, options, stats);
  return stats;
}
