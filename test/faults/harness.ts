/**
 * What the fault suite uses: worker OS processes it can SIGKILL, a look at a workflow's pending
 * activities, waiting for a condition, an HTTP relay in front of MLflow that lets a test stop the
 * real server at the exact moment a request is in flight, and the fault table.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entry = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 120_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  /** everything it wrote to stderr (for a failure message) */
  stderr(): string;
  /** SIGKILL of its whole process group; resolves when it is gone */
  kill(): Promise<void>;
  /** SIGTERM, then wait for a clean exit */
  stop(): Promise<void>;
}

const started: WorkerProcess[] = [];

/** Starts a worker OS process on `queues` with `env` (PAC_* variables) and waits until it polls. */
export async function startWorker(env: NodeJS.ProcessEnv, queues: string[]): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, queues.join(',')], {
    cwd: root,
    env,
    detached: true, // its own process group: a kill takes its opa/git children too
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker process did not start in 60 s:\n${err}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited with ${code} before it was ready:\n${err}`));
    });
  });
  const proc: WorkerProcess = {
    child,
    stderr: () => err,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-(child.pid as number), 'SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
  started.push(proc);
  return proc;
}

/** Kills every worker process the suite started and left running. */
export async function killAllWorkers(): Promise<void> {
  await Promise.all(started.map((w) => w.kill().catch(() => undefined)));
}

export interface PendingActivity {
  type: string;
  state: string;
  attempt: number;
  lastFailure?: string;
}

/** The workflow's pending activities (type, state, attempt, last failure message). */
export async function pendingActivities(handle: WorkflowHandle): Promise<PendingActivity[]> {
  const description = await handle.describe();
  return (description.raw.pendingActivities ?? []).map((a) => ({
    type: a.activityType?.name ?? '?',
    state: String(a.state ?? ''),
    attempt: a.attempt ?? 1,
    ...(a.lastFailure?.message ? { lastFailure: a.lastFailure.message } : {}),
  }));
}

/** Waits until an activity of `type` runs (state STARTED) on a worker; returns it. */
export function activityStarted(handle: WorkflowHandle, type: string, timeoutMs = 180_000, minAttempt = 1): Promise<PendingActivity> {
  return until(
    `${type} to start (attempt ≥ ${minAttempt})`,
    async () =>
      (await pendingActivities(handle)).find(
        (a) => a.type === type && a.attempt >= minAttempt && (a.state === '2' || a.state.endsWith('STARTED')),
      ),
    timeoutMs,
    50,
  );
}

/** How many times each activity type was started, from the closed workflow's history (attempts included). */
export async function startedAttempts(handle: WorkflowHandle): Promise<Record<string, number[]>> {
  const history = await handle.fetchHistory();
  const scheduled = new Map<string, string>();
  const out: Record<string, number[]> = {};
  for (const event of history.events ?? []) {
    const s = event.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(event.eventId), s.activityType?.name ?? '?');
    const st = event.activityTaskStartedEventAttributes;
    if (st) {
      const type = scheduled.get(String(st.scheduledEventId)) ?? '?';
      out[type] = [...(out[type] ?? []), st.attempt ?? 1];
    }
  }
  return out;
}

/**
 * An HTTP relay in front of MLflow. `onRequest` sees each request (method and path) and may answer
 * "hold": the request is forwarded, MLflow's answer is received, then `afterHeld` runs (the test
 * stops MLflow there) and the caller's connection is cut without an answer — the situation where a
 * retry must not do the work twice. While the upstream is down the relay cuts connections too.
 */
export async function mlflowRelay(
  upstream: string,
  onRequest: (method: string, path: string) => 'pass' | 'hold',
  afterHeld: () => Promise<void>,
): Promise<{ url: string; close(): Promise<void>; held: number }> {
  const target = new URL(upstream);
  const state = { held: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const hold = onRequest(req.method ?? 'GET', req.url ?? '/') === 'hold';
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        if (hold) {
          state.held += 1;
          answer.resume();
          answer.on('end', () => void afterHeld().finally(() => req.socket.destroy()));
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => req.socket.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get held() {
      return state.held;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface FaultRow {
  fault: string;
  tried: number;
  survived: number;
  lost: number;
  duplicated: number;
  note: string;
}

/** Prints the fault table (and returns it as text). */
export function faultTable(rows: FaultRow[]): string {
  const header = ['fault', 'tried', 'survived', 'lost', 'duplicated', 'note'];
  const cells = rows.map((r) => [r.fault, String(r.tried), String(r.survived), String(r.lost), String(r.duplicated), r.note]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
