/**
 * Runs the `opa` binary once: arguments as an array (no shell), optional stdin, a hard timeout
 * after which the whole process group is killed, and a cap on the output kept in memory.
 *
 * The process gets an empty environment unless the caller passes one (the binary is run by its
 * absolute path; OPA needs no variable), so no secret of ours can reach it. With
 * `memoryLimitBytes` it runs under `prlimit --data` (or `ulimit -d` through /bin/sh when prlimit
 * is missing): the Go runtime stops with "cannot allocate memory" above the cap, reported as
 * OpaMemoryLimitError. (RLIMIT_AS cannot be used: Go reserves far more address space than it uses.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describeCommand, OpaCommandError, OpaMemoryLimitError, OpaNotFoundError, OpaTimeoutError } from './errors';

export interface RunOpaOptions {
  /** the binary */
  path: string;
  args: readonly string[];
  timeoutMs: number;
  /** written to the process's stdin, which is then closed; without it stdin is /dev/null */
  stdin?: string;
  cwd?: string;
  signal?: AbortSignal;
  /** stdout and stderr together; more kills the process (default 64 MiB) */
  maxOutputBytes?: number;
  /** the process environment (default: empty) */
  env?: NodeJS.ProcessEnv;
  /** a cap on the process's data segment (heap), in bytes */
  memoryLimitBytes?: number;
}

export interface RunOpaResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
const GROUPS = process.platform !== 'win32';

/** Children still running, killed if this process exits first so none outlives it. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killTree(child: ChildProcess): void {
  if (GROUPS && child.pid !== undefined) {
    try {
      // the child leads its own process group (detached), so this reaches anything it started,
      // even after the child itself exited while its children still hold the output pipes
      process.kill(-child.pid, 'SIGKILL');
      return;
    } catch {
      // no process is left in the group: fall back to the child itself
    }
  }
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function track(child: ChildProcess): void {
  running.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) killTree(c);
    });
  }
}

const SPAWN_NOT_FOUND = new Set(['ENOENT', 'EACCES', 'ENOTDIR']);

const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((file) => existsSync(file));
const OUT_OF_MEMORY = /fatal error: (runtime: cannot allocate memory|out of memory)/;

/** The command that runs `path args` under a data-segment cap (prlimit, else ulimit through sh). */
export function limitedCommand(path: string, args: readonly string[], memoryLimitBytes: number): { file: string; args: string[] } {
  const bytes = Math.max(1, Math.floor(memoryLimitBytes));
  if (PRLIMIT) return { file: PRLIMIT, args: [`--data=${bytes}`, '--', path, ...args] };
  return { file: '/bin/sh', args: ['-c', `ulimit -d ${Math.ceil(bytes / 1024)} && exec "$0" "$@"`, path, ...args] };
}

/** Why a process did not start: ENOENT also means a missing working directory. */
function spawnError(path: string, cwd: string | undefined, error: NodeJS.ErrnoException): Error {
  if (error.code === 'ENOENT' && cwd !== undefined && !existsSync(cwd)) {
    return new Error(`cannot run ${path}: the working directory ${cwd} does not exist`, { cause: error });
  }
  return SPAWN_NOT_FOUND.has(error.code ?? '') ? new OpaNotFoundError(path, error) : error;
}

/**
 * Runs `path args...` and resolves with its exit status and output, whatever the exit code.
 * Rejects with OpaNotFoundError when the binary cannot be started, OpaTimeoutError after
 * `timeoutMs` (the process group is killed first), the signal's reason when aborted, and
 * OpaCommandError when the output exceeds the cap.
 */
export function runOpa(options: RunOpaOptions): Promise<RunOpaResult> {
  const { path, args, timeoutMs, stdin, cwd, signal } = options;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const command = describeCommand(args);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    return Promise.reject(new RangeError(`${command}: timeoutMs must be a positive number, got ${timeoutMs}`));
  }
  if (signal?.aborted) return Promise.reject(signal.reason);

  return new Promise<RunOpaResult>((resolve, reject) => {
    const started = performance.now();
    let child: ChildProcess;
    const limit = options.memoryLimitBytes;
    // under a wrapper a missing binary would be the wrapper's error: check first
    if (limit !== undefined && !existsSync(path)) {
      reject(new OpaNotFoundError(path, Object.assign(new Error(`${path} does not exist`), { code: 'ENOENT' })));
      return;
    }
    const command_ = limit === undefined ? { file: path, args: [...args] } : limitedCommand(path, args, limit);
    try {
      child = spawn(command_.file, command_.args, {
        env: options.env ?? {},
        cwd,
        stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        detached: GROUPS,
        windowsHide: true,
      });
    } catch (error) {
      // spawn throws synchronously for some bad arguments (e.g. a NUL byte in the path)
      reject(spawnError(path, cwd, error as NodeJS.ErrnoException));
      return;
    }

    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let outputBytes = 0;
    let ending: 'timeout' | 'abort' | 'overflow' | undefined;
    let settled = false;

    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      running.delete(child);
      outcome();
    };
    const stop = (why: NonNullable<typeof ending>) => {
      ending ??= why;
      killTree(child);
    };
    const onAbort = () => stop('abort');

    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (child.pid !== undefined) track(child);

    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (outputBytes > maxOutputBytes) {
        stop('overflow');
        return;
      }
      into.push(chunk);
    };
    child.stdout?.on('data', collect(stdout));
    child.stderr?.on('data', collect(stderr));

    if (stdin !== undefined && child.stdin) {
      // EPIPE when OPA exits without reading its input: the exit status tells what happened
      child.stdin.on('error', () => {});
      child.stdin.end(stdin);
    }

    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        finish(() => reject(spawnError(path, cwd, error)));
      } else {
        stop('abort');
        finish(() => reject(error));
      }
    });

    child.once('close', (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      finish(() => {
        const out = Buffer.concat(stdout).toString('utf8');
        const err = Buffer.concat(stderr).toString('utf8');
        if (ending === 'timeout') return reject(new OpaTimeoutError(command, timeoutMs));
        if (ending === 'abort') return reject(signal?.reason ?? new Error(`${command} was aborted`));
        if (limit !== undefined && exitCode !== 0 && OUT_OF_MEMORY.test(err)) return reject(new OpaMemoryLimitError(command, limit));
        if (ending === 'overflow') {
          return reject(new OpaCommandError(command, exitCode, err, `output exceeded ${maxOutputBytes} bytes; the process was killed`));
        }
        resolve({ exitCode, signal: exitSignal, stdout: out, stderr: err, durationMs: performance.now() - started });
      });
    });
  });
}
