/**
 * Atomic file writes: the content goes to a temporary name beside the target (unique per process
 * and call, so concurrent writers never share one) and is renamed over the target, so a reader
 * sees the old file or the new one, never half of one, and a crash leaves no torn file. withFileLock
 * serialises read-modify-write cycles of one file across processes.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

function tempName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** Writes `data` to `file` atomically, creating the parent folder when needed. */
export function writeAtomic(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = tempName(file);
  try {
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** The asynchronous form of writeAtomic. */
export async function writeAtomicAsync(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = tempName(file);
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** A lock that could not be taken in time: another writer holds it. */
export class LockTimeoutError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holder: string,
  ) {
    super(`could not lock ${lockFile} within the wait (held by ${holder || 'an unknown writer'})`);
    this.name = 'LockTimeoutError';
  }
}

function holderIsGone(text: string, staleMs: number, now: number): boolean {
  const [pid, host, at] = text.split(' ');
  if (Number.isFinite(Number(at)) && now - Number(at) > staleMs) return true;
  if (host !== hostname() || !pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Runs `fn` while holding `<file>.lock` (created with O_EXCL, holding "pid host time"), so
 * read-modify-write cycles of one file by several processes never interleave. A lock whose holder
 * died (same host, no such pid) or that is older than `staleMs` is taken over.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: { waitMs?: number; staleMs?: number } = {}): Promise<T> {
  const lockFile = `${file}.lock`;
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  await mkdir(dirname(file), { recursive: true });
  for (;;) {
    try {
      await writeFile(lockFile, `${process.pid} ${hostname()} ${Date.now()}`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readFile(lockFile, 'utf8').catch(() => '');
      if (holder && holderIsGone(holder, options.staleMs ?? 120_000, Date.now())) {
        // taken over only if it is still the same dead holder's lock
        if ((await readFile(lockFile, 'utf8').catch(() => '')) === holder) await rm(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new LockTimeoutError(lockFile, holder);
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}
