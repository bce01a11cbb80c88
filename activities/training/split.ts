/**
 * Deterministic data splits by a stable hash of each row's id (FNV-1a over UTF-8, seeded, with a
 * murmur3 finaliser for avalanche): the same ids and seed give the same split on every machine and
 * every run, whatever the order of the rows.
 *
 * Rows are ordered by their hash and cut at an exact count (round(n·share), at least one on each side),
 * so a split's size is exact. All functions return row positions (indices into the input), ascending.
 */

export class SplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SplitError';
  }
}

const encoder = new TextEncoder();

/** 32-bit FNV-1a of the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's 32-bit finaliser: spreads FNV's low-bit differences (gen-42-1 vs gen-42-2) over all bits. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The stable hash of an id under a seed, as a number in [0, 1). */
export function stableUnit(id: string, seed: number): number {
  return fmix32(fnv1a32(`${seed}\u0000${id}`)) / 2 ** 32;
}

export interface Split {
  train: number[];
  test: number[];
}

function checkShare(testShare: number): void {
  if (!(testShare > 0 && testShare < 1)) throw new SplitError(`testShare must be strictly between 0 and 1, got ${testShare}`);
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new SplitError(`seed must be a whole number, got ${seed}`);
}

/** Keys ordered by their stable hash (ties, which need equal hashes, by the key itself). */
function hashOrder(keys: readonly string[], seed: number): string[] {
  const hashed = keys.map((key) => ({ key, h: stableUnit(key, seed) }));
  hashed.sort((a, b) => a.h - b.h || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return hashed.map((x) => x.key);
}

function testCount(n: number, testShare: number): number {
  return Math.min(n - 1, Math.max(1, Math.round(n * testShare)));
}

/** Train/test split of rows with unique ids: exactly round(n·testShare) rows (≥ 1, ≤ n − 1) go to test. */
export function trainTestSplit(ids: readonly string[], testShare: number, seed: number): Split {
  checkShare(testShare);
  checkSeed(seed);
  if (ids.length < 2) throw new SplitError(`trainTestSplit: needs at least 2 rows, got ${ids.length}`);
  const position = new Map<string, number>();
  ids.forEach((id, i) => {
    if (position.has(id)) throw new SplitError(`trainTestSplit: id "${id}" appears more than once (rows ${position.get(id)} and ${i})`);
    position.set(id, i);
  });
  const testIds = new Set(hashOrder(ids, seed).slice(0, testCount(ids.length, testShare)));
  const split: Split = { train: [], test: [] };
  ids.forEach((id, i) => {
    (testIds.has(id) ? split.test : split.train).push(i);
  });
  return split;
}

function distinctGroups(what: string, groups: readonly string[], minimum: number): string[] {
  const distinct = [...new Set(groups)];
  if (distinct.length < minimum) throw new SplitError(`${what}: needs at least ${minimum} distinct groups, got ${distinct.length}`);
  return distinct;
}

/**
 * Train/test split where all rows of a group go to the same side: round(G·testShare) of the G
 * distinct groups (≥ 1, ≤ G − 1) go to test, so the share is one of groups, not of rows.
 */
export function groupedSplit(groups: readonly string[], testShare: number, seed: number): Split {
  checkShare(testShare);
  checkSeed(seed);
  const distinct = distinctGroups('groupedSplit', groups, 2);
  const testGroups = new Set(hashOrder(distinct, seed).slice(0, testCount(distinct.length, testShare)));
  const split: Split = { train: [], test: [] };
  groups.forEach((group, i) => {
    (testGroups.has(group) ? split.test : split.train).push(i);
  });
  return split;
}

function checkK(what: string, k: number, n: number): void {
  if (!Number.isInteger(k) || k < 2) throw new SplitError(`${what}: k must be a whole number ≥ 2, got ${k}`);
  if (n < k) throw new SplitError(`${what}: needs at least k = ${k} ${what === 'kFold' ? 'rows' : 'groups'}, got ${n}`);
}

function foldsFromAssignment(n: number, k: number, foldOf: (i: number) => number): Split[] {
  const folds: Split[] = Array.from({ length: k }, () => ({ train: [], test: [] }));
  for (let i = 0; i < n; i++) {
    const f = foldOf(i);
    for (let j = 0; j < k; j++) (j === f ? (folds[j] as Split).test : (folds[j] as Split).train).push(i);
  }
  return folds;
}

/** k folds of rows with unique ids: the hash order dealt round-robin, so fold sizes differ by at most one. */
export function kFold(ids: readonly string[], k: number, seed: number): Split[] {
  checkSeed(seed);
  checkK('kFold', k, ids.length);
  if (new Set(ids).size !== ids.length) throw new SplitError('kFold: ids must be unique');
  const fold = new Map(hashOrder(ids, seed).map((id, rank) => [id, rank % k]));
  return foldsFromAssignment(ids.length, k, (i) => fold.get(ids[i] as string) as number);
}

/**
 * k folds where all rows of a group share a fold: groups in hash order, each placed in the fold
 * with the fewest rows so far (ties: the lowest fold), so folds are balanced by rows.
 */
export function groupedKFold(groups: readonly string[], k: number, seed: number): Split[] {
  checkSeed(seed);
  const distinct = distinctGroups('groupedKFold', groups, 0);
  checkK('groupedKFold', k, distinct.length);
  const size = new Map<string, number>();
  for (const g of groups) size.set(g, (size.get(g) ?? 0) + 1);
  const rowsInFold = new Array<number>(k).fill(0);
  const fold = new Map<string, number>();
  for (const g of hashOrder(distinct, seed)) {
    let best = 0;
    for (let f = 1; f < k; f++) if ((rowsInFold[f] as number) < (rowsInFold[best] as number)) best = f;
    fold.set(g, best);
    rowsInFold[best] = (rowsInFold[best] as number) + (size.get(g) as number);
  }
  return foldsFromAssignment(groups.length, k, (i) => fold.get(groups[i] as string) as number);
}

/** The rows of each part of a split (indices into `rows`). */
export function splitRows<T>(rows: readonly T[], split: Split): { train: T[]; test: T[] } {
  return { train: split.train.map((i) => rows[i] as T), test: split.test.map((i) => rows[i] as T) };
}

/** One row of a time-based holdout: its group (rows of a group stay on one side) and its time (null: untimed, e.g. simulated). */
export interface TimedRow {
  group: string;
  /** epoch ms, or null for a row without a time */
  time: number | null;
}

export interface TimeHoldout extends Split {
  /** 'time': the newest timed groups are held out; 'hash': every group by its hash (too few timed rows) */
  mode: 'time' | 'hash';
  /** the time from which timed rows are held out (mode 'time') */
  cutoff?: number;
}

/**
 * The evaluation split of data with timed and untimed rows, keeping every group (near-identical
 * rows: the same skeleton) on one side. With at least `minTimed` timed rows: the groups that hold
 * timed rows are ordered by their newest time and the newest ones are held out until they hold
 * round(share · timed rows) timed rows (ties in time by the groups' hash); the groups with untimed
 * rows only are split by hash at the same share. With fewer timed rows, every group is split by
 * hash (groupedSplit).
 */
export function timeGroupedHoldout(rows: readonly TimedRow[], testShare: number, seed: number, minTimed: number): TimeHoldout {
  checkShare(testShare);
  checkSeed(seed);
  const timed = rows.filter((r) => r.time !== null).length;
  if (timed < minTimed)
    return {
      ...groupedSplit(
        rows.map((r) => r.group),
        testShare,
        seed,
      ),
      mode: 'hash',
    };
  const newest = new Map<string, number>();
  const timedCount = new Map<string, number>();
  for (const row of rows) {
    if (row.time === null) continue;
    newest.set(row.group, Math.max(newest.get(row.group) ?? -Infinity, row.time));
    timedCount.set(row.group, (timedCount.get(row.group) ?? 0) + 1);
  }
  const order = [...newest.keys()]
    .map((group) => ({ group, time: newest.get(group) as number, h: stableUnit(group, seed) }))
    .sort((a, b) => b.time - a.time || a.h - b.h || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  const wanted = testCount(timed, testShare);
  const testGroups = new Set<string>();
  let held = 0;
  let cutoff: number | undefined;
  for (const entry of order) {
    if (held >= wanted) break;
    testGroups.add(entry.group);
    held += timedCount.get(entry.group) as number;
    cutoff = entry.time;
  }
  // untimed-only groups: by hash, at the same share
  const untimedGroups = [...new Set(rows.filter((r) => !newest.has(r.group)).map((r) => r.group))];
  if (untimedGroups.length >= 2)
    for (const group of hashOrder(untimedGroups, seed).slice(0, testCount(untimedGroups.length, testShare))) testGroups.add(group);
  const split: TimeHoldout = { train: [], test: [], mode: 'time', ...(cutoff === undefined ? {} : { cutoff }) };
  rows.forEach((row, i) => {
    (testGroups.has(row.group) ? split.test : split.train).push(i);
  });
  return split;
}
