/**
 * The write-ahead buffer of one process for one table: records are kept in memory and appended in
 * batches, one write() per batch, to the process's own file (opened with O_APPEND), so writers
 * never share a file and need no lock. A batch is written when it is full, after `flushMs`, and
 * when the process exits; a file is sealed (renamed from .open.jsonl to .jsonl) when it passes
 * `rotateBytes` or `rotateMs`, and at exit. Only sealed files are compacted; an open file whose
 * process died is sealed by the next compactor (a torn last line is skipped there).
 *
 * What can be lost: records still in memory when the process is killed with SIGKILL (at most one
 * batch or `flushMs` worth). No fsync: an OS crash may lose the last writes.
 */
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { newWriterId, OPEN_SUFFIX, SEALED_SUFFIX } from './layout';

export interface WalOptions {
  /** records per write (default 256) */
  batch?: number;
  /** a pending batch is written after this long (default 1000 ms) */
  flushMs?: number;
  /** seal the file when it passes this size (default 8 MiB) */
  rotateBytes?: number;
  /** seal the file when it is older than this (default 10 min) */
  rotateMs?: number;
  /** a write on the timer failed (default: one line on stderr) */
  onError?: (error: Error) => void;
}

export class WalWriter {
  readonly id = newWriterId();
  private readonly batch: number;
  private readonly flushMs: number;
  private readonly rotateBytes: number;
  private readonly rotateMs: number;
  private pending: (string | (() => string))[] = [];
  private fd: number | undefined;
  private seq = 0;
  private bytes = 0;
  private openedAt = 0;
  private timeout: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private isClosed = false;

  constructor(
    readonly dir: string,
    private readonly options: WalOptions = {},
  ) {
    this.batch = options.batch ?? 256;
    this.flushMs = options.flushMs ?? 1000;
    this.rotateBytes = options.rotateBytes ?? 8 * 1024 * 1024;
    this.rotateMs = options.rotateMs ?? 10 * 60_000;
  }

  private path(suffix: string): string {
    return join(this.dir, `${this.id}.${this.seq}${suffix}`);
  }

  private report(error: Error): void {
    (this.options.onError ?? ((e: Error) => process.stderr.write(`observations: write failed: ${e.message}\n`)))(error);
  }

  private safeFlush = (): void => {
    try {
      this.flush();
    } catch (error) {
      this.report(error as Error);
    }
  };

  private cancelTimers(): void {
    if (this.timeout) clearTimeout(this.timeout);
    if (this.immediate) clearImmediate(this.immediate);
    this.timeout = undefined;
    this.immediate = undefined;
  }

  /**
   * Queues one JSON line (without its newline), or a function that makes it: the line is then made
   * at flush time, off the caller's path. A full batch is written on the next turn of the event
   * loop (not inside the caller), a partial one after `flushMs`.
   */
  append(line: string | (() => string)): void {
    if (this.isClosed) throw new Error('this observation writer is closed');
    this.pending.push(line);
    // a caller that never yields to the event loop still gets its records written
    if (this.pending.length >= 8 * this.batch) this.flush();
    else if (this.pending.length >= this.batch) {
      if (!this.immediate) this.immediate = setImmediate(this.safeFlush).unref();
    } else if (!this.timeout && !this.immediate) {
      this.timeout = setTimeout(this.safeFlush, this.flushMs).unref();
    }
  }

  /** Lines made by queued functions; one that throws is reported and left out. */
  private takeLines(): string[] {
    const lines: string[] = [];
    for (const entry of this.pending) {
      try {
        lines.push(typeof entry === 'string' ? entry : entry());
      } catch (error) {
        this.report(error as Error);
      }
    }
    this.pending = [];
    return lines;
  }

  /** Writes what is queued (one write), and seals the file when it is big or old enough. */
  flush(): void {
    this.cancelTimers();
    const lines = this.takeLines();
    if (lines.length > 0) {
      const data = Buffer.from(`${lines.join('\n')}\n`);
      if (this.fd === undefined) {
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        this.fd = openSync(this.path(OPEN_SUFFIX), 'a', 0o600);
        this.bytes = 0;
        this.openedAt = Date.now();
      }
      let offset = 0;
      while (offset < data.length) offset += writeSync(this.fd, data, offset);
      this.bytes += data.length;
    }
    if (this.fd !== undefined && (this.bytes >= this.rotateBytes || Date.now() - this.openedAt >= this.rotateMs)) this.seal();
  }

  /** Closes the current file and renames it to its sealed name; the next write opens a new one. */
  seal(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.path(OPEN_SUFFIX), this.path(SEALED_SUFFIX));
    this.seq++;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Flushes and seals; the writer takes no more records. */
  close(): void {
    if (this.isClosed) return;
    this.flush();
    this.seal();
    this.isClosed = true;
  }
}
