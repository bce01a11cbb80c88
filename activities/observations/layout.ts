/**
 * Where the store keeps its files, and who owns them. Under the store directory
 * (PAC_OBSERVATIONS_DIR, default $PAC_STATE_DIR/observations):
 *
 *   redaction.key                                   the HMAC key of redaction tokens (0600)
 *   <table>/wal/<writer>.<seq>.open.jsonl           a live process appends here (O_APPEND)
 *   <table>/wal/<writer>.<seq>.jsonl                sealed: its writer is done with it
 *   <table>/compacting/<claim>@<owner>/             sealed files a compactor took (atomic rename)
 *   <table>/segments/day=YYYY-MM-DD/<claim>.parquet the columnar segments, one per claim and day
 *
 * <writer> is host_pid_random and <owner> host_pid, so any process can tell whether the owner of a
 * file or a claim is a dead process on this host (it may then take it over); on another host it
 * waits for the lease to pass (the file's age).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const HOST =
  hostname()
    .replace(/[^A-Za-z0-9-]/g, '-')
    .slice(0, 60) || 'host';

/** This process as an owner of claims: host_pid. */
export const SELF_OWNER = `${HOST}_${process.pid}`;

export const newWriterId = (): string => `${SELF_OWNER}_${randomBytes(4).toString('hex')}`;

/** A claim id: time first (claims sort by age), then the claiming process and a random part. */
export const newClaimId = (now = Date.now()): string =>
  `${now.toString(36).padStart(9, '0')}-${HOST}-${process.pid}-${randomBytes(4).toString('hex')}`;

export interface TablePaths {
  root: string;
  wal: string;
  compacting: string;
  segments: string;
}

export function tablePaths(storeDir: string, table: string): TablePaths {
  const root = join(storeDir, table);
  return { root, wal: join(root, 'wal'), compacting: join(root, 'compacting'), segments: join(root, 'segments') };
}

export const OPEN_SUFFIX = '.open.jsonl';
export const SEALED_SUFFIX = '.jsonl';

/** Is the file an open WAL file (else, ending in .jsonl, a sealed one)? */
export const isOpenWal = (file: string): boolean => file.endsWith(OPEN_SUFFIX);
export const isSealedWal = (file: string): boolean => file.endsWith(SEALED_SUFFIX) && !file.endsWith(OPEN_SUFFIX);

/** host and pid of a writer id (host_pid_random) or an owner (host_pid). */
export function ownerOf(id: string): { host: string; pid: number } | undefined {
  const [host, pid] = id.split('_');
  return host && pid && /^\d+$/.test(pid) ? { host, pid: Number(pid) } : undefined;
}

/** true: alive, false: dead, undefined: cannot tell (another host). */
export function ownerAlive(id: string): boolean | undefined {
  const owner = ownerOf(id);
  if (!owner || owner.host !== HOST) return undefined;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A file or claim may be taken over: its owner is dead, or (other host) it is older than the lease. */
export function abandoned(id: string, ageMs: number, leaseMs: number): boolean {
  const alive = ownerAlive(id);
  return alive === undefined ? ageMs > leaseMs : !alive;
}
